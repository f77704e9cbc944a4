/* The image model: sorted, merged segments, overlap and 4 GiB errors,
 * record breaks, relocation, and the small queries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <cmocka.h>

#include "image.h"

static const uint8_t D[16] = { 0x00, 0x10, 0x00, 0x20, 0x01, 0x01, 0x00, 0x08, 8, 9, 10, 11, 12, 13, 14, 15 };

static void merges_in_any_order(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e = { 0 };
	image_init(&img);
	/* three pieces, middle last: one segment */
	assert_int_equal(image_add(&img, 0x100, D, 4, 0, "t", &e), 0);
	assert_int_equal(image_add(&img, 0x108, D + 8, 8, 0, "t", &e), 0);
	assert_int_equal(img.nseg, 2);
	assert_int_equal(image_add(&img, 0x104, D + 4, 4, 0, "t", &e), 0);
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].len, 16);
	assert_memory_equal(img.seg[0].data, D, 16);
	/* in front, adjacent: merged too */
	assert_int_equal(image_add(&img, 0xF0, D, 16, 0, "t", &e), 0);
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].addr, 0xF0);
	/* another alt setting never merges */
	assert_int_equal(image_add(&img, 0x110, D, 4, 1, "t", &e), 0);
	assert_int_equal(img.nseg, 2);
	assert_int_equal(image_total(&img), 36);
	assert_int_equal(image_lowest(&img), 0xF0);
	assert_int_equal(image_end(&img), 0x114);
	image_free(&img);
}

static void overlap_and_overflow(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e = { 0 };
	image_init(&img);
	assert_int_equal(image_add(&img, 0x100, D, 16, 0, "t", &e), 0);
	assert_int_equal(image_add(&img, 0x10F, D, 2, 0, "fw.hex:9", &e), FK_EDATA);
	assert_string_equal(e.msg, "fw.hex:9: data at 0x0000010f overlaps data already at 0x00000100-0x0000010f");
	memset(&e, 0, sizeof e);
	assert_int_equal(image_add(&img, 0xFF, D, 2, 0, "x", &e), FK_EDATA);
	assert_string_equal(e.msg, "x: data at 0x000000ff-0x00000100 overlaps data already at 0x00000100");
	memset(&e, 0, sizeof e);
	assert_int_equal(image_add(&img, 0xFFFFFFF8, D, 16, 0, "y", &e), FK_EDATA);
	assert_non_null(strstr(e.msg, "runs past the 4 GiB address space"));
	/* exactly up to 4 GiB is fine */
	assert_int_equal(image_add(&img, 0xFFFFFFF0, D, 16, 0, "y", &e), 0);
	assert_int_equal(image_end(&img), 0x100000000ull);
	image_free(&img);
}

static void breaks(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e = { 0 };
	image_init(&img);
	assert_int_equal(image_add(&img, 0x1000, D, 16, 0, "t", &e), 0);
	assert_int_equal(image_add_break(&img, 0x1008), 0);
	assert_int_equal(image_add_break(&img, 0x1004), 0);
	assert_int_equal(image_add_break(&img, 0x1008), 0); /* once only */
	assert_int_equal(img.nbreaks, 2);
	size_t hint = 0;
	assert_int_equal(image_next_break(&img, 0x1000, &hint), 0x1004);
	assert_int_equal(image_next_break(&img, 0x1004, &hint), 0x1008);
	assert_int_equal(image_next_break(&img, 0x1008, &hint), FK_ADDR_LIMIT);
	/* a stale cursor (address went down) still answers right */
	assert_int_equal(image_next_break(&img, 0x1000, &hint), 0x1004);
	/* relocation moves breaks with the data */
	assert_int_equal(image_relocate(&img, 0x08000000, &e), 0);
	hint = 0;
	assert_int_equal(img.seg[0].addr, 0x08001000);
	assert_int_equal(image_next_break(&img, 0x08001000, &hint), 0x08001004);
	image_free(&img);
	assert_null(img.breaks);
}

static void relocate_checks_range(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e = { 0 };
	image_init(&img);
	assert_int_equal(image_add(&img, 0x100, D, 16, 0, "t", &e), 0);
	img.has_entry = true;
	img.entry = 0x101;
	assert_int_equal(image_relocate(&img, -0x200, &e), FK_EDATA);
	memset(&e, 0, sizeof e);
	assert_int_equal(image_relocate(&img, 0x08000000, &e), 0);
	assert_int_equal(img.entry, 0x08000101);
	image_free(&img);
}

static void read32_and_crc(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e = { 0 };
	uint32_t v;
	image_init(&img);
	assert_int_equal(image_add(&img, 0x08000000, D, 16, 0, "t", &e), 0);
	assert_true(image_read32(&img, 0x08000000, &v));
	assert_int_equal(v, 0x20001000);
	assert_true(image_read32(&img, 0x08000004, &v));
	assert_int_equal(v, 0x08000101);
	assert_false(image_read32(&img, 0x0800000E, &v));
	assert_int_equal(image_crc32(&img), (uint32_t)crc32(0, D, 16));
	image_free(&img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(merges_in_any_order),
		cmocka_unit_test(overlap_and_overflow),
		cmocka_unit_test(breaks),
		cmocka_unit_test(relocate_checks_range),
		cmocka_unit_test(read32_and_crc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
