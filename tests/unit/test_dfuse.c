/* The DfuSe reader and writer (ST UM0391): round trips, the exact layout,
 * and every error path of the reader with its byte offset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dfu_suffix.h"
#include "formats.h"
#include "image.h"

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Write img with fmt_dfuse into a malloc'd buffer. */
static uint8_t *write_dfu(const struct image *img, const struct write_opts *wo, size_t *len,
			  int *rc, struct fk_err *e)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	assert_non_null(f);
	*rc = fmt_dfuse.write(img, f, wo, e);
	fclose(f);
	return (uint8_t *)buf;
}

static uint8_t *make(const struct image *img, size_t *len)
{
	struct fk_err e = { 0 };
	int rc;
	uint8_t *b = write_dfu(img, NULL, len, &rc, &e);
	assert_int_equal(rc, 0);
	return b;
}

/* Recompute the suffix CRC after a test has patched a field. */
static void fix_crc(uint8_t *b, size_t len)
{
	put32(b + len - 4, dfu_crc(b, len - 4));
}

static int parse(const uint8_t *b, size_t len, struct image *img, struct fk_err *e)
{
	struct read_opts ro = { .name = "t.dfu" };
	image_init(img);
	return fmt_dfuse.read(img, b, len, &ro, e);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

/* A bin at 0x08000000: prefix, one target, one element, suffix, exactly as
 * UM0391 lays them out and dfu-util reads them. */
static void layout_single_element(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e = { 0 };
	uint8_t data[1000];
	fill(data, sizeof data, 3);
	image_init(&img);
	assert_int_equal(image_add(&img, 0x08000000, data, sizeof data, 0, "t", &e), 0);
	size_t len;
	uint8_t *b = make(&img, &len);

	assert_int_equal(len, 11 + 274 + 8 + 1000 + 16);
	assert_memory_equal(b, "DfuSe\x01", 6);
	assert_int_equal(le32(b + 6), len - 16);       /* DFUImageSize: without the suffix */
	assert_int_equal(b[10], 1);                     /* bTargets */
	assert_memory_equal(b + 11, "Target", 6);
	assert_int_equal(b[17], 0);                     /* bAlternateSetting */
	assert_int_equal(le32(b + 18), 1);              /* bTargetNamed */
	assert_string_equal((const char *)b + 22, "Internal Flash");
	assert_int_equal(b[22 + 254], 0);               /* NUL padded */
	assert_int_equal(le32(b + 277), 8 + 1000);      /* dwTargetSize */
	assert_int_equal(le32(b + 281), 1);             /* dwNbElements */
	assert_int_equal(le32(b + 285), 0x08000000);    /* dwElementAddress */
	assert_int_equal(le32(b + 289), 1000);          /* dwElementSize */
	assert_memory_equal(b + 293, data, sizeof data);
	const uint8_t *s = b + len - 16;
	assert_int_equal(s[0] | s[1] << 8, 0xffff);     /* bcdDevice: any */
	assert_int_equal(s[2] | s[3] << 8, 0xdf11);
	assert_int_equal(s[4] | s[5] << 8, 0x0483);
	assert_int_equal(s[6] | s[7] << 8, 0x011a);
	assert_memory_equal(s + 8, "UFD\x10", 4);
	assert_int_equal(le32(s + 12), dfu_crc(b, len - 4));
	free(b);
	image_free(&img);
}

static void round_trip_targets(void **state)
{
	(void)state;
	struct image img, back;
	struct fk_err e = { 0 };
	uint8_t a[300], c[40], d[16];
	fill(a, sizeof a, 1);
	fill(c, sizeof c, 2);
	fill(d, sizeof d, 9);
	image_init(&img);
	assert_int_equal(image_add(&img, 0x08000000, a, sizeof a, 0, "t", &e), 0);
	assert_int_equal(image_add(&img, 0x08010000, c, sizeof c, 0, "t", &e), 0);
	assert_int_equal(image_add(&img, 0x1fffc000, d, sizeof d, 1, "t", &e), 0);
	assert_int_equal(image_add(&img, 0x08000000, d, sizeof d, 3, "t", &e), 0);
	image_set_target_name(&img, 1, "my option bytes");
	struct write_opts wo = { .vid = 0x1209, .pid = 0x0001, .bcd_device = 0x0200 };
	size_t len;
	int rc;
	uint8_t *b = write_dfu(&img, &wo, &len, &rc, &e);
	assert_int_equal(rc, 0);
	assert_int_equal(b[10], 3);

	assert_int_equal(parse(b, len, &back, &e), 0);
	assert_int_equal(back.nseg, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(back.seg[i].alt, img.seg[i].alt);
		assert_int_equal(back.seg[i].addr, img.seg[i].addr);
		assert_int_equal(back.seg[i].len, img.seg[i].len);
		assert_memory_equal(back.seg[i].data, img.seg[i].data, img.seg[i].len);
	}
	assert_string_equal(image_target_name(&back, 0), "Internal Flash");
	assert_string_equal(image_target_name(&back, 1), "my option bytes");
	assert_string_equal(image_target_name(&back, 3), "Device Feature");
	assert_true(back.has_suffix);
	assert_int_equal(back.suffix.id_vendor, 0x1209);
	assert_int_equal(back.suffix.id_product, 0x0001);
	assert_int_equal(back.suffix.bcd_device, 0x0200);
	assert_int_equal(back.suffix.bcd_dfu, 0x011a);

	/* dfu -> dfu with zeroed options keeps the input's ids */
	size_t len2;
	uint8_t *b2 = make(&back, &len2);
	assert_int_equal(len2, len);
	assert_memory_equal(b2, b, len);
	free(b2);
	free(b);
	image_free(&img);
	image_free(&back);
}

static void writer_names_and_defaults(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e = { 0 };
	image_init(&img);
	assert_int_equal(image_add(&img, 0x100, (const uint8_t *)"abcd", 4, 7, "t", &e), 0);
	struct write_opts wo = { .target_name = "from options" };
	size_t len;
	int rc;
	uint8_t *b = write_dfu(&img, &wo, &len, &rc, &e);
	assert_int_equal(rc, 0);
	assert_int_equal(b[17], 7);
	assert_string_equal((const char *)b + 22, "from options");
	free(b);

	b = make(&img, &len);
	assert_string_equal((const char *)b + 22, "ST...");
	free(b);

	/* a name longer than the field is cut to 254 characters + NUL */
	char longname[400];
	memset(longname, 'x', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	image_set_target_name(&img, 7, longname);
	b = make(&img, &len);
	assert_int_equal(strlen((const char *)b + 22), 254);
	free(b);
	image_free(&img);
}

static void writer_empty_image(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e = { 0 };
	image_init(&img);
	size_t len;
	int rc;
	uint8_t *b = write_dfu(&img, NULL, &len, &rc, &e);
	assert_int_equal(rc, FK_EDATA);
	assert_non_null(strstr(e.msg, "no data"));
	free(b);
}

static void probe_and_table(void **state)
{
	(void)state;
	assert_true(fmt_dfuse.probe((const uint8_t *)"DfuSe\x01", 6));
	assert_false(fmt_dfuse.probe((const uint8_t *)"DfuS", 4));
	assert_false(fmt_dfuse.probe((const uint8_t *)":10000000", 9));
	assert_ptr_equal(format_by_name("dfu"), &fmt_dfuse);
	assert_ptr_equal(format_by_path("x/fw.dfu"), &fmt_dfuse);
}

/* A good two-target file to damage in the error tests: alt 0 with two
 * elements (16 and 8 bytes) and alt 1 with one of 4 bytes. */
static uint8_t *good(size_t *len)
{
	struct image img;
	struct fk_err e = { 0 };
	uint8_t d[16];
	fill(d, sizeof d, 5);
	image_init(&img);
	assert_int_equal(image_add(&img, 0x08000000, d, 16, 0, "t", &e), 0);
	assert_int_equal(image_add(&img, 0x08001000, d, 8, 0, "t", &e), 0);
	assert_int_equal(image_add(&img, 0x1fffc000, d, 4, 1, "t", &e), 0);
	uint8_t *b = make(&img, len);
	image_free(&img);
	return b;
}

/* Offsets in good(): target 0 at 11, its elements at 285 and 309; target 1
 * at 325, its element at 599; suffix at 611; length 627. */
#define T0 11
#define E00 285
#define E01 309
#define T1 325
#define E10 599
#define SUF 611
#define LEN 627

static void expect_error(const uint8_t *b, size_t len, const char *needle)
{
	struct image img;
	struct fk_err e = { 0 };
	assert_int_equal(parse(b, len, &img, &e), FK_EDATA);
	if (!strstr(e.msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, needle);
	assert_null(strchr(e.msg, '\n'));
	assert_true(strncmp(e.msg, "t.dfu: ", 7) == 0);
	image_free(&img);
}

static void good_layout_is_as_documented(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = good(&len);
	assert_int_equal(len, LEN);
	assert_memory_equal(b + T1, "Target", 6);
	assert_int_equal(le32(b + E00), 0x08000000);
	assert_int_equal(le32(b + E01), 0x08001000);
	assert_int_equal(le32(b + E10), 0x1fffc000);
	assert_memory_equal(b + SUF + 8, "UFD", 3);
	struct image img;
	struct fk_err e = { 0 };
	assert_int_equal(parse(b, len, &img, &e), 0);
	assert_int_equal(img.nseg, 3);
	image_free(&img);
	free(b);
}

static void err_truncated_prefix(void **state)
{
	(void)state;
	expect_error((const uint8_t *)"DfuSe\x01", 6, "offset 0: truncated");
}

static void err_signature_version(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = good(&len);
	b[0] = 'd';
	expect_error(b, len, "offset 0: no \"DfuSe\" signature");
	b[0] = 'D';
	b[5] = 2;
	expect_error(b, len, "offset 5: DfuSe version 2");
	free(b);
}

static void err_suffix(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = good(&len);
	/* cut in the middle: the suffix is gone */
	expect_error(b, 400, "offset 384: no DFU suffix");
	expect_error(b, len - 1, "no DFU suffix");
	b[SUF + 11] = 20;
	expect_error(b, len, "bLength is 20");
	b[SUF + 11] = 16;
	b[300] ^= 0xff;
	expect_error(b, len, "offset 623: DFU suffix CRC");
	b[300] ^= 0xff;
	b[SUF + 6] = 0x00; /* bcdDFU 0x0100: a plain suffix */
	b[SUF + 7] = 0x01;
	fix_crc(b, len);
	expect_error(b, len, "offset 617: DFU suffix bcdDFU is 0x0100");
	free(b);
}

static void err_image_size(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = good(&len);
	put32(b + 6, LEN + 1);
	fix_crc(b, len);
	expect_error(b, len, "offset 6: DFUImageSize says 628 bytes but the file has 627 (611 without its DFU suffix)");
	free(b);
}

/* Both values in the field: without the suffix (MicroPython's dfu.py, fwupd,
 * dfuse-pack.py before dfu-util 0.10, what we write) and with it (UM0391's
 * "total DFU file length", dfuse-pack.py since 0.10). */
static void image_size_with_or_without_suffix(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = good(&len);
	assert_int_equal(le32(b + 6), len - 16);
	struct image img;
	struct fk_err e = { 0 };
	assert_int_equal(parse(b, len, &img, &e), 0);
	image_free(&img);
	put32(b + 6, (uint32_t)len);
	fix_crc(b, len);
	assert_int_equal(parse(b, len, &img, &e), 0);
	image_free(&img);
	put32(b + 6, (uint32_t)len - 17);
	fix_crc(b, len);
	expect_error(b, len, "DFUImageSize says 610 bytes");
	free(b);
}

static void err_no_targets(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = good(&len);
	b[10] = 0;
	fix_crc(b, len);
	expect_error(b, len, "offset 10: bTargets is 0");
	free(b);
}

static void err_target_prefix(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = good(&len);
	b[10] = 3; /* a third target that is not there */
	fix_crc(b, len);
	expect_error(b, len, "offset 611: truncated DfuSe file: a target prefix");
	b[10] = 2;
	b[T1] = 't';
	fix_crc(b, len);
	expect_error(b, len, "offset 325: target 1 has no \"Target\" signature");
	free(b);
}

static void err_target_size(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = good(&len);
	put32(b + T1 + 266, 0x10000); /* dwTargetSize past the end */
	fix_crc(b, len);
	expect_error(b, len, "offset 591: target 1 (alt 1) dwTargetSize 65536 runs past the end");
	free(b);

	b = good(&len);
	put32(b + T0 + 266, 16 + 8 + 8 + 8 + 4); /* bigger than its elements */
	put32(b + T1 + 266, 12 - 4);
	fix_crc(b, len);
	expect_error(b, len, "offset 277: target 0 (alt 0) dwTargetSize 44 does not match its 2 elements (40 bytes)");
	free(b);
}

static void err_elements(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = good(&len);
	put32(b + T0 + 270, 3); /* a third element that does not fit */
	fix_crc(b, len);
	expect_error(b, len, "offset 325: element 2 of target 0 (alt 0) lies outside dwTargetSize");
	free(b);

	b = good(&len);
	put32(b + E01 + 4, 9); /* one byte more than the target holds */
	fix_crc(b, len);
	expect_error(b, len, "offset 313: element 1 of target 0 (alt 0) at 0x08001000 says 9 bytes, only 8 left");
	free(b);

	b = good(&len);
	put32(b + E01, 0x08000008); /* overlaps element 0 */
	fix_crc(b, len);
	expect_error(b, len, "offset 309: element 1 (alt 0): data at 0x08000008 overlaps");
	free(b);

	b = good(&len);
	put32(b + E10, 0xfffffffe); /* 4 bytes past 4 GiB */
	fix_crc(b, len);
	expect_error(b, len, "past the 4 GiB");
	free(b);
}

static void err_trailing(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = good(&len);
	/* shrink target 1 by its element: 12 bytes left over before the suffix */
	put32(b + T1 + 266, 0);
	put32(b + T1 + 270, 0);
	fix_crc(b, len);
	expect_error(b, len, "offset 599: 12 unexpected bytes after the last of 2 targets");
	free(b);
}

static void parse_without_crc_check(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = good(&len);
	b[E00 + 8] ^= 1;
	struct image img;
	struct fk_err e = { 0 };
	image_init(&img);
	assert_int_equal(dfuse_parse(&img, b, len, "t.dfu", false, &e), 0);
	assert_int_equal(img.nseg, 3);
	image_free(&img);
	expect_error(b, len, "DFU suffix CRC");
	free(b);
}

static void zero_size_element(void **state)
{
	(void)state;
	/* A zero-length element is legal and contributes nothing. */
	size_t len;
	uint8_t *b = good(&len);
	put32(b + T1 + 266, 8);
	put32(b + E10 + 4, 0);
	/* drop the 4 data bytes: move the suffix down */
	memmove(b + E10 + 8, b + SUF, 16);
	len -= 4;
	put32(b + 6, (uint32_t)len);
	fix_crc(b, len);
	struct image img;
	struct fk_err e = { 0 };
	assert_int_equal(parse(b, len, &img, &e), 0);
	assert_int_equal(img.nseg, 2);
	image_free(&img);
	free(b);
}

static void load_through_image_load(void **state)
{
	(void)state;
	/* image_load detects the file by content and leaves the suffix to the
	 * DfuSe reader (it is not stripped as for a plain .bin). */
	size_t len;
	uint8_t *b = good(&len);
	char path[] = "/tmp/test_dfuse_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "wb");
	assert_int_equal(fwrite(b, 1, len, f), len);
	fclose(f);
	struct image img;
	struct fk_err e = { 0 };
	image_init(&img);
	assert_int_equal(image_load(&img, path, NULL, NULL, &e), 0);
	assert_int_equal(img.nseg, 3);
	assert_true(img.has_suffix);
	assert_int_equal(img.suffix.bcd_dfu, 0x011a);
	image_free(&img);
	remove(path);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(layout_single_element),
		cmocka_unit_test(round_trip_targets),
		cmocka_unit_test(writer_names_and_defaults),
		cmocka_unit_test(writer_empty_image),
		cmocka_unit_test(probe_and_table),
		cmocka_unit_test(good_layout_is_as_documented),
		cmocka_unit_test(err_truncated_prefix),
		cmocka_unit_test(err_signature_version),
		cmocka_unit_test(err_suffix),
		cmocka_unit_test(err_image_size),
		cmocka_unit_test(image_size_with_or_without_suffix),
		cmocka_unit_test(err_no_targets),
		cmocka_unit_test(err_target_prefix),
		cmocka_unit_test(err_target_size),
		cmocka_unit_test(err_elements),
		cmocka_unit_test(err_trailing),
		cmocka_unit_test(parse_without_crc_check),
		cmocka_unit_test(zero_size_element),
		cmocka_unit_test(load_through_image_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
