/* The bench file: columns, comments, VAR=value words, and an error with
 * the line number for every kind of bad line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bench_file.h"

static struct bench bn;

static void good(void **state)
{
	(void)state;
	const char t[] = "# a bench\n"
			 "\n"
			 "left  nucleo-f401 cpy2remed SERIAL=0671FF48   # the first\n"
			 "\tuart nucleo-f401\tstm32flash PORT=/dev/ttyUSB0 FLASHFILE=u.bin STM32FLASH_RESET=1\r\n"
			 "d stm32f4discovery dfu USB_PATH=1-2.3";
	struct fk_err e = { 0 };
	assert_int_equal(bench_parse(&bn, t, strlen(t), "b.txt", &e), 0);
	assert_int_equal(bn.n, 3);
	assert_string_equal(bn.b[0].name, "left");
	assert_string_equal(bn.b[0].selector, "SERIAL=0671FF48");
	assert_int_equal(bn.b[0].line, 3);
	assert_string_equal(bn.b[1].flashfile, "u.bin");
	assert_int_equal(bn.b[1].nvars, 1);
	assert_string_equal(bn.b[1].vars[0], "STM32FLASH_RESET=1");
	assert_string_equal(bn.b[2].selector, "USB_PATH=1-2.3");
	assert_int_equal(bn.b[2].line, 5);
}

static void bad(void **state)
{
	(void)state;
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "a b c\n", "b.txt:1: want 'NAME BOARD PROGRAMMER" },
		{ "\n\na b c LABEL=x\n", "b.txt:3: the 4th word selects the board" },
		{ "a b c SERIAL=\n", "b.txt:1: the 4th word" },
		{ "a b c SERIAL=1 x\n", "b.txt:1: 'x' is not VAR=value" },
		{ "a b c SERIAL=1 BOARD=y\n", "b.txt:1: 'BOARD=y' given twice" },
		{ "a b c SERIAL=1\na d e SERIAL=2\n", "b.txt:2: name 'a' already used on line 1" },
		{ "a b c SERIAL=1\nz d c SERIAL=1\n", "b.txt:2: SERIAL=1 is 'a' on line 1 too" },
		{ "a/b x c SERIAL=1\n", "b.txt:1: bad name 'a/b'" },
		{ "a x;rm c SERIAL=1\n", "b.txt:1: bad BOARD" },
		{ "# nothing\n", "b.txt: no boards" },
		{ "a b c SERIAL=1 FLASHFILE=\n", "b.txt:1: bad FLASHFILE" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fk_err e = { 0 };
		assert_int_equal(bench_parse(&bn, cases[i].text, strlen(cases[i].text), "b.txt", &e), 65);
		if (!strstr(e.msg, cases[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, e.msg, cases[i].msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good),
		cmocka_unit_test(bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
