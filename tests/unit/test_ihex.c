/* Intel HEX reader and writer: records, addressing, start addresses, every
 * error, and the writer's objcopy layout (golden output from GNU objcopy
 * 2.40: objcopy -I binary -O ihex --change-addresses A). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "formats.h"
#include "stream.h"

static const uint8_t T20[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };

static int rd(struct image *img, const char *text, struct fk_err *e)
{
	struct read_opts o = { .name = "t.hex" };
	image_init(img);
	memset(e, 0, sizeof *e);
	return fmt_ihex.read(img, (const uint8_t *)text, strlen(text), &o, e);
}

/* Read text and expect an error mentioning want. */
static void bad(const char *text, const char *want)
{
	struct image img;
	struct fk_err e;
	int rc = rd(&img, text, &e);
	if (rc != FK_EDATA || !strstr(e.msg, want))
		fail_msg("rc %d, message '%s', expected '%s'", rc, e.msg, want);
	assert_null(strchr(e.msg, '\n'));
	image_free(&img);
}

static char *wr(const struct image *img, unsigned reclen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct write_opts o = { .record_len = reclen };
	struct fk_err e = { 0 };
	assert_int_equal(fmt_ihex.write(img, f, &o, &e), 0);
	fclose(f);
	return buf;
}

static void read_basic(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e;
	assert_int_equal(rd(&img, ":020000040800F2\n:08FFF8000102030405060708DD\n"
			      ":020000040801F1\r\n:0c000000090a0b0c0d0e0f101112131446\n"
			      ":040000050800FFF8F8\n:00000001FF\n", &e), 0);
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].addr, 0x0800FFF8);
	assert_int_equal(img.seg[0].len, 20);
	assert_memory_equal(img.seg[0].data, T20, 20);
	assert_true(img.has_entry);
	assert_int_equal(img.entry, 0x0800FFF8);
	image_free(&img);
}

static void read_any_order_and_segments(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e;
	/* 02 addressing, second half first, start as CS:IP (03), no final newline. */
	assert_int_equal(rd(&img, ":020000022000DC\n:0C000000090A0B0C0D0E0F101112131446\n"
			      ":020000021000EC\n:08FFF8000102030405060708DD\n"
			      ":040000031000FFF8F2\n:00000001FF", &e), 0);
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].addr, 0x1FFF8);
	assert_memory_equal(img.seg[0].data, T20, 20);
	assert_int_equal(img.entry, 0x1FFF8);
	image_free(&img);
}

static void read_blank_lines_and_ctrl_z(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e;
	assert_int_equal(rd(&img, "\n:0401100011121314A1  \r\n\n:00000001FF\r\n\x1a", &e), 0);
	assert_int_equal(img.seg[0].addr, 0x110);
	assert_false(img.has_entry);
	image_free(&img);
}

static void errors(void **state)
{
	(void)state;
	bad(":0401100011121314A2\n:00000001FF\n", "t.hex:1: bad checksum 0xA2, the record needs 0xA1");
	bad(":00000001FF\n:0401100011121314A1\n", "t.hex:2: data after the end-of-file record");
	bad(":0401100011121314A1\n", "t.hex:1: no end-of-file record");
	bad("\n:04011000111213\n:00000001FF\n", "t.hex:2: truncated record");
	bad(":0401\n", "t.hex:1: truncated record");
	bad(":0401100011121314A1FF\n:00000001FF\n", "t.hex:1: record length mismatch");
	bad(":04011000111G1314A1\n:00000001FF\n", "t.hex:1: bad hex digit 'G' in column 13");
	bad(":0G01100011121314A1\n", "bad hex digit 'G' in column 3");
	bad("0401100011121314A1\n", "t.hex:1: line does not start with ':'");
	bad(":0401100011121314A1\n:0401100011121314A1\n:00000001FF\n",
	    "t.hex:2: data at 0x00000110 overlaps data already at 0x00000110-0x00000113");
	bad(":02000004FFFFFC\n:10FFF8000102030405060708090A0B0C0D0E0F1071\n:00000001FF\n",
	    "t.hex:2: address overflow");
	bad(":0100000601F8\n:00000001FF\n", "t.hex:1: unknown record type 06");
	bad(":0100000401FA\n:00000001FF\n", "address record (type 04) has 1 data bytes");
	bad(":03000005010203F2\n:00000001FF\n", "start address record (type 05) has 3 data bytes");
	bad(":0100000100FE\n", "end-of-file record carries 1 data bytes");
}

static void write_like_objcopy(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e = { 0 };
	image_init(&img);
	assert_int_equal(image_add(&img, 0x0800FFF8, T20, 20, 0, "t", &e), 0);
	img.has_entry = true;
	img.entry = 0x0800FFF8;
	char *s = wr(&img, 0);
	assert_string_equal(s, ":020000040800F2\r\n:08FFF8000102030405060708DD\r\n:020000040801F1\r\n"
			       ":0C000000090A0B0C0D0E0F101112131446\r\n:040000050800FFF8F8\r\n:00000001FF\r\n");
	free(s);
	image_free(&img);

	/* Below 1 MiB: 02 records and a 03 start record. */
	image_init(&img);
	assert_int_equal(image_add(&img, 0x1FFF8, T20, 20, 0, "t", &e), 0);
	img.has_entry = true;
	img.entry = 0x1FFF8;
	s = wr(&img, 0);
	assert_string_equal(s, ":020000021000EC\r\n:08FFF8000102030405060708DD\r\n:020000022000DC\r\n"
			       ":0C000000090A0B0C0D0E0F101112131446\r\n:040000031000FFF8F2\r\n:00000001FF\r\n");
	free(s);
	image_free(&img);

	/* At 0x100: no address record; entry 0 means no start record. */
	image_init(&img);
	assert_int_equal(image_add(&img, 0x100, T20, 20, 0, "t", &e), 0);
	s = wr(&img, 0);
	assert_string_equal(s, ":100100000102030405060708090A0B0C0D0E0F1067\r\n:0401100011121314A1\r\n"
			       ":00000001FF\r\n");
	free(s);
	image_free(&img);
}

