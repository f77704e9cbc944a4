/* The STM32L4/G0/C0 and H7 flash controllers of the virtual STM32 (OpenOCD's
 * stm32l4x and stm32h7x drivers): double-word and flash-word programming,
 * their errors, page/sector/bank erase, RDP level 1 and its unlock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mcu.h"
#include "mcu_test.h"

#define DHCSR 0xE000EDF0u
#define DCRSR 0xE000EDF4u
#define DCRDR 0xE000EDF8u
#define DBGKEY 0xA05F0000u

/* L4 / G0 */
#define L4 0x40022000u
#define L4_KEYR (L4 + 0x08)
#define L4_OPTKEYR (L4 + 0x0C)
#define L4_SR (L4 + 0x10)
#define L4_CR (L4 + 0x14)
#define L4_OPTR (L4 + 0x20)
#define L4_PG 0x1u
#define L4_PER 0x2u
#define L4_MER1 0x4u
#define L4_BKER (1u << 11)
#define L4_MER2 (1u << 15)
#define L4_STRT (1u << 16)
#define L4_OPTSTRT (1u << 17)
#define L4_OBL_LAUNCH (1u << 27)
#define L4_PROGERR (1u << 3)
#define L4_PGAERR (1u << 5)
#define L4_SIZERR (1u << 6)
#define L4_PGSERR (1u << 7)

/* H7 bank 1 and 2 */
#define H7 0x52002000u
#define H7_KEYR(b) (H7 + 0x100 * (b) + 0x04)
#define H7_CR(b) (H7 + 0x100 * (b) + 0x0C)
#define H7_SR(b) (H7 + 0x100 * (b) + 0x10)
#define H7_CCR(b) (H7 + 0x100 * (b) + 0x14)
#define H7_OPTKEYR (H7 + 0x08)
#define H7_OPTCR (H7 + 0x18)
#define H7_OPTSR_CUR (H7 + 0x1C)
#define H7_OPTSR_PRG (H7 + 0x20)
#define H7_PG 0x2u
#define H7_SER 0x4u
#define H7_BER 0x8u
#define H7_FW 0x40u
#define H7_START 0x80u
#define H7_PGSERR (1u << 18)
#define H7_INCERR (1u << 21)

static uint32_t rd(struct mcu *m, uint32_t a)
{
	uint32_t v;
	assert_int_equal(mcu_read32(m, a, &v), MCU_OK);
	return v;
}

static uint32_t flash32(struct mcu_fixture *fx, uint32_t addr)
{
	uint32_t v;
	memcpy(&v, fx->flash.mem + (addr - fx->flash.base), 4);
	return v;
}

static void l4_unlock(struct mcu *m)
{
	mcu_write32(m, L4_KEYR, 0x45670123);
	mcu_write32(m, L4_KEYR, 0xCDEF89AB);
	assert_false(rd(m, L4_CR) & (1u << 31));
}

static void test_l4_double_word(void **state)
{
	(void)state;
	struct mcu_fixture fx;
	mcu_fixture_open(&fx, "stm32l4", 0x415, "512*2K", 0);
	struct mcu *m = fx.m;
	assert_int_equal(rd(m, L4_CR), 0xC0000000);
	l4_unlock(m);
	mcu_write32(m, L4_CR, L4_PG);
	/* the first word alone programs nothing */
	mcu_write32(m, 0x08000000, 0x11111111);
	assert_int_equal(flash32(&fx, 0x08000000), 0xFFFFFFFF);
	mcu_write32(m, 0x08000004, 0x22222222);
	assert_int_equal(rd(m, L4_SR), 0);
	assert_int_equal(flash32(&fx, 0x08000000), 0x11111111);
	assert_int_equal(flash32(&fx, 0x08000004), 0x22222222);
	/* the same double word again: PROGERR, unchanged */
	mcu_write32(m, 0x08000000, 0x01010101);
	mcu_write32(m, 0x08000004, 0x02020202);
	assert_true(rd(m, L4_SR) & L4_PROGERR);
	assert_int_equal(flash32(&fx, 0x08000000), 0x11111111);
	mcu_write32(m, L4_SR, 0xFFFF);
	/* all zeros over a programmed double word is allowed */
	mcu_write32(m, 0x08000000, 0);
	mcu_write32(m, 0x08000004, 0);
	assert_int_equal(rd(m, L4_SR), 0);
	assert_int_equal(flash32(&fx, 0x08000000), 0);
	/* a half-word store: SIZERR; a first word not 8-aligned: PGAERR */
	uint8_t h[2] = { 0, 0 };
	mcu_mem_write(m, 0x08000010, h, 2, 2);
	assert_true(rd(m, L4_SR) & L4_SIZERR);
	mcu_write32(m, L4_SR, 0xFFFF);
	mcu_write32(m, 0x08000014, 0);
	assert_true(rd(m, L4_SR) & L4_PGAERR);
	mcu_write32(m, L4_SR, 0xFFFF);
	/* page 0 erase; page 256 is the first of bank 2 (BKER, PNB 0) */
	mcu_write32(m, L4_CR, L4_PG);
	mcu_write32(m, 0x08080000, 0x33333333);
	mcu_write32(m, 0x08080004, 0x44444444);
	assert_int_equal(flash32(&fx, 0x08080000), 0x33333333);
	mcu_write32(m, L4_CR, 0);
	mcu_write32(m, L4_CR, L4_PER | (0u << 3));
	mcu_write32(m, L4_CR, L4_PER | (0u << 3) | L4_STRT);
	assert_int_equal(rd(m, L4_SR), 0);
	assert_int_equal(flash32(&fx, 0x08000000), 0xFFFFFFFF);
	assert_int_equal(flash32(&fx, 0x08080000), 0x33333333);
	mcu_write32(m, L4_CR, L4_PER | L4_BKER | (0u << 3) | L4_STRT);
	assert_int_equal(flash32(&fx, 0x08080000), 0xFFFFFFFF);
	/* no flash write without PG: PGSERR */
	mcu_write32(m, L4_CR, 0);
	mcu_write32(m, 0x08000000, 0);
	assert_true(rd(m, L4_SR) & L4_PGSERR);
	struct mcu_status st;
	mcu_status(m, &st);
	assert_int_equal(st.flash_programmed, 24);
	mcu_fixture_close(&fx);
}

