/* S-record reader and writer: S0-S9, counts, start addresses, every error,
 * and the writer's layout (golden output from GNU objcopy 2.40:
 * objcopy -I binary -O srec --srec-forceS3 --change-addresses 0x08000000). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "formats.h"

static const uint8_t T20[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };

static int rd(struct image *img, const char *text, struct fk_err *e)
{
	struct read_opts o = { .name = "t.srec" };
	image_init(img);
	memset(e, 0, sizeof *e);
	return fmt_srec.read(img, (const uint8_t *)text, strlen(text), &o, e);
}

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

static char *wr(const struct image *img, unsigned reclen, const char *name)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct write_opts o = { .record_len = reclen, .out_name = name };
	struct fk_err e = { 0 };
	assert_int_equal(fmt_srec.write(img, f, &o, &e), 0);
	fclose(f);
	return buf;
}

static const char GOLDEN[] = "S0090000742E73726563A7\r\n"
			     "S315080000000102030405060708090A0B0C0D0E0F105A\r\n"
			     "S309080000101112131494\r\n"
			     "S70508000000F2\r\n";

static void read_s3_s7(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e;
	assert_int_equal(rd(&img, GOLDEN, &e), 0);
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].addr, 0x08000000);
	assert_int_equal(img.seg[0].len, 20);
	assert_memory_equal(img.seg[0].data, T20, 20);
	assert_true(img.has_entry);
	assert_int_equal(img.entry, 0x08000000);
	image_free(&img);
}

static void read_s1_s2_counts_lowercase(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e;
	/* S1 at 0x0010, S2 at 0x010000 (out of order), S5 count 2, S9 start 0x0010, LF. */
	assert_int_equal(rd(&img, "S00600004844521B\n"
			      "S2090100000102030405E6\n"
			      "s",
			      &e), FK_EDATA); /* 's' is not a record */
	image_free(&img);
	assert_int_equal(rd(&img, "S00600004844521B\n"
			      "S2090100000102030405E6\n"
			      "S1060010aabbccB8\n"
			      "S5030002FA\n"
			      "S9030010EC\n",
			      &e), 0);
	assert_int_equal(img.nseg, 2);
	assert_int_equal(img.seg[0].addr, 0x10);
	assert_int_equal(img.seg[0].len, 3);
	assert_int_equal(img.seg[0].data[2], 0xCC);
	assert_int_equal(img.seg[1].addr, 0x10000);
	assert_int_equal(img.seg[1].len, 5);
	assert_int_equal(img.entry, 0x10);
	image_free(&img);
	/* S8 with a 24-bit start; no termination at all is accepted (srec_cat). */
	assert_int_equal(rd(&img, "S2090100000102030405E6\nS804010000FA\n", &e), 0);
	assert_int_equal(img.entry, 0x10000);
	image_free(&img);
	assert_int_equal(rd(&img, "S2090100000102030405E6\n", &e), 0);
	assert_false(img.has_entry);
	image_free(&img);
}

static void errors(void **state)
{
	(void)state;
	bad("S309080000101112131495\n", "t.srec:1: bad checksum 0x95, the record needs 0x94");
	bad("S30908000010111213\n", "t.srec:1: truncated record");
	bad("S309080000101112131494FF\n", "t.srec:1: record length mismatch");
	bad("S3090800001011121G1494\n", "t.srec:1: bad hex digit 'G' in column 18");
	bad("\nS409080000101112131494\n", "t.srec:2: unknown record type 'S4'");
	bad("X309080000101112131494\n", "t.srec:1: line does not start with 'S'");
	bad("S70508000000F2\nS309080000101112131494\n", "t.srec:2: data after the termination record");
	bad("S309080000101112131494\nS309080000101112131494\n",
	    "t.srec:2: data at 0x08000010 overlaps data already at 0x08000010-0x08000013");
	bad("S309FFFFFFFE11121314B1\n", "t.srec:1: address overflow");
	bad("S309080000101112131494\nS5030002FA\n", "t.srec:2: record count mismatch");
	bad("S30208F5\n", "record too short for its type");
	bad("S3\n", "truncated record");
}

