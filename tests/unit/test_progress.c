/* The progress line: redrawn on a terminal, milestones only in a log, nothing when off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "progress.h"

static char buf[1024];

static FILE *sink(void)
{
	memset(buf, 0, sizeof buf);
	FILE *f = fmemopen(buf, sizeof buf, "w");
	assert_non_null(f);
	return f;
}

static void tty_redraws_one_line(void **state)
{
	(void)state;
	FILE *f = sink();
	struct progress p;
	progress_init(&p, f, PROGRESS_TTY);
	progress_show(&p, false, "writing %d%%", 10);
	progress_show(&p, true, "writing %d%%", 100);
	progress_end(&p);
	fclose(f);
	assert_string_equal(buf, "\rwriting 10%\033[K\rwriting 100%\033[K\n");
}

static void lines_print_milestones_only(void **state)
{
	(void)state;
	FILE *f = sink();
	struct progress p;
	progress_init(&p, f, PROGRESS_LINES);
	progress_show(&p, false, "27 s left");
	progress_show(&p, true, "20 s left");
	progress_end(&p);
	progress_clear(&p);
	fclose(f);
	assert_string_equal(buf, "20 s left\n");
}

static void off_prints_nothing(void **state)
{
	(void)state;
	FILE *f = sink();
	struct progress p;
	progress_init(&p, f, PROGRESS_OFF);
	progress_show(&p, true, "writing");
	progress_end(&p);
	fclose(f);
	assert_string_equal(buf, "");
}

static void tty_clear_wipes_the_line(void **state)
{
	(void)state;
	FILE *f = sink();
	struct progress p;
	progress_init(&p, f, PROGRESS_TTY);
	progress_clear(&p); /* nothing drawn: nothing to wipe */
	progress_show(&p, false, "x");
	progress_clear(&p);
	fclose(f);
	assert_string_equal(buf, "\rx\033[K\r\033[K");
}

static void environment_chooses(void **state)
{
	(void)state;
	setenv("FLASHKIT_PROGRESS", "off", 1);
	assert_int_equal(progress_mode_for(1), PROGRESS_OFF);
	assert_true(progress_silent());
	setenv("FLASHKIT_PROGRESS", "lines", 1);
	assert_int_equal(progress_mode_for(1), PROGRESS_LINES);
	assert_false(progress_silent());
	setenv("FLASHKIT_PROGRESS", "tty", 1);
	assert_int_equal(progress_mode_for(1), PROGRESS_TTY);
	unsetenv("FLASHKIT_PROGRESS");
	/* A pipe or file is not a terminal. */
	FILE *f = tmpfile();
	assert_int_equal(progress_mode_for(fileno(f)), PROGRESS_LINES);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tty_redraws_one_line),
		cmocka_unit_test(lines_print_milestones_only),
		cmocka_unit_test(off_prints_nothing),
		cmocka_unit_test(tty_clear_wipes_the_line),
		cmocka_unit_test(environment_chooses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
