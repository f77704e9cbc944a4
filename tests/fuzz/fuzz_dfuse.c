/* libFuzzer target: the DfuSe reader, with and without the suffix CRC check
 * (the latter lets mutations reach the target and element parsing). Whatever
 * it accepts must write back and read again to the same image. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfu_suffix.h"
#include "formats.h"
#include "image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image img;
	struct fk_err e = { 0 };
	struct read_opts ro = { .name = "fuzz.dfu" };

	image_init(&img);
	if (fmt_dfuse.read(&img, data, size, &ro, &e) == 0 && e.code)
		abort();
	image_free(&img);

	image_init(&img);
	struct fk_err e2 = { 0 };
	if (dfuse_parse(&img, data, size, "fuzz.dfu", false, &e2) == 0 && img.nseg > 0) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		struct fk_err e3 = { 0 };
		if (!f || fmt_dfuse.write(&img, f, NULL, &e3) != 0)
			abort();
		fclose(f);
		struct image back;
		image_init(&back);
		struct fk_err e4 = { 0 };
		if (fmt_dfuse.read(&back, (uint8_t *)buf, len, &ro, &e4) != 0 || back.nseg != img.nseg)
			abort();
		for (size_t i = 0; i < img.nseg; i++)
			if (back.seg[i].addr != img.seg[i].addr || back.seg[i].len != img.seg[i].len ||
			    back.seg[i].alt != img.seg[i].alt ||
			    memcmp(back.seg[i].data, img.seg[i].data, img.seg[i].len) != 0)
				abort();
		image_free(&back);
		free(buf);
	} else if (e2.code == 0 && img.nseg > 0) {
		abort();
	}
	image_free(&img);
	return 0;
}
