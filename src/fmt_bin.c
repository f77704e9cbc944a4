/* Raw binary: the bytes of the file at one address (--address, default 0).
 * The writer fills gaps with 0xFF (erased flash) but refuses a gap over
 * the limit, because that would make a file of mostly padding. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "formats.h"
#include "stream.h"

int bin_overflow_error(const char *name, uint32_t address, struct fk_err *e)
{
	return fk_fail(e, FK_EDATA,
		       "%s: offset 0x%llx: data placed at 0x%08x runs past the 4 GiB address space (check --address)",
		       name, (unsigned long long)(FK_ADDR_LIMIT - address), address);
}

int bin_gap_error(uint64_t end, uint32_t next, uint64_t limit, struct fk_err *e)
{
	char g[32], l[32];
	return fk_fail(e, FK_EDATA,
		       "bin: gap of %s between data ending at 0x%08llx and data at 0x%08x is over the gap limit of %s; a bin file would be mostly padding: write hex or dfu instead (--to hex), or raise --gap-limit",
		       fmt_size(next - end, g), (unsigned long long)end - 1, next, fmt_size(limit, l));
}

static int rd(struct image *img, const uint8_t *buf, size_t len, const struct read_opts *o,
	      struct fk_err *e)
{
	uint32_t a = o->has_address ? o->address : 0;
	if ((uint64_t)a + len > FK_ADDR_LIMIT)
		return bin_overflow_error(o->name, a, e);
	int rc = image_add(img, a, buf, len, 0, o->name, e);
	if (rc)
		return rc;
	/* A raw binary starts at its first byte: objcopy -I binary says the
	 * same, so hex written from a bin carries the same 05 record. */
	img->has_entry = true;
	img->entry = a;
	return 0;
}

static int wr(const struct image *img, FILE *out, const struct write_opts *o, struct fk_err *e)
{
	uint64_t limit = o && o->gap_limit ? o->gap_limit : BIN_DEFAULT_GAP_LIMIT;
	uint8_t fill = o && o->fill ? o->fill : 0xFF; /* 0 = default: erased flash */

	for (size_t i = 1; i < img->nseg; i++) {
		uint64_t end = (uint64_t)img->seg[i - 1].addr + img->seg[i - 1].len;
		if (img->seg[i].addr < end)
			return fk_fail(e, FK_EDATA,
				       "data for several DfuSe targets overlaps at 0x%08x: convert one target at a time",
				       img->seg[i].addr);
		if (img->seg[i].addr - end > limit)
			return bin_gap_error(end, img->seg[i].addr, limit, e);
	}
	uint8_t pad[4096];
	memset(pad, fill, sizeof pad);
	for (size_t i = 0; i < img->nseg; i++) {
		if (i > 0) {
			uint64_t gap = img->seg[i].addr - ((uint64_t)img->seg[i - 1].addr + img->seg[i - 1].len);
			while (gap > 0) {
				size_t k = gap > sizeof pad ? sizeof pad : (size_t)gap;
				if (fwrite(pad, 1, k, out) != k)
					goto ioerr;
				gap -= k;
			}
		}
		if (img->seg[i].len && fwrite(img->seg[i].data, 1, img->seg[i].len, out) != img->seg[i].len)
			goto ioerr;
	}
	if (fflush(out) != 0)
		goto ioerr;
	return 0;
ioerr:
	return fk_fail(e, FK_EIO, "write error: %s", strerror(errno));
}

/* No probe: anything that is not another format is a bin. */
const struct format fmt_bin = {
	.name = "bin",
	.exts = ".bin .raw",
	.read = rd,
	.write = wr,
};
