/* flashkit: one program, subcommands like git. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "err.h"
#include "version.h"

/* flashkit(1) is generated from this table and each command's --help
 * (tools/gen-manpage, make builds build/man/flashkit.1): a new subcommand needs
 * only its line here and a --help; tests/firstuse/test_firstuse_docs.py checks
 * that the page has a section for every command with every option. */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "convert", cmd_convert, "convert between bin, hex, srec, elf and dfu" },
	{ "dfu", cmd_dfu, "make a DfuSe .dfu file (elements, alt settings, suffix)" },
	{ "suffix", cmd_suffix, "add, check or remove a DFU suffix (like dfu-suffix)" },
	{ "info", cmd_info, "show segments, sizes, CRC, entry, vector table and suffix" },
	{ "check", cmd_check, "check an image against a board's memory map" },
	{ "copy", cmd_copy, "flash through an ST-LINK/DAPLink drive and wait for the result" },
	{ "usb-wait", cmd_usb_wait, "wait for a USB device (DFU bootloader) to appear or go away" },
	{ "bench", cmd_bench, "flash every board of a bench file at once (make flash-bench)" },
	{ "uart-lines", cmd_uart_lines, "set a serial port's RTS/DTR and keep them (make term)" },
	{ "list", cmd_list, "list attached boards: DFU, ST-LINK probes and drives, serial adapters" },
	{ "manifest", cmd_manifest, "write manifest.json and SHA256SUMS for build artifacts" },
	{ "run", cmd_run, "run a flashing tool quietly: its output only when it fails" },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
	fprintf(f, "usage: flashkit COMMAND [ARGS]   (flashkit COMMAND --help for details)\n\n"
		   "Commands:\n");
	int width = 0; /* the longest name sets the column, so the summaries line up */
	for (size_t i = 0; i < NCOMMANDS; i++)
		if ((int)strlen(commands[i].name) > width)
			width = (int)strlen(commands[i].name);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-*s  %s\n", width, commands[i].name, commands[i].summary);
	fprintf(f, "\nExit codes: 0 ok, 64 usage, 65 bad data or failed check, 66 missing input,\n"
		   "69 device or drive not found, 70 internal, 74 flash/I/O failed, 75 timeout,\n"
		   "76 verify failed, 77 permission (docs/ci.md).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return FK_EUSAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		if (argc > 2)
			for (size_t i = 0; i < NCOMMANDS; i++)
				if (strcmp(argv[2], commands[i].name) == 0) {
					char *args[] = { argv[2], "--help", NULL };
					return commands[i].run(2, args);
				}
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("flashkit %s\n", FLASHKIT_VERSION);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "flashkit: unknown command '%s'; commands are:", cmd);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(stderr, " %s", commands[i].name);
	fprintf(stderr, " (see 'flashkit --help')\n");
	return FK_EUSAGE;
}
