/* The round-trip property shared by the format fuzz targets: whatever a
 * reader accepts must come back unchanged (same segments, bytes and start
 * address) through a writer and its reader, and errors are one line. */
#ifndef FUZZ_ROUNDTRIP_H
#define FUZZ_ROUNDTRIP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats.h"

static void same(const struct image *a, const struct image *b)
{
	/* "no start address" and 0 are the same to the writers */
	uint32_t ea = a->has_entry ? a->entry : 0, eb = b->has_entry ? b->entry : 0;
	if (a->nseg != b->nseg || ea != eb)
		abort();
	for (size_t i = 0; i < a->nseg; i++)
		if (a->seg[i].addr != b->seg[i].addr || a->seg[i].len != b->seg[i].len ||
		    memcmp(a->seg[i].data, b->seg[i].data, a->seg[i].len) != 0)
			abort();
}

/* Read data with in; if accepted, write with out and read back with out. */
static int roundtrip(const struct format *in, const struct format *out,
		     const uint8_t *data, size_t size)
{
	struct image img, back;
	struct fk_err e = { 0 };
	struct read_opts ro = { .name = "fuzz" };

	image_init(&img);
	image_init(&back);
	if (in->read(&img, data, size, &ro, &e) == 0 && img.nseg > 0) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		struct write_opts wo = { .out_name = "fuzz" };
		if (!f)
			abort();
		if (out->write(&img, f, &wo, &e) != 0)
			abort();
		fclose(f);
		struct fk_err e2 = { 0 };
		if (out->read(&back, (const uint8_t *)buf, len, &ro, &e2) != 0)
			abort();
		same(&img, &back);
		free(buf);
	}
	if (e.code && strchr(e.msg, '\n'))
		abort(); /* errors are one line */
	image_free(&img);
	image_free(&back);
	return 0;
}

#endif
