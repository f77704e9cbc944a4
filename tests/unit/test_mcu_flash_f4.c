/* The STM32F2/F4/F7 flash controller of the virtual STM32 (OpenOCD's
 * stm32f2x driver): unlock, sector and mass erase, programming through the
 * flash address space at PSIZE width from the debugger and from code running
 * on the core, the non-erased and lock errors, RDP level 1 and its unlock. */
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

#define FLASH 0x40023C00u
#define KEYR (FLASH + 0x04)
#define OPTKEYR (FLASH + 0x08)
#define SR (FLASH + 0x0C)
#define CR (FLASH + 0x10)
#define OPTCR (FLASH + 0x14)
#define DHCSR 0xE000EDF0u
#define DCRSR 0xE000EDF4u
#define DCRDR 0xE000EDF8u
#define DBGKEY 0xA05F0000u

#define PG 0x1u
#define SER 0x2u
#define MER 0x4u
#define PSIZE16 (1u << 8)
#define PSIZE32 (2u << 8)
#define STRT (1u << 16)
#define LOCK (1u << 31)
#define PGSERR 0x80u
#define PGPERR 0x40u
#define PGAERR 0x20u
#define WRPERR 0x10u

static const char *F401 = "4*16K,1*64K,3*128K";

static void unlock(struct mcu *m)
{
	mcu_write32(m, KEYR, 0x45670123);
	mcu_write32(m, KEYR, 0xCDEF89AB);
	uint32_t v;
	mcu_read32(m, CR, &v);
	assert_false(v & LOCK);
}

static uint32_t sr(struct mcu *m)
{
	uint32_t v;
	mcu_read32(m, SR, &v);
	return v;
}

static void write16(struct mcu *m, uint32_t addr, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	assert_int_equal(mcu_mem_write(m, addr, b, 2, 2), MCU_OK);
}

static uint32_t flash32(struct mcu_fixture *fx, uint32_t addr)
{
	uint32_t v;
	memcpy(&v, fx->flash.mem + (addr - fx->flash.base), 4);
	return v;
}

static void test_lock_and_keys(void **state)
{
	(void)state;
	struct mcu_fixture fx;
	mcu_fixture_open(&fx, "stm32f4", 0x433, F401, 0);
	struct mcu *m = fx.m;
	uint32_t v;
	mcu_read32(m, CR, &v);
	assert_true(v & LOCK);
	/* locked: CR writes are ignored, a flash store is a sequence error */
	mcu_write32(m, CR, PG | PSIZE16);
	mcu_read32(m, CR, &v);
	assert_int_equal(v, LOCK);
	write16(m, 0x08000000, 0x1234);
	assert_true(sr(m) & PGSERR);
	assert_int_equal(flash32(&fx, 0x08000000), 0xFFFFFFFF);
	mcu_write32(m, SR, PGSERR);
	assert_int_equal(sr(m), 0);
	/* a wrong key locks the controller until reset */
	mcu_write32(m, KEYR, 0x45670123);
	mcu_write32(m, KEYR, 0x11111111);
	mcu_write32(m, KEYR, 0x45670123);
	mcu_write32(m, KEYR, 0xCDEF89AB);
	mcu_read32(m, CR, &v);
	assert_true(v & LOCK);
	mcu_reset(m);
	unlock(m);
	mcu_write32(m, CR, LOCK);
	mcu_read32(m, CR, &v);
	assert_true(v & LOCK);
	mcu_fixture_close(&fx);
}

