/* The virtual boards' flash must behave like flash, or the end-to-end
 * tests prove nothing: erase to 0xFF, program clears bits only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../tools/vboard/mcu/vflash.h"

static void layout_f401(void **state)
{
	(void)state;
	struct vflash f;
	char msg[128];
	assert_int_equal(vflash_parse_layout(&f, "4*16K,1*64K,3*128K", msg, sizeof msg), 0);
	assert_int_equal(f.nsect, 8);
	assert_int_equal(f.size, 512 * 1024);
	f.base = 0x08000000;
	assert_int_equal(vflash_sector_of(&f, 0x08000000), 0);
	assert_int_equal(vflash_sector_of(&f, 0x08004000), 1);
	assert_int_equal(vflash_sector_of(&f, 0x08010000), 4);
	assert_int_equal(vflash_sector_of(&f, 0x0807FFFF), 7);
	assert_int_equal(vflash_sector_of(&f, 0x08080000), -1);
	assert_int_equal(vflash_sector_size(&f, 4), 64 * 1024);
	assert_int_equal(vflash_parse_layout(&f, "4*16Q", msg, sizeof msg), -1);
	assert_non_null(strstr(msg, "bad flash layout"));
}

static void program_only_clears_bits(void **state)
{
	(void)state;
	char path[] = "/tmp/vflash-test-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	struct vflash f;
	char msg[128];
	assert_int_equal(vflash_open(&f, path, 0x08000000, "2*16K", msg, sizeof msg), 0);
	assert_int_equal(f.mem[0], 0xFF);
	uint8_t a[2] = { 0x0F, 0xF0 }, b[2] = { 0xF0, 0xFF }, out[2];
	assert_int_equal(vflash_program(&f, 0x08000000, a, 2, true), VF_OK);
	/* writing 1s over 0s without an erase: the chip reports it, bits stay 0 */
	assert_int_equal(vflash_program(&f, 0x08000000, b, 2, true), VF_NOT_ERASED);
	assert_int_equal(vflash_read(&f, 0x08000000, out, 2), VF_OK);
	assert_int_equal(out[0], 0x00);
	assert_int_equal(out[1], 0xF0);
	assert_int_equal(vflash_erase_sector(&f, 0), VF_OK);
	assert_int_equal(vflash_read(&f, 0x08000000, out, 2), VF_OK);
	assert_int_equal(out[0], 0xFF);
	assert_int_equal(vflash_program(&f, 0x08008000, a, 1, true), VF_RANGE);
	f.protect_end = 16 * 1024;
	assert_int_equal(vflash_erase_sector(&f, 0), VF_PROTECTED);
	assert_int_equal(vflash_erase_sector(&f, 1), VF_OK);
	assert_int_equal(vflash_program(&f, 0x08004000, a, 2, true), VF_OK);
	assert_int_equal(vflash_program(&f, 0x08000000, a, 2, true), VF_PROTECTED);
	/* write protection refuses everything, with or without a protected range */
	uint32_t keep = f.protect_end;
	f.protect_end = 0;
	f.write_protected = true;
	assert_int_equal(vflash_program(&f, 0x08004000, a, 2, true), VF_PROTECTED);
	assert_int_equal(vflash_erase_sector(&f, 1), VF_PROTECTED);
	assert_int_equal(vflash_mass_erase(&f), VF_PROTECTED);
	f.write_protected = false;
	f.protect_end = keep;
	f.read_protected = true;
	assert_int_equal(vflash_read(&f, 0x08000000, out, 2), VF_PROTECTED);
	vflash_close(&f);
	/* contents persist in the file for the tests to compare */
	struct vflash g;
	assert_int_equal(vflash_open(&g, path, 0x08000000, "2*16K", msg, sizeof msg), 0);
	assert_int_equal(g.mem[0], 0xFF);
	assert_int_equal(g.mem[16 * 1024 + 1], 0xF0);
	vflash_close(&g);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(layout_f401),
		cmocka_unit_test(program_only_clears_bits),
	};
	return cmocka_run_group_tests_name("vflash", tests, NULL, NULL);
}
