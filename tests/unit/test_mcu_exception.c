/* Exceptions done in software around Unicorn: a pended SysTick is stacked,
 * runs its handler from the vector table and returns through EXC_RETURN;
 * SVC; PRIMASK holds a pending one back; WFI sleeps until one is pending;
 * boot from the vector table. */
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

/* Code at 0x08000080 (hand-encoded Thumb, arm-none-eabi-as -mcpu=cortex-m4):
 *  0x80 main:        movs r4,#0
 *  0x82 loop:        wfi
 *  0x84              b loop
 *  0x86 handler:     adds r4,#1      ; r4: not in the stacked frame
 *  0x88              bx lr
 *  0x8a main2:       movs r4,#0
 *  0x8c              svc #0
 *  0x8e              bkpt #0
 *  0x90 svc_handler: movs r4,#42
 *  0x92              bx lr */
static const uint16_t code[] = { 0x2400, 0xbf30, 0xe7fd, 0x3401, 0x4770,
				 0x2400, 0xdf00, 0xbe00, 0x242a, 0x4770 };

static void load(struct mcu_fixture *fx, uint32_t reset)
{
	uint32_t vt[32];
	memset(vt, 0xFF, sizeof vt);
	vt[0] = 0x20001000;
	vt[1] = reset | 1;
	vt[11] = 0x08000090 | 1; /* SVCall */
	vt[15] = 0x08000086 | 1; /* SysTick */
	vt[22] = 0x08000086 | 1; /* IRQ 6 */
	mcu_fixture_flash(fx, 0x08000000, vt, sizeof vt);
	mcu_fixture_flash(fx, 0x08000080, code, sizeof code);
}

static uint32_t reg(struct mcu *m, unsigned r)
{
	uint32_t v;
	mcu_halt(m);
	assert_int_equal(mcu_reg_read(m, r, &v), MCU_OK);
	return v;
}

static void test_systick_and_wfi(void **state)
{
	(void)state;
	struct mcu_fixture fx;
	mcu_fixture_open(&fx, "stm32f4", 0x433, "4*16K,1*64K,3*128K", 0);
	struct mcu *m = fx.m;
	load(&fx, 0x08000080);
	mcu_boot(m, 0x08000000);
	struct mcu_status st;
	mcu_status(m, &st);
	assert_false(st.faulted);
	/* it sleeps in WFI: the slice's time passes with 2 instructions */
	assert_int_equal(mcu_run(m, 1000), 1000);
	mcu_status(m, &st);
	assert_int_equal(st.instructions, 2);
	assert_int_equal(mcu_cycles(m), 1000);
	for (unsigned i = 1; i <= 3; i++) {
		mcu_pend_exception(m, 15);
		mcu_run(m, 1000);
		assert_int_equal(reg(m, 4), i);
		assert_int_equal(reg(m, 13), 0x20001000); /* the frame is gone */
		assert_int_equal(reg(m, 16) & 0x1FF, 0);  /* back in Thread mode */
		mcu_resume(m);
	}
	mcu_status(m, &st);
	assert_int_equal(st.exceptions, 3);
	/* PRIMASK set: the exception waits */
	mcu_halt(m);
	mcu_reg_write(m, 20, 1);
	mcu_resume(m);
	mcu_pend_exception(m, 15);
	mcu_run(m, 1000);
	assert_int_equal(reg(m, 4), 3);
	mcu_reg_write(m, 20, 0);
	mcu_resume(m);
	mcu_run(m, 1000);
	assert_int_equal(reg(m, 4), 4);
	mcu_resume(m);
	/* an IRQ waits for its NVIC enable; ICSR.PENDSTSET pends SysTick */
	mcu_pend_exception(m, 16 + 6);
	mcu_run(m, 1000);
	assert_int_equal(reg(m, 4), 4);
	uint32_t v;
	mcu_read32(m, 0xE000E200, &v); /* ISPR0 */
	assert_int_equal(v, 1u << 6);
	mcu_write32(m, 0xE000E100, 1u << 6); /* ISER0 */
	mcu_resume(m);
	mcu_run(m, 1000);
	assert_int_equal(reg(m, 4), 5);
	mcu_read32(m, 0xE000E200, &v);
	assert_int_equal(v, 0);
	mcu_write32(m, 0xE000ED04, 1u << 26);
	mcu_resume(m);
	mcu_run(m, 1000);
	assert_int_equal(reg(m, 4), 6);
	mcu_fixture_close(&fx);
}