static void test_program_and_erase(void **state)
{
	(void)state;
	struct mcu_fixture fx;
	mcu_fixture_open(&fx, "stm32f4", 0x433, F401, 0);
	struct mcu *m = fx.m;
	unlock(m);
	mcu_write32(m, CR, PG | PSIZE16);
	write16(m, 0x08000000, 0x1234);
	write16(m, 0x08000002, 0xABCD);
	assert_int_equal(sr(m), 0);
	assert_int_equal(flash32(&fx, 0x08000000), 0xABCD1234);
	uint32_t v;
	assert_int_equal(mcu_read32(m, 0x08000000, &v), MCU_OK);
	assert_int_equal(v, 0xABCD1234);
	assert_int_equal(mcu_read32(m, 0x00000000, &v), MCU_OK); /* boot alias */
	assert_int_equal(v, 0xABCD1234);
	/* wrong width for PSIZE: parallelism error, nothing written */
	assert_int_equal(mcu_write32(m, 0x08000004, 0), MCU_OK);
	assert_true(sr(m) & PGPERR);
	assert_int_equal(flash32(&fx, 0x08000004), 0xFFFFFFFF);
	mcu_write32(m, SR, 0xF3);
	/* a word that is not erased: bits only clear, and the error shows */
	write16(m, 0x08000000, 0x00FF);
	assert_true(sr(m) & PGSERR);
	assert_int_equal(flash32(&fx, 0x08000000) & 0xFFFF, 0x0034);
	mcu_write32(m, SR, 0xF3);
	/* sector erase of sector 0 only */
	mcu_write32(m, CR, PSIZE32);
	mcu_write32(m, CR, PG | PSIZE32);
	assert_int_equal(mcu_write32(m, 0x08004000, 0x55AA55AA), MCU_OK);
	assert_int_equal(sr(m), 0);
	mcu_write32(m, CR, SER | (0u << 3) | STRT);
	assert_int_equal(sr(m), 0);
	assert_int_equal(flash32(&fx, 0x08000000), 0xFFFFFFFF);
	assert_int_equal(flash32(&fx, 0x08004000), 0x55AA55AA);
	/* mass erase */
	mcu_write32(m, CR, MER);
	mcu_write32(m, CR, MER | STRT);
	assert_int_equal(flash32(&fx, 0x08004000), 0xFFFFFFFF);
	struct mcu_status st;
	mcu_status(m, &st);
	assert_int_equal(st.flash_programmed, 2 + 2 + 4);
	mcu_fixture_close(&fx);
}

static void test_core_programs_flash(void **state)
{
	(void)state;
	struct mcu_fixture fx;
	mcu_fixture_open(&fx, "stm32f4", 0x433, F401, 0);
	struct mcu *m = fx.m;
	/* Hand-encoded Thumb-2, as arm-none-eabi-as -mcpu=cortex-m4 gives it:
	 *   movw  r6, #0x101        ; PG | PSIZE_16
	 *   str   r6, [r4, #0x10]   ; FLASH_CR
	 *   strh.w r0, [r2], #2     ; program one half-word
	 *   ldr   r5, [r4, #0x0c]   ; FLASH_SR after it
	 *   strh  r1, [r2]          ; a second one over a programmed word
	 *   ldr   r7, [r4, #0x0c]   ; FLASH_SR after that
	 *   bkpt  #0 */
	static const uint16_t prog[] = { 0xf240, 0x1601, 0x6126, 0xf822, 0x0b02, 0x68e5,
					 0x8011, 0x68e7, 0xbe00 };
	unlock(m);
	mcu_write32(m, DHCSR, DBGKEY | 3);
	mcu_mem_write(m, 0x20000000, (const uint8_t *)prog, sizeof prog, 2);
	const uint32_t regs[][2] = { { 15, 0x20000000 }, { 0, 0xBEEF }, { 1, 0x0001 }, { 2, 0x08000010 },
				     { 4, FLASH } };
	for (unsigned i = 0; i < sizeof regs / sizeof regs[0]; i++) {
		mcu_write32(m, DCRDR, regs[i][1]);
		mcu_write32(m, DCRSR, regs[i][0] | 1u << 16);
	}
	/* the second store goes to 0x08000012, which is erased: both succeed */
	mcu_write32(m, DHCSR, DBGKEY | 1);
	mcu_run(m, 1000);
	assert_true(mcu_halted(m));
	assert_int_equal(flash32(&fx, 0x08000010), 0x0001BEEF);
	uint32_t v;
	mcu_write32(m, DCRSR, 7);
	mcu_read32(m, DCRDR, &v);
	assert_int_equal(v, 0);
	/* run it again over the programmed words: PGSERR, and the flash
	 * holds what the AND rule leaves, not what the core stored */
	for (unsigned i = 0; i < sizeof regs / sizeof regs[0]; i++) {
		mcu_write32(m, DCRDR, i == 1 ? 0x4242 : regs[i][1]);
		mcu_write32(m, DCRSR, regs[i][0] | 1u << 16);
	}
	mcu_write32(m, DHCSR, DBGKEY | 1);
	mcu_run(m, 1000);
	assert_true(mcu_halted(m));
	mcu_write32(m, DCRSR, 5);
	mcu_read32(m, DCRDR, &v);
	assert_true(v & PGSERR);
	assert_int_equal(flash32(&fx, 0x08000010) & 0xFFFF, 0xBEEF & 0x4242);
	struct mcu_status st;
	mcu_status(m, &st);
	assert_int_equal(st.algo_runs, 2);
	assert_int_equal(st.algo_addr, 0x20000000);
	mcu_fixture_close(&fx);
}

