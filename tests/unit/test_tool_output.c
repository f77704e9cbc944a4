/* The quiet runner's reading of a tool's output: progress and the kept log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tool_output.h"

static void parse(const char *seg, const char *phase, double pct)
{
	char got[24] = "";
	double p = -2;
	assert_true(tool_progress_parse(seg, strlen(seg), got, sizeof got, &p));
	assert_string_equal(got, phase);
	assert_true(p == pct);
}

static void progress_of_each_tool(void **state)
{
	(void)state;
	parse("Erase   \t[=====                    ]  20%        20480 bytes", "erasing", 20);
	parse("Download\t[=========================] 100%       100000 bytes", "writing", 100);
	parse("Wrote and verified address 0x08000100 (2.34%) ", "writing", 2.34);
	parse("Wrote address 0x08002000 (45.20%) ", "writing", 45.2);
	parse("** Programming Started **", "writing", -1);
	parse("** Verify Started **", "verifying", -1);
	parse("Erasing memory", "erasing", -1);
	char ph[24];
	double p;
	assert_false(tool_progress_parse("Device ID 0483:df11", 19, ph, sizeof ph, &p));
	assert_false(tool_progress_parse("Open On-Chip Debugger 0.12.0", 28, ph, sizeof ph, &p));
}

static void log_keeps_what_a_terminal_shows(void **state)
{
	(void)state;
	struct tool_output t;
	tool_output_init(&t);
	const char *out = "dfu-util 0.11\r\n\nErase\t[   ] 0%\rErase\t[== ] 50%\rErase\t[===] 100%\n"
			  "Erase    done.\nDownload\t[=  ] 33%";
	/* Fed in small pieces: the split must not matter. */
	for (size_t i = 0; i < strlen(out); i += 3)
		assert_true(tool_output_feed(&t, out + i, strlen(out + i) < 3 ? strlen(out + i) : 3));
	assert_string_equal(t.phase, "writing");
	assert_true(t.pct == 33);
	assert_string_equal(tool_output_log(&t),
			    "dfu-util 0.11\n\nErase\t[===] 100%\nErase    done.\nDownload\t[=  ] 33%\n");
	tool_output_free(&t);
}

static void stream_switch_starts_a_line(void **state)
{
	(void)state;
	struct tool_output t;
	tool_output_init(&t);
	assert_true(tool_output_break(&t)); /* nothing open: nothing added */
	assert_true(tool_output_feed(&t, "\rDownload\t[=  ] 33%", 19));
	assert_true(tool_output_break(&t));
	assert_true(tool_output_feed(&t, "dfu-util: Error during download\n", 32));
	assert_true(tool_output_break(&t)); /* at a line start: nothing added */
	assert_string_equal(tool_output_log(&t), "Download\t[=  ] 33%\ndfu-util: Error during download\n");
	tool_output_free(&t);
}

static void log_bounded(void **state)
{
	(void)state;
	struct tool_output t;
	tool_output_init(&t);
	char line[100];
	memset(line, 'x', sizeof line - 1);
	line[sizeof line - 1] = '\n';
	for (int i = 0; i < 30000; i++)
		assert_true(tool_output_feed(&t, line, sizeof line));
	assert_true(t.len <= TOOL_LOG_MAX);
	assert_true(t.dropped > 0);
	assert_true(t.log[0] == 'x' && t.log[t.len - 1] == '\n');
	tool_output_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(progress_of_each_tool),
		cmocka_unit_test(log_keeps_what_a_terminal_shows),
		cmocka_unit_test(stream_switch_starts_a_line),
		cmocka_unit_test(log_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
