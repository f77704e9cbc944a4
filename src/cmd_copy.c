/* Placeholder until the 'copy' subcommand lands; replaced by its real implementation. */
#include <stdio.h>

#include "commands.h"
#include "err.h"

int cmd_copy(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "flashkit: 'copy' is not built yet\n");
	return FK_EINTERNAL;
}
