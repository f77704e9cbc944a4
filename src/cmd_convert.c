/* flashkit convert: any image format in, bin/hex/srec (or dfu) out.
 * bin->hex and hex->bin stream (memory does not grow with the image);
 * everything else goes through the in-memory image model. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "fileio.h"
#include "formats.h"
#include "stream.h"
#include "vectors.h"

static void help(void)
{
	printf(
"usage: flashkit convert IN -o OUT [--to bin|hex|srec|dfu] [--from FORMAT]\n"
"                        [--address A] [--record-len N] [--gap-limit SIZE]\n"
"\n"
"Convert a firmware image between formats. IN may be an ELF, Intel HEX,\n"
"S-record, DfuSe .dfu or raw binary file ('-' reads standard input).\n"
"\n"
"Options:\n"
"  -o, --output OUT    file to write ('-' for standard output). It is written to a\n"
"                      temporary file and renamed at the end, so a failed\n"
"                      conversion never leaves a partial OUT behind.\n"
"  -t, --to FORMAT     output format: bin, hex, srec (or dfu; see 'flashkit dfu' for\n"
"                      its options). Default: from OUT's extension (.bin, .hex/.ihex,\n"
"                      .srec/.s19/.mot, .dfu).\n"
"  -f, --from FORMAT   input format: bin, hex, srec, elf, dfu. Default: from the\n"
"                      content (ELF magic, DfuSe prefix, ':' or 'S' records), then\n"
"                      the extension; anything else is a raw binary.\n"
"  -a, --address A     where byte 0 of a raw binary goes (default 0), e.g. 0x08000000\n"
"                      or 0x08004000 for an application behind a 16K bootloader.\n"
"                      Only for bin input: the other formats carry addresses.\n"
"  -r, --record-len N  data bytes per hex record (default 16, the same as objcopy;\n"
"                      1 to 255, e.g. 32) or per S3 record (default 16, up to 250).\n"
"  -g, --gap-limit SIZE\n"
"                      bin output: largest gap between data that is filled with\n"
"                      0xFF (default 16M). A bigger gap (data at 0x08000000 and\n"
"                      0x1FFF0000, say) is an error, because the file would be\n"
"                      mostly padding: write hex or dfu instead.\n"
"      --in-memory     do not stream bin<->hex (for testing; same output).\n"
"  -h, --help          this text.\n"
"\n"
"Numbers: 0x hex or decimal, K and M suffixes (16K, 1M).\n"
"\n"
"What is written:\n"
"  hex   the layout of GNU objcopy -O ihex, byte for byte: 16 data bytes a record,\n"
"        CRLF, 04 records at 64 KiB boundaries (02 below 1 MiB), records split at\n"
"        64 KiB boundaries and at ELF section boundaries, a 05 start record when\n"
"        the start address is known and not 0 (a bin's is its --address).\n"
"  srec  S0 header (the output name), S3 records, S7 start address, CRLF: the same\n"
"        as objcopy -O srec --srec-forceS3.\n"
"  bin   the bytes from the lowest to the highest address, gaps filled with 0xFF.\n"
"\n"
"Input checks: bad checksums, bad hex digits, truncated or over-long records\n"
"(a file cut mid-record), data after the end record, a missing Intel HEX end\n"
"record (:00000001FF), overlapping data, data past 4 GiB, ELF files that are\n"
"not 32-bit little-endian ARM. Each is one line naming the file and the line\n"
"(or byte offset), exit 65. An S-record file without S7/S8/S9 is read (objcopy\n"
"and srec_cat read it too; it has no start address then).\n"
"Warnings (the conversion still runs): a second Intel HEX start record (the\n"
"first is kept, as srec_cat does); input with no Cortex-M vector table at its\n"
"start (a PNG, text: is this firmware?); a raw binary placed at 0 without\n"
"--address while the output carries addresses.\n"
"\n"
"Examples:\n"
"  flashkit convert build/fw.elf -o build/fw.hex\n"
"  flashkit convert fw.bin --address 0x08000000 -o fw.hex\n"
"  flashkit convert fw.hex -o fw.bin\n"
"  flashkit convert fw.hex --to srec -o fw.s19\n"
"\n"
"Exit codes: 0 ok, 64 usage, 65 bad input data, 66 missing input, 74 I/O error.\n");
}

static int usage(struct fk_err *e, const char *what)
{
	return fk_fail(e, FK_EUSAGE, "convert: %s (see 'flashkit convert --help')", what);
}

/* The input format without reading the whole file: the first 4 KiB are
 * enough for every probe. */
static const struct format *sniff(const char *path)
{
	uint8_t head[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, head, sizeof head);
	close(fd);
	if (n <= 0)
		return NULL;
	return format_detect(head, (size_t)n, path);
}

