/* vectors.c: the plausible vector table, the guessed link base, and what a
 * file that is not firmware is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "image.h"
#include "vectors.h"

static void plausible(void **state)
{
	(void)state;
	assert_true(vt_plausible(0x20020000, 0x08000189));
	assert_true(vt_plausible(0x10010000, 0x00000101));   /* CCM stack, code at 0 */
	assert_false(vt_plausible(0x20020002, 0x08000189));  /* SP not word-aligned */
	assert_false(vt_plausible(0x08001000, 0x08000189));  /* SP in flash */
	assert_false(vt_plausible(0xFFFFFFFF, 0xFFFFFFFF));  /* erased */
	assert_false(vt_plausible(0x20020000, 0x08000188));  /* even reset vector */
	assert_false(vt_plausible(0x20020000, 0x60000001));  /* reset in external memory */
}

static void guess_base(void **state)
{
	(void)state;
	uint32_t b;
	/* linked for 0x08000000, 4 KiB: a reset handler near the start */
	assert_true(vt_guess_base(0x08000042, 0x1000, &b));
	assert_int_equal(b, 0x08000000);
	/* linked for 0x08004000 */
	assert_true(vt_guess_base(0x08004188, 0x1000, &b));
	assert_int_equal(b, 0x08004000);
	/* a handler far into a big image still finds the round base */
	assert_true(vt_guess_base(0x08013000, 0x20000, &b));
	assert_int_equal(b, 0x08000000);
	assert_false(vt_guess_base(4, 0x1000, &b));
	assert_false(vt_guess_base(0x08000100, 8, &b));
}

static void file_kind(void **state)
{
	(void)state;
	uint8_t buf[300] = { 0 };
	memcpy(buf, "\x89PNG\r\n\x1a\n", 8);
	assert_string_equal(vt_file_kind(buf, sizeof buf), "a PNG image");
	memcpy(buf, "PK\x03\x04", 4);
	assert_string_equal(vt_file_kind(buf, sizeof buf), "a ZIP archive");
	memset(buf, 0, sizeof buf);
	memcpy(buf + 257, "ustar", 5);
	assert_string_equal(vt_file_kind(buf, sizeof buf), "a tar archive");
	const char *t = "hello, this is a README file and not firmware at all\n";
	assert_string_equal(vt_file_kind((const uint8_t *)t, strlen(t)), "text");
	/* a real vector table is none of these */
	const uint8_t vt[16] = { 0x00, 0x00, 0x02, 0x20, 0x89, 0x01, 0x00, 0x08 };
	assert_null(vt_file_kind(vt, sizeof vt));
}

static void warnings(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e = { 0 };
	char w[600];
	static const uint8_t vt[4096] = { 0x00, 0x00, 0x02, 0x20, 0x43, 0x00, 0x00, 0x08 };
	image_init(&img);
	assert_int_equal(image_add(&img, 0, vt, sizeof vt, 0, "t", &e), 0);
	assert_false(vt_warning(&img, "fw.bin", false, w, sizeof w));
	assert_true(vt_warning(&img, "fw.bin", true, w, sizeof w));
	assert_non_null(strstr(w, "fw.bin: a raw binary is placed at 0x00000000 without --address; its vector table points to 0x08000043, so it is most likely linked for 0x08000000: add --address 0x08000000"));
	image_free(&img);
	const uint8_t junk[64] = { 0xde, 0xad, 0xbe, 0xef, 0x01 };
	image_init(&img);
	assert_int_equal(image_add(&img, 0x08000000, junk, sizeof junk, 0, "t", &e), 0);
	assert_true(vt_warning(&img, "x.bin", false, w, sizeof w));
	assert_non_null(strstr(w, "no Cortex-M vector table at 0x08000000"));
	image_free(&img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plausible),
		cmocka_unit_test(guess_base),
		cmocka_unit_test(file_kind),
		cmocka_unit_test(warnings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
