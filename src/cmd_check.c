/* flashkit check FILE --flash BASE:SIZE ...: the pre-flash safety check
 * (check.h) as a command. One line per failure on stderr, exit 65; one
 * summary line on stdout when the image passes. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "check.h"
#include "commands.h"
#include "err.h"
#include "formats.h"
#include "image.h"
#include "progress.h"

static void help(FILE *f)
{
	fprintf(f,
		"usage: flashkit check FILE --flash BASE:SIZE [--ram BASE:SIZE]\n"
		"                      [--protect BASE:SIZE]... [--address A] [--elf ELF]\n"
		"                      [--no-vectors]\n"
		"\n"
		"Check an image against a board's memory map before flashing it. FILE may be\n"
		"%s.\n"
		"\n"
		"  --address A  where the image is written (the application address). A raw\n"
		"               .bin is placed there (it needs --address); a file with\n"
		"               addresses (elf, hex, srec, dfu) must start there: one linked\n"
		"               for another address is refused.\n"
		"  --elf ELF    FILE was made from ELF (e.g. fw.bin from fw.elf): ELF's lowest\n"
		"               address is the one FILE was linked for, and must be --address.\n"
		"\n"
		"Rules:\n"
		"  - the image is linked for where it is written (--address, --elf);\n"
		"  - every byte lies inside flash (--flash);\n"
		"  - no byte lies inside a protected region (--protect, e.g. a bootloader;\n"
		"    may be given several times);\n"
		"  - the vector table at the image's lowest address looks like Cortex-M:\n"
		"    the initial SP is inside RAM (RAM_BASE < SP <= RAM_BASE+RAM_SIZE; the end\n"
		"    of RAM is the usual top of stack) and word-aligned, the reset vector is\n"
		"    odd (Thumb) and points into the image itself (a .bin whose vectors point\n"
		"    elsewhere is named with the address it looks linked for). A file that is\n"
		"    not firmware (a PNG, text, no vector table) is said to be so. Without\n"
		"    --ram the SP is only checked for 0, 0xffffffff (erased) and addresses\n"
		"    in flash. --no-vectors skips these rules for data images.\n"
		"In a DfuSe file only alt setting 0 (internal flash) is checked.\n"
		"\n"
		"Numbers: 0x.., decimal, or with K/M (0x08000000:512K).\n"
		"Example (Crazyflie 2, application after a 16 KiB bootloader):\n"
		"  flashkit check cf2.bin --address 0x08004000 --flash 0x08000000:1M \\\n"
		"      --ram 0x20000000:128K --protect 0x08000000:16K\n"
		"\n"
		"Output: one line \"FILE: OK: ...\" on stdout, or one line per failed rule on\n"
		"stderr saying what to do. Exit: 0 ok, 64 usage, 65 bad file or failed\n"
		"check, 66 FILE missing.\n",
		format_names());
}

static void report(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "flashkit: %s\n", msg);
}

int cmd_check(int argc, char **argv)
{
	struct fk_err e = { 0 };
	struct check_opts c = { 0 };
	struct read_opts ro = { .warn = warn_stderr };
	const char *path = NULL, *elf = NULL;
	bool has_flash = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			help(stdout);
			return 0;
		}
		if (!strcmp(a, "--no-vectors")) {
			c.no_vectors = true;
			continue;
		}
		static const char *const opts[] = { "--flash", "--ram", "--protect", "--address",
						    "--elf" };
		const char *val = NULL;
		int which = arg_value(argc, argv, &i, opts, 5, "check", &val, &e);
		if (which == -2)
			return fk_report(&e);
		uint32_t base;
		uint64_t size;
		switch (which) {
		case 0:
		case 1:
		case 2:
			if (!parse_range(val, &base, &size)) {
				bad_value(&e, "check", opts[which], val, "BASE:SIZE such as 0x08000000:512K");
				return fk_report(&e);
			}
			if (which == 0) {
				c.flash_base = base;
				c.flash_size = size;
				has_flash = true;
			} else if (which == 1) {
				c.ram_base = base;
				c.ram_size = size;
				c.has_ram = true;
			} else if (!check_add_protect(&c, base, size)) {
				fk_fail(&e, FK_EUSAGE, "check: at most %d --protect regions", CHECK_MAX_PROTECT);
				return fk_report(&e);
			}
			continue;
		case 3:
			if (!parse_u32(val, &ro.address)) {
				bad_value(&e, "check", "--address", val, "an address such as 0x08000000");
				return fk_report(&e);
			}
			ro.has_address = true;
			continue;
		case 4:
			elf = val;
			continue;
		default:
			break;
		}
		if (a[0] == '-' && a[1]) {
			fk_fail(&e, FK_EUSAGE, "check: unknown option '%s' (see 'flashkit check --help')", a);
			return fk_report(&e);
		}
		if (path) {
			fk_fail(&e, FK_EUSAGE, "check: one FILE at a time, got '%s' and '%s'", path, a);
			return fk_report(&e);
		}
		path = a;
	}
	if (!path) {
		fk_fail(&e, FK_EUSAGE, "check: no FILE given (see 'flashkit check --help')");
		return fk_report(&e);
	}
	if (!has_flash) {
		fk_fail(&e, FK_EUSAGE, "check: give the board's flash as --flash BASE:SIZE (e.g. --flash 0x08000000:512K)");
		return fk_report(&e);
	}

	struct image img;
	image_init(&img);
	if (image_load(&img, path, NULL, &ro, &e)) {
		image_free(&img);
		return fk_report(&e);
	}
	c.name = path;
	if (ro.has_address) {
		c.has_at = true;
		c.at = ro.address;
		c.placed = img.format && strcmp(img.format, "bin") == 0;
		if (!c.placed && img.nseg && img.seg[0].alt == 0) {
			c.has_link = true;
			c.link = img.seg[0].addr;
		}
	}
	if (elf) {
		/* The link address comes from the ELF FILE was made from. */
		struct image ei;
		image_init(&ei);
		if (image_load(&ei, elf, &fmt_elf, NULL, &e)) {
			image_free(&ei);
			image_free(&img);
			return fk_report(&e);
		}
		if (ei.nseg && ei.seg[0].alt == 0) {
			c.has_link = true;
			c.link = ei.seg[0].addr;
			c.link_name = elf;
		}
		image_free(&ei);
		if (!c.has_at && img.nseg) { /* FILE carries addresses: it is written there */
			c.has_at = true;
			c.at = img.seg[0].addr;
		}
	}
	unsigned fails = image_check_all(&img, &c, report, NULL);
	if (!fails && !progress_silent()) {
		char line[512];
		check_summary(&img, &c, line, sizeof line);
		printf("%s\n", line);
	}
	image_free(&img);
	return fails ? FK_EDATA : 0;
}
