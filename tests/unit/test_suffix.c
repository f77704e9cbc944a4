/* The DFU suffix: CRC, parse, build, and byte-for-byte agreement with what
 * dfu-util 0.11's dfu-suffix writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dfu_suffix.h"

/* `printf 123456789 > v.bin; dfu-suffix -v 0483 -p df11 -d 2200 -a v.bin` */
static const uint8_t dfu_suffix_v[] = {
	0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x00, 0x22, 0x11, 0xdf,
	0x83, 0x04, 0x00, 0x01, 0x55, 0x46, 0x44, 0x10, 0x52, 0xca, 0xeb, 0xcb,
};
/* the same with `dfu-suffix -a` defaults (ids 0xffff) */
static const uint8_t dfu_suffix_w[] = {
	0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0x00, 0x01, 0x55, 0x46, 0x44, 0x10, 0x16, 0x4b, 0x65, 0x0f,
};

static void crc_check_value(void **state)
{
	(void)state;
	assert_int_equal(dfu_crc((const uint8_t *)"123456789", 9), 0x340BC6D9u);
	uint32_t z = dfu_crc_update(0, (const uint8_t *)"1234", 4);
	z = dfu_crc_update(z, (const uint8_t *)"56789", 5);
	assert_int_equal(~z, 0x340BC6D9u);
	assert_int_equal(dfu_crc(NULL, 0), 0xFFFFFFFFu);
}

static void build_matches_dfu_suffix(void **state)
{
	(void)state;
	uint8_t out[DFU_SUFFIX_LEN];
	struct dfu_suffix s = { .bcd_device = 0x2200, .id_product = 0xdf11, .id_vendor = 0x0483,
				.bcd_dfu = DFU_BCD_PLAIN };
	dfu_suffix_build((const uint8_t *)"123456789", 9, &s, out);
	assert_memory_equal(out, dfu_suffix_v + 9, DFU_SUFFIX_LEN);
	assert_int_equal(s.crc, 0xcbebca52u);

	struct dfu_suffix d = { 0xffff, 0xffff, 0xffff, DFU_BCD_PLAIN, 0 };
	dfu_suffix_build((const uint8_t *)"123456789", 9, &d, out);
	assert_memory_equal(out, dfu_suffix_w + 9, DFU_SUFFIX_LEN);
}

static void finish_equals_build(void **state)
{
	(void)state;
	uint8_t a[DFU_SUFFIX_LEN], b[DFU_SUFFIX_LEN];
	struct dfu_suffix s = { 1, 2, 3, DFU_BCD_DFUSE, 0 }, t = s;
	dfu_suffix_build((const uint8_t *)"abcdef", 6, &s, a);
	dfu_suffix_finish(dfu_crc_update(dfu_crc_update(0, (const uint8_t *)"abc", 3),
					 (const uint8_t *)"def", 3), &t, b);
	assert_memory_equal(a, b, sizeof a);
	assert_int_equal(s.crc, t.crc);
}

static void parse_dfu_suffix_output(void **state)
{
	(void)state;
	struct dfu_suffix s;
	assert_int_equal(dfu_suffix_parse(dfu_suffix_v, sizeof dfu_suffix_v, &s), SUFFIX_OK);
	assert_int_equal(s.id_vendor, 0x0483);
	assert_int_equal(s.id_product, 0xdf11);
	assert_int_equal(s.bcd_device, 0x2200);
	assert_int_equal(s.bcd_dfu, 0x0100);
	assert_int_equal(s.crc, 0xcbebca52u);
	/* exactly a suffix and nothing else is still a suffix */
	assert_int_equal(dfu_suffix_parse(dfu_suffix_w + 9, 16, &s), SUFFIX_BAD_CRC);
}

static void parse_none_and_short(void **state)
{
	(void)state;
	struct dfu_suffix s;
	assert_int_equal(dfu_suffix_parse((const uint8_t *)"123456789", 9, &s), SUFFIX_NONE);
	assert_int_equal(dfu_suffix_parse(dfu_suffix_v, 0, &s), SUFFIX_NONE);
	assert_int_equal(dfu_suffix_parse(dfu_suffix_v, 15, &s), SUFFIX_NONE);
	/* signature moved by one byte */
	assert_int_equal(dfu_suffix_parse(dfu_suffix_v, sizeof dfu_suffix_v - 1, &s), SUFFIX_NONE);
}

static void parse_bad_crc_and_len(void **state)
{
	(void)state;
	uint8_t b[sizeof dfu_suffix_v];
	struct dfu_suffix s;

	memcpy(b, dfu_suffix_v, sizeof b);
	b[0] ^= 1; /* data changed after the suffix was made */
	assert_int_equal(dfu_suffix_parse(b, sizeof b, &s), SUFFIX_BAD_CRC);
	assert_int_equal(s.crc, 0xcbebca52u);

	memcpy(b, dfu_suffix_v, sizeof b);
	b[sizeof b - 1] ^= 0x80; /* the CRC itself damaged */
	assert_int_equal(dfu_suffix_parse(b, sizeof b, &s), SUFFIX_BAD_CRC);

	memcpy(b, dfu_suffix_v, sizeof b);
	b[sizeof b - 5] = 12; /* bLength */
	assert_int_equal(dfu_suffix_parse(b, sizeof b, &s), SUFFIX_BAD_LEN);
}

static void parse_id(void **state)
{
	(void)state;
	uint16_t v;
	assert_true(dfu_parse_id("0483", &v));
	assert_int_equal(v, 0x0483);
	assert_true(dfu_parse_id("0xDF11", &v));
	assert_int_equal(v, 0xdf11);
	assert_true(dfu_parse_id("ffff", &v));
	assert_int_equal(v, 0xffff);
	assert_true(dfu_parse_id("1", &v));
	assert_int_equal(v, 1);
	assert_false(dfu_parse_id("", &v));
	assert_false(dfu_parse_id("0x", &v));
	assert_false(dfu_parse_id("12345", &v));
	assert_false(dfu_parse_id("04g3", &v));
	assert_false(dfu_parse_id("-1", &v));
}

static void spec_names(void **state)
{
	(void)state;
	assert_string_equal(dfu_spec_name(0x0100), "DFU 1.0");
	assert_string_equal(dfu_spec_name(0x011a), "DfuSe");
	assert_string_equal(dfu_spec_name(0x1234), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crc_check_value),
		cmocka_unit_test(build_matches_dfu_suffix),
		cmocka_unit_test(finish_equals_build),
		cmocka_unit_test(parse_dfu_suffix_output),
		cmocka_unit_test(parse_none_and_short),
		cmocka_unit_test(parse_bad_crc_and_len),
		cmocka_unit_test(parse_id),
		cmocka_unit_test(spec_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