static void write_record_len_and_breaks(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e = { 0 };
	uint8_t d[40];
	for (int i = 0; i < 40; i++)
		d[i] = (uint8_t)i;
	image_init(&img);
	assert_int_equal(image_add(&img, 0x08000000, d, 40, 0, "t", &e), 0);
	char *s = wr(&img, 32);
	assert_non_null(strstr(s, ":20000000000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"));
	assert_non_null(strstr(s, "\r\n:08002000"));
	free(s);
	/* A break at 0x08000004 (an ELF section start) ends the first record there. */
	assert_int_equal(image_add_break(&img, 0x08000004), 0);
	s = wr(&img, 0);
	assert_non_null(strstr(s, "\r\n:0400000000010203"));
	assert_non_null(strstr(s, "\r\n:10000400"));
	assert_non_null(strstr(s, "\r\n:10001400"));
	assert_non_null(strstr(s, "\r\n:04002400"));
	free(s);
	image_free(&img);
}

static void write_then_read_round_trip(void **state)
{
	(void)state;
	struct image img, back;
	struct fk_err e = { 0 };
	static uint8_t big[200000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)(i * 7 + (i >> 9));
	image_init(&img);
	assert_int_equal(image_add(&img, 0x08000003, big, sizeof big, 0, "t", &e), 0);
	assert_int_equal(image_add(&img, 0x20000000, big, 100, 0, "t", &e), 0);
	assert_int_equal(image_add(&img, 0x00001000, big, 33, 0, "t", &e), 0);
	img.has_entry = true;
	img.entry = 0x080001C1;
	char *s = wr(&img, 0);
	assert_int_equal(rd(&back, s, &e), 0);
	assert_int_equal(back.nseg, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(back.seg[i].addr, img.seg[i].addr);
		assert_int_equal(back.seg[i].len, img.seg[i].len);
		assert_memory_equal(back.seg[i].data, img.seg[i].data, img.seg[i].len);
	}
	assert_int_equal(back.entry, 0x080001C1);
	free(s);
	image_free(&img);
	image_free(&back);
}

static void writer_rejects_overlapping_targets(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e = { 0 };
	image_init(&img);
	assert_int_equal(image_add(&img, 0x08000000, T20, 20, 0, "t", &e), 0);
	assert_int_equal(image_add(&img, 0x08000000, T20, 20, 1, "t", &e), 0);
	FILE *f = fopen("/dev/null", "w");
	struct write_opts o = { 0 };
	assert_int_equal(fmt_ihex.write(&img, f, &o, &e), FK_EDATA);
	assert_non_null(strstr(e.msg, "several DfuSe targets"));
	fclose(f);
	image_free(&img);
}

static void probe(void **state)
{
	(void)state;
	assert_true(fmt_ihex.probe((const uint8_t *)":00000001FF\n", 12));
	assert_false(fmt_ihex.probe((const uint8_t *)"S00000001FF\n", 12));
	assert_false(fmt_ihex.probe((const uint8_t *)":0000", 5));
	/* blank lines first: still hex (hex on stdin, 'echo; cat fw.hex') */
	assert_true(fmt_ihex.probe((const uint8_t *)"\n\r\n:00000001FF\n", 15));
	assert_false(fmt_ihex.probe((const uint8_t *)" :00000001FF\n", 13));
}

static void keep_warning(void *ctx, const char *msg)
{
	snprintf(ctx, 512, "%s", msg);
}

/* Two start records: the first is kept and the reader warns, as srec_cat
 * does ("redundant execution start address record"). */
static void two_start_records(void **state)
{
	(void)state;
	static const char text[] = ":0400000508000101ED\n"
				   ":0400000508000201EC\n"
				   ":0400000300001234B3\n"
				   ":00000001FF\n";
	char warned[512] = "";
	struct read_opts o = { .name = "t.hex", .warn = keep_warning, .warn_ctx = warned };
	struct image img;
	struct fk_err e = { 0 };
	image_init(&img);
	assert_int_equal(fmt_ihex.read(&img, (const uint8_t *)text, strlen(text), &o, &e), 0);
	assert_true(img.has_entry);
	assert_int_equal(img.entry, 0x08000101);
	assert_string_equal(warned, "t.hex:2: a second start address record (0x08000201); the first, 0x08000101 on line 1, is kept (as srec_cat does)");
	image_free(&img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(read_basic),
		cmocka_unit_test(read_any_order_and_segments),
		cmocka_unit_test(read_blank_lines_and_ctrl_z),
		cmocka_unit_test(errors),
		cmocka_unit_test(write_like_objcopy),
		cmocka_unit_test(write_record_len_and_breaks),
		cmocka_unit_test(write_then_read_round_trip),
		cmocka_unit_test(writer_rejects_overlapping_targets),
		cmocka_unit_test(probe),
		cmocka_unit_test(two_start_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
