/* Placeholder until the 'dfu' subcommand lands; replaced by its real implementation. */
#include <stdio.h>

#include "commands.h"
#include "err.h"

int cmd_dfu(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "flashkit: 'dfu' is not built yet\n");
	return FK_EINTERNAL;
}