static void test_svc(void **state)
{
	(void)state;
	struct mcu_fixture fx;
	mcu_fixture_open(&fx, "stm32f4", 0x433, "4*16K,1*64K,3*128K", 0);
	struct mcu *m = fx.m;
	load(&fx, 0x0800008a);
	mcu_boot(m, 0x08000000);
	mcu_run(m, 100);
	assert_true(mcu_halted(m));
	assert_int_equal(reg(m, 4), 42);
	assert_int_equal(reg(m, 15), 0x0800008e);
	assert_int_equal(reg(m, 13), 0x20001000);
	mcu_fixture_close(&fx);
}

static void test_boot_checks(void **state)
{
	(void)state;
	struct mcu_fixture fx;
	mcu_fixture_open(&fx, "stm32f4", 0x433, "4*16K,1*64K,3*128K", 0);
	struct mcu *m = fx.m;
	struct mcu_status st;
	/* a reset vector outside flash and RAM */
	uint32_t vt[2] = { 0x20001000, 0x30000001 };
	mcu_fixture_flash(&fx, 0x08004000, vt, sizeof vt);
	mcu_boot(m, 0x08004000);
	mcu_status(m, &st);
	assert_true(st.faulted);
	assert_non_null(strstr(st.fault_what, "outside"));
	/* boot at 0x08004000 sets VTOR there: a pended SysTick with no
	 * handler (erased vector) is a fault, not a crash */
	load(&fx, 0x08000080);
	mcu_boot(m, 0x08000000);
	uint32_t v;
	assert_int_equal(mcu_read32(m, 0xE000ED08, &v), MCU_OK);
	assert_int_equal(v, 0x08000000);
	mcu_write32(m, 0xE000ED08, 0x08004000);
	mcu_pend_exception(m, 15);
	mcu_run(m, 100);
	mcu_status(m, &st);
	assert_true(st.faulted);
	assert_non_null(strstr(st.fault_what, "no handler"));
	mcu_fixture_close(&fx);
}

/* Priorities: an IRQ at priority 0 preempts a SysTick handler at 0xF0 and
 * returns into it (EXC_RETURN 0xFFFFFFF1); the running exception does not
 * re-enter; BASEPRI holds back what is not above it. */
