/* flashkit suffix add|check|remove FILE: the plain DFU 1.1 suffix, compatible
 * with dfu-util's dfu-suffix both ways. Modifies FILE atomically: the new
 * contents go to a temporary file that is renamed over FILE when complete. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "dfu_suffix.h"
#include "err.h"
#include "fileio.h"

static void help(FILE *f)
{
	fprintf(f,
		"usage: flashkit suffix add|check|remove FILE [--vid V] [--pid P] [--device D]\n"
		"                                              [--spec 0100|011a] [--force]\n"
		"\n"
		"Add, check or remove the 16-byte DFU 1.1 suffix at the end of FILE, the way\n"
		"dfu-util's dfu-suffix does (-a, -c, -D), so files go both ways between them.\n"
		"dfu-util warns \"Invalid DFU suffix signature\" for a file without one, and\n"
		"refuses a file whose suffix ids do not match the device.\n"
		"\n"
		"  add      append a suffix; refuses a file that already has one (exit 65)\n"
		"  check    verify the suffix and its CRC and print its fields; exit 65 when\n"
		"           there is none, the CRC is wrong, or --vid/--pid/--device given\n"
		"           here do not match it (0xffff in the file matches anything)\n"
		"  remove   strip the suffix; refuses a file without one (exit 65) or with a\n"
		"           wrong CRC (unless --force)\n"
		"\n"
		"Options (ids are hex, with or without 0x, as lsusb and dfu-suffix write them):\n"
		"  --vid V       idVendor   (default ffff = any; STM32 ROM bootloader: 0483)\n"
		"  --pid P       idProduct  (default ffff = any; STM32 ROM bootloader: df11)\n"
		"  --device D    bcdDevice  (default ffff = any release)\n"
		"  --spec S      bcdDFU: 0100 (plain DFU, default) or 011a (DfuSe; the default\n"
		"                when FILE starts with a DfuSe prefix; refused otherwise)\n"
		"  --force       remove: strip a suffix even when its CRC is wrong\n"
		"\n"
		"FILE is replaced atomically (temporary file + rename) and keeps its mode;\n"
		"on any error it is left untouched. Exit: 0 ok, 64 usage, 65 no/bad/extra\n"
		"suffix, 66 FILE missing, 74 I/O error.\n");
}

/* The file's bytes: mapped when possible (no copy for a 64 MiB image). */
struct input {
	uint8_t *buf;
	size_t len;
	bool mapped;
	struct stat st;
};

static int load(const char *path, struct input *in, struct fk_err *e)
{
	memset(in, 0, sizeof *in);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fk_fail(e, FK_ENOINPUT, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &in->st) != 0 || !S_ISREG(in->st.st_mode)) {
		close(fd);
		return fk_fail(e, FK_ENOINPUT, "%s: not a regular file", path);
	}
	in->len = (size_t)in->st.st_size;
	if (in->len > 0) {
		void *p = mmap(NULL, in->len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
		if (p != MAP_FAILED) {
			in->buf = p;
			in->mapped = true;
		}
	}
	close(fd);
	if (in->len > 0 && !in->mapped)
		return read_file(path, &in->buf, &in->len, e);
	return 0;
}

static void unload(struct input *in)
{
	if (in->mapped)
		munmap(in->buf, in->len);
	else
		free(in->buf);
	in->buf = NULL;
}

/* Write data (+ optional suffix) to a temp file beside path, then rename. */
static int replace(const char *path, const struct input *in, size_t datalen,
		   const uint8_t *suffix, struct fk_err *e)
{
	/* A symlink is followed, so the file it names is what changes. */
	char real[PATH_MAX];
	const char *target = realpath(path, real) ? real : path;
	struct outfile o;
	int rc = outfile_open(&o, target, e);
	if (rc)
		return rc;
	fchmod(fileno(o.fp), in->st.st_mode & 07777);
	if ((datalen && fwrite(in->buf, 1, datalen, o.fp) != datalen) ||
	    (suffix && fwrite(suffix, 1, DFU_SUFFIX_LEN, o.fp) != DFU_SUFFIX_LEN)) {
		int err = errno;
		outfile_abort(&o);
		return fk_fail(e, FK_EIO, "%s: write error: %s", path, strerror(err));
	}
	return outfile_commit(&o, e);
}

static void print_fields(const char *path, const struct dfu_suffix *s, const char *state)
{
	printf("%s: DFU suffix %s\n", path, state);
	printf("bcdDevice: 0x%04x\n", s->bcd_device);
	printf("idProduct: 0x%04x\n", s->id_product);
	printf("idVendor:  0x%04x\n", s->id_vendor);
	printf("bcdDFU:    0x%04x (%s)\n", s->bcd_dfu, dfu_spec_name(s->bcd_dfu));
	printf("length:    16\n");
	printf("crc:       0x%08x\n", s->crc);
}

static bool id_matches(bool given, uint16_t want, uint16_t in_file)
{
	return !given || in_file == 0xFFFF || want == 0xFFFF || in_file == want;
}

