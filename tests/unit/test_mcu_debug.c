/* The virtual STM32's core and halting debug as a probe drives them:
 * DHCSR/DCRSR/DCRDR, halt/step/resume, BKPT, FPB, reset with vector catch,
 * faults, DBGMCU and the flash-size register. */
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
#define DEMCR 0xE000EDFCu
#define AIRCR 0xE000ED0Cu
#define DFSR 0xE000ED30u
#define FP_CTRL 0xE0002000u
#define FP_COMP0 0xE0002008u
#define DBGKEY 0xA05F0000u

/* movs r0,#1; adds r0,#1 (x3); bkpt #0 */
static const uint16_t count_to_4[] = { 0x2001, 0x3001, 0x3001, 0x3001, 0xbe00 };
/* loop: adds r0,#1; b loop */
static const uint16_t forever[] = { 0x3001, 0xe7fd };

static void test_ids(void **state)
{
	(void)state;
	struct mcu_fixture fx;
	mcu_fixture_open(&fx, "stm32f4", 0x433, "4*16K,1*64K,3*128K", 0);
	uint32_t v;
	assert_int_equal(mcu_read32(fx.m, 0xE0042000, &v), MCU_OK);
	assert_int_equal(v & 0xFFF, 0x433);
	assert_int_equal(mcu_read32(fx.m, 0xE000ED00, &v), MCU_OK);
	assert_int_equal(v, 0x410FC241);
	uint8_t b[2];
	assert_int_equal(mcu_mem_read(fx.m, 0x1FFF7A22, b, 2, 2), MCU_OK);
	assert_int_equal(b[0] | b[1] << 8, 512);
	/* FPB rev 1 with 6 code comparators, DWT with 4 */
	assert_int_equal(mcu_read32(fx.m, FP_CTRL, &v), MCU_OK);
	assert_int_equal(v >> 28, 0);
	assert_int_equal(((v >> 8) & 0x70) | ((v >> 4) & 0xF), 6);
	assert_int_equal(mcu_read32(fx.m, 0xE0001000, &v), MCU_OK);
	assert_int_equal(v >> 28, 4);
	/* an unknown SCS word reads as zero */
	assert_int_equal(mcu_read32(fx.m, 0xE000EF00, &v), MCU_OK);
	assert_int_equal(v, 0);
	mcu_fixture_close(&fx);

	mcu_fixture_open(&fx, "stm32h7", 0x450, "16*128K", 0);
	assert_int_equal(mcu_read32(fx.m, 0x5C001000, &v), MCU_OK);
	assert_int_equal(v & 0xFFF, 0x450);
	assert_int_equal(mcu_read32(fx.m, FP_CTRL, &v), MCU_OK);
	assert_int_equal(v >> 28, 1); /* M7: FPB revision 2 */
	assert_int_equal(mcu_read32(fx.m, 0xE000ED00, &v), MCU_OK);
	assert_int_equal(v, 0x411FC272);
	assert_int_equal(mcu_mem_read(fx.m, 0x1FF1E880, b, 2, 2), MCU_OK);
	assert_int_equal(b[0] | b[1] << 8, 2048);
	/* the H7's AXI SRAM, where CubeMX puts the stack */
	assert_int_equal(mcu_write32(fx.m, 0x2407FFFC, 0x12345678), MCU_OK);
	assert_int_equal(mcu_read32(fx.m, 0x2407FFFC, &v), MCU_OK);
	assert_int_equal(v, 0x12345678);
	mcu_fixture_close(&fx);

	/* CCM RAM on an F405, none on an F401 */
	mcu_fixture_open(&fx, "stm32f4", 0x413, "4*16K,1*64K,7*128K", 0);
	assert_int_equal(mcu_write32(fx.m, 0x10000000, 1), MCU_OK);
	mcu_fixture_close(&fx);
	mcu_fixture_open(&fx, "stm32f4", 0x433, "4*16K,1*64K,3*128K", 0);
	assert_int_equal(mcu_read32(fx.m, 0x10000000, &v), MCU_FAULT);
	mcu_fixture_close(&fx);

	/* F7: flash size at 0x1FF0F442, flash also on the ITCM bus at 0x00200000 */
	mcu_fixture_open(&fx, "stm32f7", 0x451, "4*32K,1*128K,7*256K", 0);
	assert_int_equal(mcu_mem_read(fx.m, 0x1FF0F442, b, 2, 2), MCU_OK);
	assert_int_equal(b[0] | b[1] << 8, 2048);
	mcu_fixture_flash(&fx, 0x08000000, "\x11\x22\x33\x44", 4);
	assert_int_equal(mcu_read32(fx.m, 0x00200000, &v), MCU_OK);
	assert_int_equal(v, 0x44332211);
	assert_int_equal(mcu_read32(fx.m, 0xE0042000, &v), MCU_OK);
	assert_int_equal(v & 0xFFF, 0x451);
	mcu_fixture_close(&fx);

	/* C0: G0's DBGMCU, its own flash-size address */
	mcu_fixture_open(&fx, "stm32c0", 0x453, "16*2K", 0);
	assert_int_equal(mcu_read32(fx.m, 0x40015800, &v), MCU_OK);
	assert_int_equal(v & 0xFFF, 0x453);
	assert_int_equal(mcu_mem_read(fx.m, 0x1FFF75A0, b, 2, 2), MCU_OK);
	assert_int_equal(b[0] | b[1] << 8, 32);
	mcu_fixture_close(&fx);

	mcu_fixture_open(&fx, "stm32g0", 0x460, "64*2K", 0);
	assert_int_equal(mcu_read32(fx.m, 0x40015800, &v), MCU_OK);
	assert_int_equal(v & 0xFFF, 0x460);
	assert_int_equal(mcu_read32(fx.m, 0xE000ED00, &v), MCU_OK);
	assert_int_equal(v, 0x410CC601);
	assert_int_equal(mcu_mem_read(fx.m, 0x1FFF75E0, b, 2, 2), MCU_OK);
	assert_int_equal(b[0] | b[1] << 8, 128);
	mcu_fixture_close(&fx);
}

