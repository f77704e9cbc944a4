/* The virtual drive's probe must program like one, or the end-to-end tests
 * prove nothing: .bin at the start of flash, Intel HEX decoded with its
 * checksums, erase before write, FAIL.TXT wording on bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../tools/vboard/drive/vdrive_probe.h"

static struct vflash f;
static char path[64];

static int setup(void **state)
{
	(void)state;
	snprintf(path, sizeof path, "/tmp/vdrive-probe-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	unlink(path);
	char msg[128];
	return vflash_open(&f, path, 0x08000000, "4*1K,1*4K", msg, sizeof msg);
}

static int teardown(void **state)
{
	(void)state;
	vflash_close(&f);
	unlink(path);
	return 0;
}

static void bin_programs_at_base(void **state)
{
	(void)state;
	memset(f.mem, 0x00, f.size); /* old contents everywhere */
	uint8_t img[1500];
	for (size_t i = 0; i < sizeof img; i++)
		img[i] = (uint8_t)(i ^ 0x5a);
	struct probe_result r;
	probe_program(&f, img, sizeof img, false, &r);
	assert_true(r.ok);
	assert_int_equal(r.bytes, sizeof img);
	assert_int_equal(r.low, 0x08000000);
	assert_int_equal(r.high, 0x08000000 + sizeof img);
	assert_memory_equal(f.mem, img, sizeof img);
	/* The rest of the touched sector was erased, untouched sectors kept. */
	assert_int_equal(f.mem[2047], 0xFF);
	assert_int_equal(f.mem[2048], 0x00);
}

static void bin_too_large(void **state)
{
	(void)state;
	uint8_t *big = calloc(f.size + 1, 1);
	struct probe_result r;
	memset(f.mem, 0x11, f.size);
	probe_program(&f, big, f.size + 1, false, &r);
	assert_false(r.ok);
	assert_string_equal(r.error, PROBE_MSG_TOO_LARGE);
	assert_int_equal(f.mem[0], 0x11); /* nothing erased */
	free(big);
}

#define HEX_OK                                                                                 \
	":020000040800F2\r\n"                                                                    \
	":04100000DEADBEEFB4\r\n"                                                                 \
	":0400000508000101ED\r\n"                                                                 \
	":00000001FF\r\n"

static void hex_decodes(void **state)
{
	(void)state;
	memset(f.mem, 0x00, f.size);
	struct probe_result r;
	probe_program(&f, (const uint8_t *)HEX_OK, strlen(HEX_OK), true, &r);
	assert_true(r.ok);
	assert_int_equal(r.bytes, 4);
	assert_int_equal(r.low, 0x08001000);
	const uint8_t want[4] = { 0xDE, 0xAD, 0xBE, 0xEF };
	assert_memory_equal(f.mem + 0x1000, want, 4);
	assert_int_equal(f.mem[0x1004], 0xFF);  /* sector 4 erased */
	assert_int_equal(f.mem[0], 0x00);       /* sector 0 untouched */
}

static void hex_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{ ":020000040800F2\n:04100000DEADBEEFB5\n:00000001FF\n", PROBE_MSG_HEX_CKSUM },
		{ ":020000040800F2\n:0410000GDEADBEEFB4\n:00000001FF\n", PROBE_MSG_HEX_PARSER },
		{ ":020000040800F2\n:04100000DEADBEEFB4\n", PROBE_MSG_HEX_PARSER }, /* no EOF */
		{ "hello\n", PROBE_MSG_HEX_PARSER },
		{ ":0400000000000000FC\n:00000001FF\n", PROBE_MSG_HEX_ADDRESS }, /* address 0 */
		{ ":020000040801F1\n:0100000000FF\n:00000001FF\n", PROBE_MSG_HEX_ADDRESS }, /* past 8 KiB */
		{ ":00000006FA\n:00000001FF\n", PROBE_MSG_HEX_PARSER }, /* unknown type */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct probe_result r;
		memset(f.mem, 0x22, f.size);
		probe_program(&f, (const uint8_t *)cases[i].text, strlen(cases[i].text), true, &r);
		assert_false(r.ok);
		assert_string_equal(r.error, cases[i].msg);
		assert_int_equal(f.mem[0x1000], 0x22); /* nothing written on a bad file */
		char text[256];
		probe_fail_text(&r, text, sizeof text);
		assert_true(strncmp(text, "error: ", 7) == 0);
		assert_non_null(strstr(text, "\r\ntype: user\r\n"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bin_programs_at_base),
		cmocka_unit_test(bin_too_large),
		cmocka_unit_test(hex_decodes),
		cmocka_unit_test(hex_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
