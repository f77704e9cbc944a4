/* Placeholder until the elf format lands. */
#include "formats.h"

static int rd(struct image *img, const uint8_t *buf, size_t len, const struct read_opts *o,
	      struct fk_err *e)
{
	(void)img;
	(void)buf;
	(void)len;
	return fk_fail(e, FK_EINTERNAL, "%s: elf reader not built yet", o->name);
}

const struct format fmt_elf = { .name = "elf", .exts = ".elf", .read = rd };