static void test_g0_core_program(void **state)
{
	(void)state;
	struct mcu_fixture fx;
	mcu_fixture_open(&fx, "stm32g0", 0x460, "64*2K", 0);
	struct mcu *m = fx.m;
	l4_unlock(m);
	/* Thumb (v6-M, as on the Cortex-M0+):
	 *   movs r6, #1         ; PG
	 *   str  r6, [r4, #0x14]; FLASH_CR
	 *   str  r0, [r2, #0]   ; first word of the double word
	 *   str  r1, [r2, #4]   ; second word: programs both
	 *   ldr  r5, [r4, #0x10]; FLASH_SR
	 *   bkpt #0 */
	static const uint16_t prog[] = { 0x2601, 0x6166, 0x6010, 0x6051, 0x6925, 0xbe00 };
	mcu_write32(m, DHCSR, DBGKEY | 3);
	mcu_mem_write(m, 0x20000000, (const uint8_t *)prog, sizeof prog, 2);
	const uint32_t regs[][2] = { { 15, 0x20000000 }, { 0, 0xCAFEF00D }, { 1, 0x12345678 },
				     { 2, 0x08000800 }, { 4, L4 } };
	for (unsigned i = 0; i < sizeof regs / sizeof regs[0]; i++) {
		mcu_write32(m, DCRDR, regs[i][1]);
		mcu_write32(m, DCRSR, regs[i][0] | 1u << 16);
	}
	mcu_write32(m, DHCSR, DBGKEY | 1);
	mcu_run(m, 1000);
	assert_true(mcu_halted(m));
	assert_int_equal(flash32(&fx, 0x08000800), 0xCAFEF00D);
	assert_int_equal(flash32(&fx, 0x08000804), 0x12345678);
	mcu_write32(m, DCRSR, 5);
	assert_int_equal(rd(m, DCRDR), 0);
	struct mcu_status st;
	mcu_status(m, &st);
	assert_int_equal(st.flash_programmed, 8);
	assert_int_equal(st.algo_runs, 1);
	mcu_fixture_close(&fx);
}

static void test_l4_rdp_unlock(void **state)
{
	(void)state;
	struct mcu_fixture fx;
	mcu_fixture_open(&fx, "stm32l4", 0x415, "512*2K", 1);
	struct mcu *m = fx.m;
	memset(fx.flash.mem, 0x00, 2048);
	mcu_write32(m, DHCSR, DBGKEY | 3);
	uint32_t v;
	assert_int_equal(mcu_read32(m, 0x08000000, &v), MCU_RDP);
	assert_int_equal(rd(m, L4_OPTR) & 0xFF, 0x00);
	/* `stm32l4x unlock 0`: keys, OPTR RDP = 0xAA, OPTSTRT, OBL_LAUNCH */
	l4_unlock(m);
	mcu_write32(m, L4_OPTKEYR, 0x08192A3B);
	mcu_write32(m, L4_OPTKEYR, 0x4C5D6E7F);
	assert_false(rd(m, L4_CR) & (1u << 30));
	mcu_write32(m, L4_OPTR, (rd(m, L4_OPTR) & ~0xFFu) | 0xAA);
	mcu_write32(m, L4_CR, L4_OPTSTRT);
	mcu_write32(m, L4_CR, L4_OBL_LAUNCH);
	assert_int_equal(rd(m, L4_CR), 0xC0000000); /* the reset locked it again */
	assert_int_equal(rd(m, L4_OPTR) & 0xFF, 0xAA);
	assert_int_equal(mcu_read32(m, 0x08000000, &v), MCU_OK);
	assert_int_equal(v, 0xFFFFFFFF);
	mcu_fixture_close(&fx);
}

