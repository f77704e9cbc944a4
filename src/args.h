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
/* Fill e with a usage error for option opt and value; returns FK_EUSAGE. */
int bad_value(struct fk_err *e, const char *cmd, const char *opt, const char *val,
	      const char *expect);

#endif
