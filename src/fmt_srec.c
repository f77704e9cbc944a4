/* Placeholder until the srec format lands. */
#include "formats.h"

static int rd(struct image *img, const uint8_t *buf, size_t len, const struct read_opts *o,
	      struct fk_err *e)
{
	(void)img;
	(void)buf;
	(void)len;
	return fk_fail(e, FK_EINTERNAL, "%s: srec reader not built yet", o->name);
}

const struct format fmt_srec = { .name = "srec", .exts = ".srec", .read = rd };