static void write_like_objcopy(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e = { 0 };
	image_init(&img);
	assert_int_equal(image_add(&img, 0x08000000, T20, 20, 0, "t", &e), 0);
	img.has_entry = true;
	img.entry = 0x08000000;
	char *s = wr(&img, 0, "t.srec");
	assert_string_equal(s, GOLDEN);
	free(s);
	/* No entry: S7 with 0; the header is cut at 40 characters. */
	img.has_entry = false;
	s = wr(&img, 32, "a-very-long-output-file-name-for-the-header.srec");
	assert_non_null(strstr(s, "S02B0000"));
	assert_non_null(strstr(s, "\r\nS3190800000001020304"));
	assert_non_null(strstr(s, "\r\nS70500000000FA\r\n"));
	free(s);
	image_free(&img);
}

static void round_trip(void **state)
{
	(void)state;
	struct image img, back;
	struct fk_err e = { 0 };
	static uint8_t big[70000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)(i * 13 + 5);
	image_init(&img);
	assert_int_equal(image_add(&img, 0x0800FFF1, big, sizeof big, 0, "t", &e), 0);
	assert_int_equal(image_add(&img, 0x20000000, big, 7, 0, "t", &e), 0);
	assert_int_equal(image_add_break(&img, 0x08010000), 0);
	img.has_entry = true;
	img.entry = 0x08000401;
	char *s = wr(&img, 0, NULL);
	assert_int_equal(rd(&back, s, &e), 0);
	assert_int_equal(back.nseg, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(back.seg[i].addr, img.seg[i].addr);
		assert_int_equal(back.seg[i].len, img.seg[i].len);
		assert_memory_equal(back.seg[i].data, img.seg[i].data, img.seg[i].len);
	}
	assert_int_equal(back.entry, 0x08000401);
	/* The break splits the record at 0x08010000. */
	assert_non_null(strstr(s, "\r\nS31508010000"));
	free(s);
	image_free(&img);
	image_free(&back);
}

static void record_len_limit(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e = { 0 };
	image_init(&img);
	assert_int_equal(image_add(&img, 0, T20, 20, 0, "t", &e), 0);
	FILE *f = fopen("/dev/null", "w");
	struct write_opts o = { .record_len = 251 };
	assert_int_equal(fmt_srec.write(&img, f, &o, &e), FK_EUSAGE);
	fclose(f);
	image_free(&img);
}

static void probe(void **state)
{
	(void)state;
	assert_true(fmt_srec.probe((const uint8_t *)GOLDEN, strlen(GOLDEN)));
	assert_false(fmt_srec.probe((const uint8_t *)":00000001FF\r\n", 13));
	assert_false(fmt_srec.probe((const uint8_t *)"Some text here", 14));
	assert_true(fmt_srec.probe((const uint8_t *)"\r\nS00600004844521B\r\n", 22));
}

/* No S7/S8/S9: read (objcopy and srec_cat read such files), no start
 * address; a record cut in the middle is still refused. */
static void no_end_record(void **state)
{
	(void)state;
	static const char ok[] = "S00600004844521B\r\nS107010001020304ED\r\n";
	static const char cut[] = "S00600004844521B\r\nS1070100010203\r\n";
	struct read_opts o = { .name = "t.s19" };
	struct image img;
	struct fk_err e = { 0 };
	image_init(&img);
	assert_int_equal(fmt_srec.read(&img, (const uint8_t *)ok, strlen(ok), &o, &e), 0);
	assert_false(img.has_entry);
	assert_int_equal(image_total(&img), 4);
	image_free(&img);
	image_init(&img);
	assert_int_equal(fmt_srec.read(&img, (const uint8_t *)cut, strlen(cut), &o, &e), FK_EDATA);
	assert_non_null(strstr(e.msg, "t.s19:2: truncated record"));
	image_free(&img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(read_s3_s7),
		cmocka_unit_test(read_s1_s2_counts_lowercase),
		cmocka_unit_test(errors),
		cmocka_unit_test(write_like_objcopy),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(record_len_limit),
		cmocka_unit_test(probe),
		cmocka_unit_test(no_end_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
