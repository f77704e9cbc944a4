/* flashkit info FILE: what is in a firmware file. Text output is one
 * "key: value" line per fact, so it greps well and stays stable; --json gives
 * the same facts for CI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "dfu_suffix.h"
#include "err.h"
#include "fileio.h"
#include "formats.h"
#include "image.h"
#include "vectors.h"

static void help(FILE *f)
{
	fprintf(f,
		"usage: flashkit info FILE [--address A] [--from FMT] [--json]\n"
		"\n"
		"Show what FILE holds: its format (%s), the segments\n"
		"(alt setting, first and last address, size), the total, the zlib CRC-32 of\n"
		"the data in address order, the entry (start) address where the format\n"
		"records one, the initial SP and reset vector of the vector table at the\n"
		"lowest address, any DFU suffix (ids, bcdDFU, CRC and whether it is valid)\n"
		"and DfuSe target names.\n"
		"\n"
		"  --address A   where a raw .bin starts (default 0)\n"
		"  --from FMT    read FILE as this format instead of detecting it\n"
		"  --json        one JSON object instead of text: file, format, segments\n"
		"                [{alt, address, size, end}] (end = one past the last byte),\n"
		"                total, crc32, entry (or null), vectors {address, sp, reset}\n"
		"                (or null), suffix {vid, pid, device, dfu, crc, crc_valid} (or\n"
		"                null), targets [{alt, name}]; numbers are plain integers\n"
		"\n"
		"Text lines (stable; grep for the key):\n"
		"  file: fw.dfu\n"
		"  format: dfu\n"
		"  segment: alt 0 0x08000000-0x08003fff size 16384\n"
		"  segments: 1\n"
		"  total: 16384\n"
		"  crc32: 0x1c2f4a5e\n"
		"  entry: none\n"
		"  vectors: at 0x08000000 sp 0x20020000 reset 0x08000189\n"
		"  suffix: vid 0x0483 pid 0xdf11 device 0xffff dfu 0x011a crc 0x6a9d3f11 valid\n"
		"  target: alt 0 \"Internal Flash\"\n"
		"A .dfu without the DfuSe prefix (a plain image with a DFU 1.0 suffix, as Fomu\n"
		"ships) shows as format bin with its suffix line. A file with no Cortex-M\n"
		"vector table at its start (a PNG, text) is shown with a warning on stderr.\n"
		"A file whose suffix CRC is wrong is still shown (\"invalid\"), then the command\n"
		"exits 65. Exit: 0 ok, 64 usage, 65 malformed file, 66 FILE missing.\n",
		format_names());
}

/* A quoted string; other bytes escaped as JSON (\u00XX) or as text (\xXX). */
static void quoted(const char *s, const char *esc)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf(esc, c);
		else
			putchar(c);
	}
	putchar('"');
}

static void json_str(const char *s)
{
	quoted(s, "\\u%04x");
}

static void text_str(const char *s)
{
	quoted(s, "\\x%02x");
}

