/* Placeholder until the 'suffix' subcommand lands; replaced by its real implementation. */
#include <stdio.h>

#include "commands.h"
#include "err.h"

int cmd_suffix(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "flashkit: 'suffix' is not built yet\n");
	return FK_EINTERNAL;
}