static void halt_via_dhcsr(struct mcu *m)
{
	assert_int_equal(mcu_write32(m, DHCSR, DBGKEY | 0x3), MCU_OK);
	uint32_t v;
	mcu_read32(m, DHCSR, &v);
	assert_true(v & (1u << 17)); /* S_HALT */
	assert_true(v & (1u << 16)); /* S_REGRDY */
}

static uint32_t dcrsr_read(struct mcu *m, unsigned regsel)
{
	uint32_t v;
	assert_int_equal(mcu_write32(m, DCRSR, regsel), MCU_OK);
	assert_int_equal(mcu_read32(m, DCRDR, &v), MCU_OK);
	return v;
}

static void dcrsr_write(struct mcu *m, unsigned regsel, uint32_t v)
{
	assert_int_equal(mcu_write32(m, DCRDR, v), MCU_OK);
	assert_int_equal(mcu_write32(m, DCRSR, regsel | 1u << 16), MCU_OK);
}

static void test_halt_step_bkpt(void **state)
{
	(void)state;
	struct mcu_fixture fx;
	mcu_fixture_open(&fx, "stm32f4", 0x433, "4*16K,1*64K,3*128K", 0);
	struct mcu *m = fx.m;
	halt_via_dhcsr(m);
	assert_int_equal(mcu_mem_write(m, 0x20000000, (const uint8_t *)count_to_4, sizeof count_to_4, 2),
			 MCU_OK);
	dcrsr_write(m, 15, 0x20000000);
	dcrsr_write(m, 16, 0x01000000);
	dcrsr_write(m, 0, 0);
	assert_int_equal(dcrsr_read(m, 15), 0x20000000);

	/* one step: movs r0,#1 */
	assert_int_equal(mcu_write32(m, DHCSR, DBGKEY | 0x1 | 0x4 | 0x8), MCU_OK);
	assert_true(mcu_halted(m));
	assert_int_equal(dcrsr_read(m, 15), 0x20000002);
	assert_int_equal(dcrsr_read(m, 0), 1);

	/* resume: runs to the BKPT and halts there */
	assert_int_equal(mcu_write32(m, DHCSR, DBGKEY | 0x1), MCU_OK);
	assert_false(mcu_halted(m));
	uint32_t v;
	mcu_read32(m, DHCSR, &v);
	assert_false(v & (1u << 16)); /* running: no register transfer */
	assert_int_equal(mcu_run(m, 1000), 3);
	assert_true(mcu_halted(m));
	assert_int_equal(dcrsr_read(m, 0), 4);
	assert_int_equal(dcrsr_read(m, 15), 0x20000008);
	mcu_read32(m, DFSR, &v);
	assert_true(v & 0x2); /* BKPT */
	mcu_write32(m, DFSR, v);
	mcu_read32(m, DFSR, &v);
	assert_int_equal(v, 0);
	struct mcu_status st;
	mcu_status(m, &st);
	assert_int_equal(st.algo_runs, 1);
	assert_int_equal(st.algo_addr, 0x20000002); /* where it resumed */

	/* a running core advances by slices and halts on C_HALT */
	mcu_mem_write(m, 0x20000100, (const uint8_t *)forever, sizeof forever, 2);
	dcrsr_write(m, 15, 0x20000100);
	dcrsr_write(m, 0, 0);
	mcu_write32(m, DHCSR, DBGKEY | 0x1);
	assert_int_equal(mcu_run(m, 5000), 5000);
	assert_int_equal(mcu_run(m, 5000), 5000);
	mcu_read32(m, DHCSR, &v);
	assert_true(v & (1u << 24)); /* S_RETIRE_ST */
	halt_via_dhcsr(m);
	assert_int_equal(dcrsr_read(m, 0), 5000);
	assert_int_equal(mcu_run(m, 100), 0);

	/* special registers pack as CONTROL/FAULTMASK/BASEPRI/PRIMASK */
	dcrsr_write(m, 20, 0x00000001);
	assert_int_equal(dcrsr_read(m, 20), 0x00000001);
	dcrsr_write(m, 17, 0x20001000);
	assert_int_equal(dcrsr_read(m, 17), 0x20001000);
	assert_int_equal(dcrsr_read(m, 13), 0x20001000);
	mcu_fixture_close(&fx);
}