int cmd_info(int argc, char **argv)
{
	struct fk_err e = { 0 };
	struct read_opts ro = { .warn = warn_stderr };
	const char *path = NULL;
	const struct format *forced = NULL;
	bool json = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			help(stdout);
			return 0;
		}
		if (!strcmp(a, "--json")) {
			json = true;
			continue;
		}
		static const char *const opts[] = { "--address", "--from" };
		const char *val = NULL;
		int which = arg_value(argc, argv, &i, opts, 2, "info", &val, &e);
		if (which == -2)
			return fk_report(&e);
		if (which == 0) {
			if (!parse_u32(val, &ro.address)) {
				bad_value(&e, "info", "--address", val, "an address such as 0x08000000");
				return fk_report(&e);
			}
			ro.has_address = true;
			continue;
		}
		if (which == 1) {
			forced = format_by_name(val);
			if (!forced) {
				bad_value(&e, "info", "--from", val, format_names());
				return fk_report(&e);
			}
			continue;
		}
		if (a[0] == '-' && a[1]) {
			fk_fail(&e, FK_EUSAGE, "info: unknown option '%s' (see 'flashkit info --help')", a);
			return fk_report(&e);
		}
		if (path) {
			fk_fail(&e, FK_EUSAGE, "info: one FILE at a time, got '%s' and '%s'", path, a);
			return fk_report(&e);
		}
		path = a;
	}
	if (!path) {
		fk_fail(&e, FK_EUSAGE, "info: no FILE given (see 'flashkit info --help')");
		return fk_report(&e);
	}

	/* Read once, and look at the suffix here rather than through image_load,
	 * so a file with a wrong suffix CRC can still be shown. */
	uint8_t *buf;
	size_t len;
	if (read_file(path, &buf, &len, &e))
		return fk_report(&e);
	if (len == 0) {
		free(buf);
		fk_fail(&e, FK_EDATA, "%s: empty file", path);
		return fk_report(&e);
	}
	ro.name = path;
	const struct format *f = forced ? forced : format_detect(buf, len, path);
	struct dfu_suffix s;
	enum suffix_state st = dfu_suffix_parse(buf, len, &s);
	bool has_suffix = st == SUFFIX_OK || st == SUFFIX_BAD_CRC;
	struct image img;
	image_init(&img);
	int rc;
	if (f == &fmt_dfuse)
		rc = dfuse_parse(&img, buf, len, path, false, &e);
	else
		rc = f->read(&img, buf, has_suffix ? len - DFU_SUFFIX_LEN : len, &ro, &e);
	uint32_t data_crc = st == SUFFIX_BAD_CRC ? dfu_crc(buf, len - 4) : 0;
	free(buf);
	if (rc) {
		image_free(&img);
		return fk_report(&e);
	}

	/* The vector table: at the lowest address of the lowest alt setting
	 * (segments are sorted by alt, then address). */
	const struct segment *vt = img.nseg ? &img.seg[0] : NULL;
	bool has_vt = vt && vt->len >= 8;
	uint32_t sp = 0, reset = 0;
	if (has_vt) {
		image_read32(&img, vt->addr, &sp);
		image_read32(&img, vt->addr + 4, &reset);
	}
	size_t total = image_total(&img);
	uint32_t crc = image_crc32(&img);
	char warn[600];
	if (vt_warning(&img, path, false, warn, sizeof warn))
		fprintf(stderr, "flashkit: warning: %s\n", warn);

	if (json) {
		printf("{\"file\": ");
		json_str(path);
		printf(", \"format\": \"%s\", \"segments\": [", f->name);
		for (size_t i = 0; i < img.nseg; i++)
			printf("%s{\"alt\": %u, \"address\": %u, \"size\": %zu, \"end\": %llu}",
			       i ? ", " : "", img.seg[i].alt, img.seg[i].addr, img.seg[i].len,
			       (unsigned long long)img.seg[i].addr + img.seg[i].len);
		printf("], \"total\": %zu, \"crc32\": %u, \"entry\": ", total, crc);
		if (img.has_entry)
			printf("%u", img.entry);
		else
			printf("null");
		printf(", \"vectors\": ");
		if (has_vt)
			printf("{\"address\": %u, \"sp\": %u, \"reset\": %u}", vt->addr, sp, reset);
		else
			printf("null");
		printf(", \"suffix\": ");
		if (has_suffix)
			printf("{\"vid\": %u, \"pid\": %u, \"device\": %u, \"dfu\": %u, \"crc\": %u, \"crc_valid\": %s}",
			       s.id_vendor, s.id_product, s.bcd_device, s.bcd_dfu, s.crc,
			       st == SUFFIX_OK ? "true" : "false");
		else
			printf("null");
		printf(", \"targets\": [");
		for (size_t i = 0; i < img.ntargets; i++) {
			printf("%s{\"alt\": %u, \"name\": ", i ? ", " : "", img.targets[i].alt);
			json_str(img.targets[i].name);
			printf("}");
		}
		printf("]}\n");
	} else {
		printf("file: %s\n", path);
		printf("format: %s\n", f->name);
		for (size_t i = 0; i < img.nseg; i++)
			printf("segment: alt %u 0x%08x-0x%08llx size %zu\n", img.seg[i].alt,
			       img.seg[i].addr,
			       (unsigned long long)img.seg[i].addr + img.seg[i].len - 1, img.seg[i].len);
		printf("segments: %zu\n", img.nseg);
		printf("total: %zu\n", total);
		printf("crc32: 0x%08x\n", crc);
		if (img.has_entry)
			printf("entry: 0x%08x\n", img.entry);
		else
			printf("entry: none\n");
		if (has_vt)
			printf("vectors: at 0x%08x sp 0x%08x reset 0x%08x\n", vt->addr, sp, reset);
		else
			printf("vectors: none\n");
		if (has_suffix)
			printf("suffix: vid 0x%04x pid 0x%04x device 0x%04x dfu 0x%04x crc 0x%08x %s\n",
			       s.id_vendor, s.id_product, s.bcd_device, s.bcd_dfu, s.crc,
			       st == SUFFIX_OK ? "valid" : "invalid");
		else
			printf("suffix: none\n");
		for (size_t i = 0; i < img.ntargets; i++) {
			printf("target: alt %u ", img.targets[i].alt);
			text_str(img.targets[i].name);
			putchar('\n');
		}
	}
	image_free(&img);
	if (st == SUFFIX_BAD_CRC) {
		fflush(stdout);
		fk_fail(&e, FK_EDATA,
			"%s: DFU suffix CRC is 0x%08x, the file gives 0x%08x: damaged file (re-create it, or 'flashkit suffix remove --force' then 'add')",
			path, s.crc, data_crc);
		return fk_report(&e);
	}
	return 0;
}