int cmd_suffix(int argc, char **argv)
{
	struct fk_err e = { 0 };
	const char *mode = NULL, *path = NULL;
	uint16_t vid = 0xFFFF, pid = 0xFFFF, dev = 0xFFFF, spec = 0;
	bool has_vid = false, has_pid = false, has_dev = false, has_spec = false, force = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			help(stdout);
			return 0;
		}
		if (!strcmp(a, "--force")) {
			force = true;
			continue;
		}
		static const char *const idopts[] = { "--vid", "--pid", "--device", "--spec" };
		const char *val = NULL;
		int which = arg_value(argc, argv, &i, idopts, 4, "suffix", &val, &e);
		if (which == -2)
			return fk_report(&e);
		if (which >= 0) {
			uint16_t v;
			if (!dfu_parse_id(val, &v))
			{
				bad_value(&e, "suffix", idopts[which], val, "a 16-bit hex id such as 0483");
				return fk_report(&e);
			}
			switch (which) {
			case 0: vid = v; has_vid = true; break;
			case 1: pid = v; has_pid = true; break;
			case 2: dev = v; has_dev = true; break;
			default:
				if (v != DFU_BCD_PLAIN && v != DFU_BCD_DFUSE)
				{
					bad_value(&e, "suffix", "--spec", val, "0100 or 011a");
					return fk_report(&e);
				}
				spec = v;
				has_spec = true;
			}
			continue;
		}
		if (a[0] == '-' && a[1]) {
			fk_fail(&e, FK_EUSAGE, "suffix: unknown option '%s' (see 'flashkit suffix --help')", a);
			return fk_report(&e);
		}
		if (!mode)
			mode = a;
		else if (!path)
			path = a;
		else {
			fk_fail(&e, FK_EUSAGE, "suffix: one FILE at a time, got '%s' and '%s'", path, a);
			return fk_report(&e);
		}
	}
	if (!mode || (strcmp(mode, "add") && strcmp(mode, "check") && strcmp(mode, "remove"))) {
		fk_fail(&e, FK_EUSAGE, "suffix: say add, check or remove, then FILE (see 'flashkit suffix --help')");
		return fk_report(&e);
	}
	if (!path) {
		fk_fail(&e, FK_EUSAGE, "suffix %s: no FILE given", mode);
		return fk_report(&e);
	}

	struct input in;
	int rc = load(path, &in, &e);
	if (rc)
		return fk_report(&e);
	struct dfu_suffix s;
	enum suffix_state st = dfu_suffix_parse(in.buf, in.len, &s);

	if (!strcmp(mode, "add")) {
		bool dfuse = in.len >= 5 && memcmp(in.buf, "DfuSe", 5) == 0;
		if (st != SUFFIX_NONE)
			fk_fail(&e, FK_EDATA,
				"%s: already has a DFU suffix (idVendor 0x%04x idProduct 0x%04x); remove it first with 'flashkit suffix remove'",
				path, s.id_vendor, s.id_product);
		else if (in.len == 0)
			fk_fail(&e, FK_EDATA, "%s: empty file: nothing to add a suffix to", path);
		else if (has_spec && spec == DFU_BCD_DFUSE && !dfuse)
			fk_fail(&e, FK_EDATA,
				"%s: --spec 011a marks a DfuSe file, but this file has no DfuSe prefix; make one with 'flashkit dfu'",
				path);
		if (e.code) {
			unload(&in);
			return fk_report(&e);
		}
		struct dfu_suffix ns = { .bcd_device = dev, .id_product = pid, .id_vendor = vid,
					 .bcd_dfu = has_spec ? spec : dfuse ? DFU_BCD_DFUSE : DFU_BCD_PLAIN };
		uint8_t suf[DFU_SUFFIX_LEN];
		dfu_suffix_build(in.buf, in.len, &ns, suf);
		rc = replace(path, &in, in.len, suf, &e);
		unload(&in);
		return rc ? fk_report(&e) : 0;
	}

	switch (st) {
	case SUFFIX_NONE:
		fk_fail(&e, FK_EDATA, "%s: no DFU suffix (no \"UFD\" signature in the last 16 bytes)%s",
			path, !strcmp(mode, "check") ? "; add one with 'flashkit suffix add'" : "");
		break;
	case SUFFIX_BAD_LEN:
		fk_fail(&e, FK_EDATA, "%s: DFU suffix has bLength %u, must be 16: not a DFU 1.1 suffix",
			path, in.buf[in.len - 5]);
		break;
	case SUFFIX_BAD_CRC:
		if (strcmp(mode, "remove") || !force)
			fk_fail(&e, FK_EDATA,
				"%s: DFU suffix CRC is 0x%08x, the file gives 0x%08x: damaged file%s",
				path, s.crc, dfu_crc(in.buf, in.len - 4),
				!strcmp(mode, "remove") ? " (--force strips it anyway)" : "");
		break;
	case SUFFIX_OK:
		break;
	}
	if (!e.code && !strcmp(mode, "check")) {
		if (!id_matches(has_vid, vid, s.id_vendor) || !id_matches(has_pid, pid, s.id_product) ||
		    !id_matches(has_dev, dev, s.bcd_device))
			fk_fail(&e, FK_EDATA,
				"%s: DFU suffix is for %04x:%04x bcdDevice %04x, not %04x:%04x bcdDevice %04x",
				path, s.id_vendor, s.id_product, s.bcd_device, vid, pid, dev);
		else
			print_fields(path, &s, "OK");
	}
	if (!e.code && !strcmp(mode, "remove"))
		rc = replace(path, &in, in.len - DFU_SUFFIX_LEN, NULL, &e);
	unload(&in);
	return e.code ? fk_report(&e) : 0;
}
