/* The option-value matcher every subcommand uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "args.h"

static const char *const opts[] = { "--output", "-o", "--address" };

static void separate_and_equals(void **state)
{
	(void)state;
	char *argv[] = { "x", "--address", "0x08000000", "--output=fw.dfu", "-o", "a.dfu" };
	struct fk_err e = { 0 };
	const char *val = NULL;
	int i = 1;
	assert_int_equal(arg_value(6, argv, &i, opts, 3, "dfu", &val, &e), 2);
	assert_int_equal(i, 2); /* the value was consumed */
	assert_string_equal(val, "0x08000000");
	i = 3;
	assert_int_equal(arg_value(6, argv, &i, opts, 3, "dfu", &val, &e), 0);
	assert_int_equal(i, 3);
	assert_string_equal(val, "fw.dfu");
	i = 4;
	assert_int_equal(arg_value(6, argv, &i, opts, 3, "dfu", &val, &e), 1);
	assert_string_equal(val, "a.dfu");
	assert_int_equal(e.code, 0);
}

static void not_an_option(void **state)
{
	(void)state;
	/* a prefix is not a match, and a short option takes no '=' form */
	char *argv[] = { "x", "--addressx", "-o=a.dfu", "fw.bin" };
	struct fk_err e = { 0 };
	const char *val = NULL;
	for (int k = 1; k < 4; k++) {
		int i = k;
		assert_int_equal(arg_value(4, argv, &i, opts, 3, "dfu", &val, &e), -1);
		assert_int_equal(i, k);
	}
	assert_null(val);
}

static void missing_value(void **state)
{
	(void)state;
	char *argv[] = { "x", "--address" };
	struct fk_err e = { 0 };
	const char *val = NULL;
	int i = 1;
	assert_int_equal(arg_value(2, argv, &i, opts, 3, "check", &val, &e), -2);
	assert_int_equal(e.code, FK_EUSAGE);
	assert_string_equal(e.msg, "check: --address needs a value (see 'flashkit check --help')");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(separate_and_equals),
		cmocka_unit_test(not_an_option),
		cmocka_unit_test(missing_value),
	};
	return cmocka_run_group_tests_name("args", tests, NULL, NULL);
}
