/* flashkit check FILE --flash BASE:SIZE ...: the pre-flash safety check
 * (check.h) as a command. One line per failure on stderr, exit 65; one
 * summary line on stdout when the image passes. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "check_file.h"
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

int cmd_check(int argc, char **argv)
{
	struct fk_err e = { 0 };
	struct check_args ca = { 0 };
	const char *path = NULL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			help(stdout);
			return 0;
		}
		int took = check_arg(&ca, "check", argc, argv, &i, &e);
		if (took < 0)
			return fk_report(&e);
		if (took)
			continue;
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
	if (!ca.has_flash) {
		fk_fail(&e, FK_EUSAGE, "check: give the board's flash as --flash BASE:SIZE (e.g. --flash 0x08000000:512K)");
		return fk_report(&e);
	}

	struct image img;
	image_init(&img);
	int rc = check_file(path, &ca, &img, &e);
	if (!rc && !progress_silent()) {
		char line[512];
		ca.c.name = path;
		check_summary(&img, &ca.c, line, sizeof line);
		printf("%s\n", line);
	}
	image_free(&img);
	return rc && e.code ? fk_report(&e) : rc;
}