static void test_fpb(void **state)
{
	(void)state;
	struct mcu_fixture fx;
	mcu_fixture_open(&fx, "stm32f4", 0x433, "4*16K,1*64K,3*128K", 0);
	struct mcu *m = fx.m;
	halt_via_dhcsr(m);
	/* the program in flash this time: the FPB (rev 1) covers code space */
	uint8_t img[16];
	memcpy(img, count_to_4, sizeof count_to_4);
	mcu_fixture_flash(&fx, 0x08000100, img, sizeof count_to_4);
	dcrsr_write(m, 15, 0x08000100);
	dcrsr_write(m, 0, 0);
	mcu_write32(m, FP_CTRL, 3);
	/* break at 0x08000106 (upper halfword of the word at 0x08000104) */
	mcu_write32(m, FP_COMP0, (0x08000104u & 0x1FFFFFFC) | 2u << 30 | 1);
	mcu_write32(m, DHCSR, DBGKEY | 0x1);
	mcu_run(m, 100);
	assert_true(mcu_halted(m));
	assert_int_equal(dcrsr_read(m, 15), 0x08000106);
	assert_int_equal(dcrsr_read(m, 0), 3);
	mcu_fixture_close(&fx);
}

static void test_reset_vector_catch(void **state)
{
	(void)state;
	struct mcu_fixture fx;
	mcu_fixture_open(&fx, "stm32f4", 0x433, "4*16K,1*64K,3*128K", 0);
	struct mcu *m = fx.m;
	/* vector table: SP 0x20001000, reset 0x08000009 (code at 0x08000008) */
	uint8_t img[8 + sizeof forever];
	uint32_t sp = 0x20001000, pc = 0x08000009;
	memcpy(img, &sp, 4);
	memcpy(img + 4, &pc, 4);
	memcpy(img + 8, forever, sizeof forever);
	mcu_fixture_flash(&fx, 0x08000000, img, sizeof img);
	mcu_write32(m, DHCSR, DBGKEY | 0x1);
	mcu_write32(m, DEMCR, 1u << 24 | 1); /* TRCENA | VC_CORERESET */
	mcu_write32(m, AIRCR, 0x05FA0004);   /* SYSRESETREQ */
	assert_true(mcu_halted(m));
	uint32_t v;
	mcu_read32(m, DHCSR, &v);
	assert_true(v & (1u << 25)); /* S_RESET_ST, sticky */
	mcu_read32(m, DHCSR, &v);
	assert_false(v & (1u << 25)); /* cleared by the read */
	assert_int_equal(dcrsr_read(m, 15), 0x08000008);
	assert_int_equal(dcrsr_read(m, 13), 0x20001000);
	mcu_read32(m, DFSR, &v);
	assert_true(v & 0x8); /* VCATCH */
	/* without the catch the core runs after reset */
	mcu_write32(m, DEMCR, 1u << 24);
	mcu_write32(m, AIRCR, 0x05FA0004);
	assert_false(mcu_halted(m));
	assert_int_equal(mcu_run(m, 1000), 1000);
	/* a write without VECTKEY does nothing */
	mcu_write32(m, AIRCR, 0x00000004);
	assert_int_equal(mcu_run(m, 10), 10);
	mcu_fixture_close(&fx);
}