static void h7_unlock(struct mcu *m, unsigned b)
{
	mcu_write32(m, H7_KEYR(b), 0x45670123);
	mcu_write32(m, H7_KEYR(b), 0xCDEF89AB);
	assert_false(rd(m, H7_CR(b)) & 1);
}

static void test_h7_flash_word(void **state)
{
	(void)state;
	struct mcu_fixture fx;
	mcu_fixture_open(&fx, "stm32h7", 0x450, "16*128K", 0);
	struct mcu *m = fx.m;
	assert_int_equal(rd(m, H7_CR(0)), 0x31); /* LOCK, PSIZE x64 */
	h7_unlock(m, 0);
	mcu_write32(m, H7_CR(0), H7_PG);
	for (unsigned i = 0; i < 7; i++)
		mcu_write32(m, 0x08000000 + 4 * i, 0xA0A0A0A0 + i);
	/* seven words sit in the write buffer (WBNE), the flash is untouched */
	assert_int_equal(flash32(&fx, 0x08000000), 0xFFFFFFFF);
	assert_true(rd(m, H7_SR(0)) & 0x2);
	mcu_write32(m, 0x08000000 + 28, 0xA0A0A0A7);
	assert_int_equal(rd(m, H7_SR(0)), 0);
	assert_int_equal(flash32(&fx, 0x08000000), 0xA0A0A0A0);
	assert_int_equal(flash32(&fx, 0x0800001C), 0xA0A0A0A7);
	/* FW forces a partial word */
	mcu_write32(m, 0x08000020, 0x12345678);
	mcu_write32(m, H7_CR(0), H7_PG | H7_FW);
	assert_int_equal(flash32(&fx, 0x08000020), 0x12345678);
	assert_int_equal(flash32(&fx, 0x08000024), 0xFFFFFFFF);
	/* a word that is not erased: PGSERR, unchanged */
	for (unsigned i = 0; i < 8; i++)
		mcu_write32(m, 0x08000000 + 4 * i, 0);
	assert_true(rd(m, H7_SR(0)) & H7_PGSERR);
	assert_int_equal(flash32(&fx, 0x08000000), 0xA0A0A0A0);
	mcu_write32(m, H7_CCR(0), 0x0FEF0000);
	/* a store into another flash word with one pending: INCERR */
	mcu_write32(m, 0x08000040, 0);
	mcu_write32(m, 0x08000060, 0);
	assert_true(rd(m, H7_SR(0)) & H7_INCERR);
	mcu_write32(m, H7_CCR(0), 0x0FEF0000);
	/* sector 0 erase through bank 1; sector 8 is bank 2's first */
	mcu_write32(m, H7_CR(0), H7_SER | (0u << 8) | H7_START);
	assert_int_equal(flash32(&fx, 0x08000000), 0xFFFFFFFF);
	h7_unlock(m, 1);
	mcu_write32(m, H7_CR(1), H7_PG);
	for (unsigned i = 0; i < 8; i++)
		mcu_write32(m, 0x08100000 + 4 * i, i);
	assert_int_equal(flash32(&fx, 0x08100004), 1);
	mcu_write32(m, H7_CR(1), H7_BER | H7_START);
	assert_int_equal(flash32(&fx, 0x08100004), 0xFFFFFFFF);
	mcu_fixture_close(&fx);
}

static void test_h7_rdp_unlock(void **state)
{
	(void)state;
	struct mcu_fixture fx;
	mcu_fixture_open(&fx, "stm32h7", 0x450, "16*128K", 1);
	struct mcu *m = fx.m;
	memset(fx.flash.mem, 0x00, 4096);
	mcu_write32(m, DHCSR, DBGKEY | 3);
	uint32_t v;
	assert_int_equal(mcu_read32(m, 0x08000000, &v), MCU_RDP);
	assert_int_equal((rd(m, H7_OPTSR_CUR) >> 8) & 0xFF, 0x00);
	mcu_write32(m, H7_OPTKEYR, 0x08192A3B);
	mcu_write32(m, H7_OPTKEYR, 0x4C5D6E7F);
	mcu_write32(m, H7_OPTSR_PRG, (rd(m, H7_OPTSR_CUR) & ~0xFF00u) | 0xAA00);
	mcu_write32(m, H7_OPTCR, 2);
	assert_int_equal((rd(m, H7_OPTSR_CUR) >> 8) & 0xFF, 0xAA);
	assert_int_equal(mcu_read32(m, 0x08000000, &v), MCU_OK);
	assert_int_equal(v, 0xFFFFFFFF);
	mcu_fixture_close(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_l4_double_word),
		cmocka_unit_test(test_g0_core_program),
		cmocka_unit_test(test_l4_rdp_unlock),
		cmocka_unit_test(test_h7_flash_word),
		cmocka_unit_test(test_h7_rdp_unlock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