static void test_nesting_and_priorities(void **state)
{
	(void)state;
	struct mcu_fixture fx;
	mcu_fixture_open(&fx, "stm32f4", 0x433, "4*16K,1*64K,3*128K", 0);
	struct mcu *m = fx.m;
	/* 0x80 main: movs r4,#0; 0x82 wfi; 0x84 b 0x82
	 * 0x86 irq:  adds r4,#1; 0x88 bx lr
	 * 0x8a systick: adds r5,#1; 0x8c b 0x8c */
	static const uint16_t nest[] = { 0x2400, 0xbf30, 0xe7fd, 0x3401, 0x4770, 0x3501, 0xe7fe };
	uint32_t vt[32];
	memset(vt, 0xFF, sizeof vt);
	vt[0] = 0x20001000;
	vt[1] = 0x08000081;
	vt[15] = 0x0800008b;
	vt[22] = 0x08000087;
	mcu_fixture_flash(&fx, 0x08000000, vt, sizeof vt);
	mcu_fixture_flash(&fx, 0x08000080, nest, sizeof nest);
	mcu_boot(m, 0x08000000);
	mcu_write32(m, 0xE000ED20, 0xF0u << 24); /* SHPR3: SysTick lowest */
	mcu_write32(m, 0xE000E404, 0);           /* IPR: IRQ 6 highest */
	mcu_write32(m, 0xE000E100, 1u << 6);
	uint32_t v;
	mcu_read32(m, 0xE000ED20, &v);
	assert_int_equal(v, 0xF0000000);
	mcu_pend_exception(m, 15);
	mcu_run(m, 100);
	assert_int_equal(reg(m, 16) & 0x1FF, 15); /* spinning in the SysTick handler */
	mcu_resume(m);
	mcu_pend_exception(m, 15); /* itself: waits */
	mcu_pend_exception(m, 16 + 6);
	mcu_run(m, 100);
	assert_int_equal(reg(m, 4), 1);           /* the IRQ ran ... */
	assert_int_equal(reg(m, 16) & 0x1FF, 15); /* ... and returned into SysTick */
	assert_int_equal(reg(m, 14), 0xFFFFFFF9); /* SysTick's own EXC_RETURN */
	assert_int_equal(reg(m, 13), 0x20001000 - 32);
	mcu_fixture_close(&fx);

	/* BASEPRI 0x80 in Thread mode: SysTick (0xF0) waits, the IRQ (0) not */
	mcu_fixture_open(&fx, "stm32f4", 0x433, "4*16K,1*64K,3*128K", 0);
	m = fx.m;
	mcu_fixture_flash(&fx, 0x08000000, vt, sizeof vt);
	mcu_fixture_flash(&fx, 0x08000080, nest, sizeof nest);
	mcu_boot(m, 0x08000000);
	mcu_write32(m, 0xE000ED20, 0xF0u << 24);
	mcu_write32(m, 0xE000E100, 1u << 6);
	mcu_run(m, 10);
	mcu_halt(m);
	mcu_reg_write(m, 20, 0x80u << 8); /* BASEPRI */
	mcu_resume(m);
	mcu_pend_exception(m, 15);
	mcu_run(m, 100);
	assert_int_equal(reg(m, 16) & 0x1FF, 0);
	mcu_resume(m);
	mcu_pend_exception(m, 16 + 6);
	mcu_run(m, 100);
	assert_int_equal(reg(m, 4), 1);
	assert_int_equal(reg(m, 16) & 0x1FF, 0);
	mcu_fixture_close(&fx);
}

/* A peripheral read in the middle of a slice sees the cycles run so far. */
static uint64_t seen_cycles[4];
static unsigned nseen;
static uint32_t clock_read(void *ctx, uint32_t off, unsigned width)
{
	(void)off;
	(void)width;
	if (nseen < 4)
		seen_cycles[nseen++] = mcu_cycles(ctx);
	return 0;
}
static void clock_write(void *ctx, uint32_t off, uint32_t v, unsigned width)
{
	(void)ctx, (void)off, (void)v, (void)width;
}

static void test_cycles_mid_slice(void **state)
{
	(void)state;
	struct mcu_fixture fx;
	mcu_fixture_open(&fx, "stm32f4", 0x433, "4*16K,1*64K,3*128K", 0);
	struct mcu *m = fx.m;
	static const struct mcu_periph_ops ops = { clock_read, clock_write, NULL };
	assert_int_equal(mcu_map_periph(m, "clock", 0x40001000, 0x400, &ops, m), 0);
	/* loop: ldr r1,[r4]; b loop  (r4 = 0x40001000) */
	static const uint16_t poll[] = { 0x6821, 0xe7fd };
	mcu_halt(m);
	mcu_mem_write(m, 0x20000000, (const uint8_t *)poll, sizeof poll, 2);
	mcu_reg_write(m, 15, 0x20000000);
	mcu_reg_write(m, 4, 0x40001000);
	mcu_resume(m);
	nseen = 0;
	assert_int_equal(mcu_run(m, 100), 100);
	assert_int_equal(nseen, 4);
	assert_int_equal(seen_cycles[0], 1);
	assert_int_equal(seen_cycles[1], 3);
	assert_int_equal(seen_cycles[3], 7);
	mcu_fixture_close(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_systick_and_wfi),
		cmocka_unit_test(test_svc),
		cmocka_unit_test(test_boot_checks),
		cmocka_unit_test(test_cycles_mid_slice),
		cmocka_unit_test(test_nesting_and_priorities),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
