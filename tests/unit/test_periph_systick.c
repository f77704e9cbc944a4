/* SysTick: the counter from the core's cycle count, COUNTFLAG set on 1 -> 0 and
 * cleared by reading CSR or writing CVR, the HCLK/8 reference, TICKINT logged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "periph.h"

static uint64_t cyc;
static uint64_t clock_now(void *ctx)
{
	(void)ctx;
	return cyc;
}

#define CSR 0x0
#define RVR 0x4
#define CVR 0x8
#define FLAG (1u << 16)

static void counts_down_and_flags(void **state)
{
	(void)state;
	struct periph_systick s;
	cyc = 1000;
	systick_init(&s, (struct vclock){ clock_now, NULL }, 16000000, NULL);
	assert_int_equal(systick_read(&s, 0xC, 4), 16000000 / 8 / 100 - 1);
	systick_write(&s, RVR, 99, 4);
	systick_write(&s, CVR, 1234, 4); /* any write clears */
	assert_int_equal(systick_read(&s, CVR, 4), 0);
	systick_write(&s, CSR, 5, 4);
	cyc += 1; /* reload */
	assert_int_equal(systick_read(&s, CVR, 4), 99);
	cyc += 98;
	assert_int_equal(systick_read(&s, CVR, 4), 1);
	assert_false(systick_read(&s, CSR, 4) & FLAG);
	cyc += 1;
	assert_int_equal(systick_read(&s, CVR, 4), 0);
	uint32_t csr = systick_read(&s, CSR, 4);
	assert_true(csr & FLAG);
	assert_int_equal(csr & 7, 5);
	assert_false(systick_read(&s, CSR, 4) & FLAG); /* cleared by the read */
	/* many periods at once: one flag, the right phase */
	cyc += 1 + 100 * 7 + 30;
	assert_int_equal(systick_read(&s, CVR, 4), 69);
	assert_true(systick_read(&s, CSR, 4) & FLAG);
}

static void polling_counts_milliseconds(void **state)
{
	(void)state;
	/* blinky's loop: 1 ms per flag at 16 MHz, polled every 3 cycles */
	struct periph_systick s;
	cyc = 0;
	systick_init(&s, (struct vclock){ clock_now, NULL }, 16000000, NULL);
	systick_write(&s, RVR, 15999, 4);
	systick_write(&s, CVR, 0, 4);
	systick_write(&s, CSR, 5, 4);
	unsigned ms = 0;
	while (cyc < 16000000u / 10) { /* 100 ms */
		cyc += 3;
		if (systick_read(&s, CSR, 4) & FLAG)
			ms++;
	}
	assert_int_equal(ms, 100);
}

static void reference_clock_and_disable(void **state)
{
	(void)state;
	struct periph_systick s;
	cyc = 0;
	systick_init(&s, (struct vclock){ clock_now, NULL }, 16000000, NULL);
	systick_write(&s, RVR, 9, 4);
	systick_write(&s, CSR, 1, 4); /* HCLK/8 */
	cyc = 8 * 5;
	assert_int_equal(systick_read(&s, CVR, 4), 5); /* reload at 1, then 4 more */
	cyc = 8 * 5 + 7;
	assert_int_equal(systick_read(&s, CVR, 4), 5);
	systick_write(&s, CSR, 0, 4);
	cyc += 1000;
	assert_int_equal(systick_read(&s, CVR, 4), 5); /* stopped */
}

static unsigned pends;
static void pend(void *ctx)
{
	(void)ctx;
	pends++;
}

static void tickint_pends_the_exception(void **state)
{
	(void)state;
	struct periph_systick s;
	cyc = 0;
	pends = 0;
	systick_init(&s, (struct vclock){ clock_now, NULL }, 16000000, NULL);
	s.pend = pend;
	systick_write(&s, RVR, 999, 4);
	systick_write(&s, CSR, 7, 4); /* enable, TICKINT, core clock */
	cyc = 500;
	systick_tick(&s, 500);
	assert_int_equal(pends, 0);
	cyc = 1001; /* reload at 1, zero at 1000 */
	systick_tick(&s, 501);
	assert_int_equal(pends, 1);
	/* a read in between clears COUNTFLAG but the exception is still due */
	cyc = 2001;
	assert_true(systick_read(&s, CSR, 4) & FLAG);
	systick_tick(&s, 1000);
	assert_int_equal(pends, 2);
	/* several periods in one slice: one pend, as the pending bit is one bit */
	cyc = 10001;
	systick_tick(&s, 8000);
	assert_int_equal(pends, 3);
	/* without TICKINT: counted, not pended */
	systick_write(&s, CSR, 5, 4);
	cyc = 20001;
	systick_tick(&s, 10000);
	assert_int_equal(pends, 3);
}

static void tickint_without_a_core_is_logged(void **state)
{
	(void)state;
	char buf[512] = "";
	FILE *f = fmemopen(buf, sizeof buf, "w");
	struct periph_systick s;
	systick_init(&s, (struct vclock){ clock_now, NULL }, 16000000, f);
	systick_write(&s, CSR, 7, 4);
	systick_write(&s, CSR, 7, 4);
	fclose(f);
	assert_non_null(strstr(buf, "TICKINT"));
	assert_null(strstr(strstr(buf, "TICKINT") + 1, "mcu:")); /* once */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts_down_and_flags),
		cmocka_unit_test(polling_counts_milliseconds),
		cmocka_unit_test(reference_clock_and_disable),
		cmocka_unit_test(tickint_pends_the_exception),
		cmocka_unit_test(tickint_without_a_core_is_logged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
