/* Command-line value parsing shared by the subcommands. */
#ifndef FK_ARGS_H
#define FK_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

/* "0x08000000", "134217728", "16K", "1M", "0x4000": a 32-bit number.
 * K and M multiply by 1024 and 1024*1024. */
bool parse_u32(const char *s, uint32_t *out);
/* "BASE:SIZE" (e.g. 0x08000000:512K); size > 0 and base+size <= 4 GiB. */
bool parse_range(const char *s, uint32_t *base, uint64_t *size);
/* Is argv[*i] one of opts[0..n), given as "--opt VALUE" or "--opt=VALUE"
 * (a short option such as "-o" takes no '=' form)? Returns its index and
 * sets *val, consuming the next argument when the value is separate; -1 when
 * it is none of them; -2 with e filled ("CMD: OPT needs a value") when the
 * value is missing. */
int arg_value(int argc, char **argv, int *i, const char *const *opts, int n,
	      const char *cmd, const char **val, struct fk_err *e);
/* Fill e with a usage error for option opt and value; returns FK_EUSAGE. */
int bad_value(struct fk_err *e, const char *cmd, const char *opt, const char *val,
	      const char *expect);

#endif