static void test_rdp(void **state)
{
	(void)state;
	struct mcu_fixture fx;
	mcu_fixture_open(&fx, "stm32f4", 0x433, F401, 1);
	struct mcu *m = fx.m;
	memset(fx.flash.mem, 0x5A, 4096); /* an application someone protected */
	uint32_t v;
	mcu_write32(m, DHCSR, DBGKEY | 3);
	assert_int_equal(mcu_read32(m, 0x08000000, &v), MCU_RDP);
	mcu_read32(m, OPTCR, &v);
	assert_int_equal((v >> 8) & 0xFF, 0x00);
	/* `stm32f2x unlock 0`: option key, RDP = 0xAA, OPTSTRT */
	mcu_write32(m, OPTKEYR, 0x08192A3B);
	mcu_write32(m, OPTKEYR, 0x4C5D6E7F);
	mcu_read32(m, OPTCR, &v);
	assert_false(v & 1);
	uint32_t opt = (v & ~0xFF00u) | 0xAA00u;
	mcu_write32(m, OPTCR, opt);
	mcu_write32(m, OPTCR, opt | 2);
	mcu_write32(m, OPTCR, opt | 1);
	assert_int_equal(mcu_read32(m, 0x08000000, &v), MCU_OK);
	assert_int_equal(v, 0xFFFFFFFF); /* leaving level 1 erased the chip */
	mcu_read32(m, OPTCR, &v);
	assert_int_equal((v >> 8) & 0xFF, 0xAA);
	mcu_fixture_close(&fx);
}

static void test_write_protection(void **state)
{
	(void)state;
	struct mcu_fixture fx;
	mcu_fixture_open(&fx, "stm32f4", 0x433, F401, 0);
	struct mcu *m = fx.m;
	/* nWRP bit 1 cleared through the option bytes: sector 1 protected */
	mcu_write32(m, OPTKEYR, 0x08192A3B);
	mcu_write32(m, OPTKEYR, 0x4C5D6E7F);
	uint32_t v;
	mcu_read32(m, OPTCR, &v);
	uint32_t opt = v & ~(1u << 17) & ~1u;
	mcu_write32(m, OPTCR, opt | 2);
	mcu_write32(m, OPTCR, opt | 1);
	mcu_read32(m, OPTCR, &v);
	assert_int_equal((v >> 16) & 0xFFF, 0xFFD);
	unlock(m);
	mcu_write32(m, CR, SER | (1u << 3) | STRT);
	assert_true(sr(m) & WRPERR);
	mcu_write32(m, SR, 0xF3);
	mcu_write32(m, CR, PG | PSIZE16);
	write16(m, 0x08004000, 0x1234);
	assert_true(sr(m) & WRPERR);
	assert_int_equal(flash32(&fx, 0x08004000), 0xFFFFFFFF);
	mcu_write32(m, SR, 0xF3);
	write16(m, 0x08000000, 0x1234); /* sector 0 is not protected */
	assert_int_equal(sr(m), 0);
	mcu_write32(m, CR, MER | STRT);
	assert_true(sr(m) & WRPERR); /* no mass erase with a protected sector */
	mcu_fixture_close(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_and_keys),
		cmocka_unit_test(test_program_and_erase),
		cmocka_unit_test(test_core_programs_flash),
		cmocka_unit_test(test_rdp),
		cmocka_unit_test(test_write_protection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
