/* Placeholder until the 'convert' subcommand lands; replaced by its real implementation. */
#include <stdio.h>

#include "commands.h"
#include "err.h"

int cmd_convert(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "flashkit: 'convert' is not built yet\n");
	return FK_EINTERNAL;
}