static void test_faults(void **state)
{
	(void)state;
	struct mcu_fixture fx;
	mcu_fixture_open(&fx, "stm32f4", 0x433, "4*16K,1*64K,3*128K", 0);
	struct mcu *m = fx.m;
	struct mcu_status st;
	/* boot from an erased chip: recorded, not fatal */
	mcu_boot(m, 0x08000000);
	mcu_status(m, &st);
	assert_true(st.faulted);
	assert_non_null(strstr(st.fault_what, "erased"));
	assert_int_equal(mcu_run(m, 100), 0);

	/* a load from unmapped memory stops the core with PC and address */
	/* movw r1,#0; movt r1,#0x3000; ldr r0,[r1]; bkpt */
	static const uint16_t bad_load[] = { 0xf240, 0x0100, 0xf2c3, 0x0100, 0x6808, 0xbe00 };
	mcu_reset(m);
	halt_via_dhcsr(m);
	mcu_mem_write(m, 0x20000000, (const uint8_t *)bad_load, sizeof bad_load, 2);
	dcrsr_write(m, 15, 0x20000000);
	mcu_write32(m, DHCSR, DBGKEY | 0x1);
	mcu_run(m, 100);
	mcu_status(m, &st);
	assert_true(st.faulted);
	assert_int_equal(st.fault_pc, 0x20000008);
	assert_non_null(strstr(st.fault_what, "0x30000000"));
	uint32_t v;
	mcu_read32(m, DHCSR, &v);
	assert_true(v & (1u << 19)); /* S_LOCKUP */
	halt_via_dhcsr(m);            /* a debugger can still halt it */

	/* an undefined instruction */
	static const uint16_t udf[] = { 0xdeff };
	mcu_mem_write(m, 0x20000100, (const uint8_t *)udf, sizeof udf, 2);
	dcrsr_write(m, 15, 0x20000100);
	mcu_write32(m, DHCSR, DBGKEY | 0x1);
	mcu_run(m, 100);
	mcu_status(m, &st);
	assert_true(st.faulted);
	assert_int_equal(st.fault_pc, 0x20000100);
	mcu_fixture_close(&fx);
}

static void test_code_rewrite(void **state)
{
	(void)state;
	struct mcu_fixture fx;
	mcu_fixture_open(&fx, "stm32f4", 0x433, "4*16K,1*64K,3*128K", 0);
	struct mcu *m = fx.m;
	halt_via_dhcsr(m);
	mcu_mem_write(m, 0x20000000, (const uint8_t *)count_to_4, sizeof count_to_4, 2);
	dcrsr_write(m, 15, 0x20000000);
	mcu_write32(m, DHCSR, DBGKEY | 0x1);
	mcu_run(m, 100);
	assert_int_equal(dcrsr_read(m, 0), 4);
	/* the debugger loads other code at the same address: it must run */
	static const uint16_t movs7[] = { 0x2007, 0xbe00 };
	mcu_mem_write(m, 0x20000000, (const uint8_t *)movs7, sizeof movs7, 2);
	dcrsr_write(m, 15, 0x20000000);
	mcu_write32(m, DHCSR, DBGKEY | 0x1);
	mcu_run(m, 100);
	assert_int_equal(dcrsr_read(m, 0), 7);
	mcu_fixture_close(&fx);
}

static void test_not_powered(void **state)
{
	(void)state;
	struct mcu_fixture fx;
	mcu_fixture_open_cfg(&fx, "stm32f4", 0x433, "4*16K,1*64K,3*128K", 0, false);
	uint32_t v;
	assert_int_equal(mcu_read32(fx.m, 0xE0042000, &v), MCU_NOT_POWERED);
	mcu_fixture_close(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_halt_step_bkpt),
		cmocka_unit_test(test_fpb),
		cmocka_unit_test(test_reset_vector_catch),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_code_rewrite),
		cmocka_unit_test(test_not_powered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