static int run(int argc, char **argv, struct fk_err *e)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "to", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, 'f' },
		{ "address", required_argument, NULL, 'a' },
		{ "record-len", required_argument, NULL, 'r' },
		{ "gap-limit", required_argument, NULL, 'g' },
		{ "in-memory", no_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *out = NULL;
	const struct format *to = NULL, *from = NULL;
	struct read_opts ro = { 0 };
	struct write_opts wo = { .fill = 0xFF };
	bool in_memory = false, has_reclen = false, has_gap = false;
	uint32_t v;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:t:f:a:r:g:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 't':
		case 'f': {
			const struct format *f = format_by_name(optarg);
			if (!f)
				return bad_value(e, "convert", c == 't' ? "--to" : "--from", optarg,
						 "bin, hex, srec, elf or dfu");
			if (c == 't')
				to = f;
			else
				from = f;
			break;
		}
		case 'a':
			if (!parse_u32(optarg, &v))
				return bad_value(e, "convert", "--address", optarg, "an address such as 0x08000000");
			ro.has_address = true;
			ro.address = v;
			break;
		case 'r':
			if (!parse_u32(optarg, &v) || v < 1 || v > 255)
				return bad_value(e, "convert", "--record-len", optarg, "1 to 255 data bytes");
			wo.record_len = v;
			has_reclen = true;
			break;
		case 'g':
			if (!parse_u32(optarg, &v) || v < 1)
				return bad_value(e, "convert", "--gap-limit", optarg, "a size such as 64K or 16M");
			wo.gap_limit = v;
			has_gap = true;
			break;
		case 'M':
			in_memory = true;
			break;
		case 'h':
			help();
			return 0;
		case ':': {
			char msg[160];
			snprintf(msg, sizeof msg, "option '%s' needs a value", argv[optind - 1]);
			return usage(e, msg);
		}
		default: {
			char msg[160];
			if (optopt && optopt != '?')
				snprintf(msg, sizeof msg, "unknown option '-%c'", optopt);
			else
				snprintf(msg, sizeof msg, "unknown option '%s'", argv[optind - 1]);
			return usage(e, msg);
		}
		}
	}
	if (optind >= argc)
		return usage(e, "no input file given");
	if (optind + 1 < argc)
		return usage(e, "give one input file (for several, use 'flashkit dfu')");
	const char *in = argv[optind];
	if (!out)
		return usage(e, "no output file given: add -o OUT");
	if (!to && !(to = format_by_path(out)))
		return fk_fail(e, FK_EUSAGE,
			       "convert: cannot tell the output format from the name '%s': add --to bin, hex, srec or dfu",
			       out);
	if (!to->write)
		return fk_fail(e, FK_EUSAGE, "convert: flashkit cannot write %s files: use --to bin, hex, srec or dfu",
			       to->name);
	if (has_reclen && to != &fmt_ihex && to != &fmt_srec)
		return usage(e, "--record-len is for hex and srec output");
	if (has_reclen && to == &fmt_srec && wo.record_len > 250)
		return bad_value(e, "convert", "--record-len", "", "1 to 250 data bytes for srec");
	if (has_gap && to != &fmt_bin)
		return usage(e, "--gap-limit is for bin output");

	bool regular_in = strcmp(in, "-") != 0, regular_out = strcmp(out, "-") != 0;
	const struct format *inf = from;
	if (!inf && regular_in)
		inf = sniff(in);
	if (ro.has_address && inf && inf != &fmt_bin)
		return fk_fail(e, FK_EUSAGE,
			       "convert: --address places a raw binary, but %s is %s, which carries its own addresses",
			       in, inf->name);
	wo.out_name = out;
	/* DfuSe ids stay zero ("not given"): the writer then keeps a DfuSe
	 * input's ids or uses the same defaults as 'flashkit dfu'. */

	/* A raw binary with no vector table, or placed at 0 by default while
	 * the output carries addresses: say so (the conversion still runs). */
	bool warn_at0 = !ro.has_address && to != &fmt_bin;
	char warn[600] = "";
	ro.warn = warn_stderr;
	if (regular_in && inf == &fmt_bin) {
		uint8_t head[4096];
		int fd = open(in, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, head, sizeof head) : -1;
		off_t size = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1;
		if (fd >= 0)
			close(fd);
		if (n > 0 && size > 0)
			vt_warning_raw(head, (size_t)n, ro.has_address ? ro.address : 0, (uint64_t)size,
				       in, warn_at0, warn, sizeof warn);
	}

	struct outfile of;
	int rc = outfile_open(&of, out, e);
	if (rc)
		return rc;
	rc = STREAM_FALLBACK;
	if (!in_memory && regular_in && regular_out && inf == &fmt_bin && to == &fmt_ihex)
		rc = stream_bin_to_hex(in, ro.has_address ? ro.address : 0, of.fp, &wo, e);
	else if (!in_memory && regular_in && regular_out && inf == &fmt_ihex && to == &fmt_bin)
		rc = stream_hex_to_bin(in, of.fp, &wo, e);
	if (rc == STREAM_FALLBACK) {
		struct image img;
		image_init(&img);
		ro.name = in;
		rc = image_load(&img, in, from, &ro, e);
		if (!rc && image_total(&img) == 0)
			rc = fk_fail(e, FK_EDATA, "%s: contains no data", in);
		if (!rc && !(regular_in && inf == &fmt_bin))
			vt_warning(&img, in, warn_at0 && img.format && !strcmp(img.format, "bin"), warn,
				   sizeof warn);
		if (!rc)
			rc = to->write(&img, of.fp, &wo, e);
		image_free(&img);
	}
	if (rc) {
		outfile_abort(&of);
		return rc;
	}
	rc = outfile_commit(&of, e);
	if (!rc && warn[0]) /* only for a conversion that worked: else the error says it */
		fprintf(stderr, "flashkit: warning: %s\n", warn);
	return rc;
}

int cmd_convert(int argc, char **argv)
{
	struct fk_err e = { 0 };
	int rc = run(argc, argv, &e);
	if (rc && e.code == 0)
		fk_fail(&e, rc, "convert: failed");
	return rc ? fk_report(&e) : 0;
}
