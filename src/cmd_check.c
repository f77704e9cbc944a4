/* Placeholder until the 'check' subcommand lands; replaced by its real implementation. */
#include <stdio.h>

#include "commands.h"
#include "err.h"

int cmd_check(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "flashkit: 'check' is not built yet\n");
	return FK_EINTERNAL;
}
