/* GPIO model: reset values, mode/ODR/BSRR/BRR semantics, events for every change
 * of a driven pin with the core's cycle count, and ports whose clock is off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "periph.h"

static uint64_t fake_cycles;
static uint64_t clock_now(void *ctx)
{
	(void)ctx;
	return fake_cycles;
}
static const struct vclock CLK = { clock_now, NULL };

#define GPIOA 0x000u
#define GPIOB 0x400u

static void setup_f4(struct periph_rcc *r, struct periph_gpio *g)
{
	fake_cycles = 0;
	rcc_init(r, MCU_F4);
	gpio_init(g, MCU_F4, r, CLK, 16000000, NULL);
}

static void reset_values(void **state)
{
	(void)state;
	struct periph_gpio g;
	gpio_init(&g, MCU_F4, NULL, CLK, 16000000, NULL);
	assert_int_equal(gpio_read(&g, GPIOA + 0x00, 4), 0xA8000000u);
	assert_int_equal(gpio_read(&g, GPIOB + 0x00, 4), 0x00000280u);
	gpio_init(&g, MCU_L4, NULL, CLK, 4000000, NULL);
	assert_int_equal(gpio_read(&g, GPIOA + 0x00, 4), 0xABFFFFFFu);
	assert_int_equal(gpio_read(&g, 0x800 + 0x00, 4), 0xFFFFFFFFu);
	gpio_init(&g, MCU_G0, NULL, CLK, 16000000, NULL);
	assert_int_equal(gpio_read(&g, GPIOA + 0x00, 4), 0xEBFFFFFFu);
	assert_int_equal(gpio_mode(&g, 0, 5), 3); /* analog */
	assert_int_equal(gpio_mode(&g, 0, 13), 2); /* SWDIO */
}

static void clock_off_ignores_writes(void **state)
{
	(void)state;
	struct periph_rcc r;
	struct periph_gpio g;
	setup_f4(&r, &g);
	gpio_write(&g, GPIOA + 0x00, 0x400, 4);
	assert_int_equal(gpio_read(&g, GPIOA + 0x00, 4), 0xA8000000u);
	rcc_write(&r, 0x30, 1, 4); /* RCC_AHB1ENR.GPIOAEN */
	gpio_write(&g, GPIOA + 0x00, 0xA8000400u, 4);
	assert_int_equal(gpio_mode(&g, 0, 5), 1);
	/* port B is still off */
	gpio_write(&g, GPIOB + 0x14, 1, 4);
	assert_int_equal(gpio_read(&g, GPIOB + 0x14, 4), 0);
}

static void toggles_are_events_with_time(void **state)
{
	(void)state;
	struct periph_rcc r;
	struct periph_gpio g;
	setup_f4(&r, &g);
	rcc_write(&r, 0x30, 1, 4);
	/* ODR set before the pin is an output: no event yet */
	gpio_write(&g, GPIOA + 0x14, 1u << 5, 4);
	assert_int_equal(g.nev, 0);
	fake_cycles = 100;
	gpio_write(&g, GPIOA + 0x00, 0xA8000400u, 4); /* PA5 output, drives high */
	assert_int_equal(g.nev, 1);
	assert_int_equal(g.ev[0].cycles, 100);
	assert_int_equal(g.ev[0].level, 1);
	assert_int_equal(g.pin[0][5].toggles, 0);
	for (int i = 1; i <= 6; i++) {
		fake_cycles = 100 + 800000u * (uint64_t)i;
		gpio_write(&g, GPIOA + 0x14, gpio_read(&g, GPIOA + 0x14, 4) ^ (1u << 5), 4);
	}
	assert_int_equal(g.pin[0][5].toggles, 6);
	assert_int_equal(g.pin[0][5].first, 800100);
	assert_int_equal(g.pin[0][5].last, 4800100);
	assert_int_equal(g.pin[0][5].level, 1);
	/* the same level again is no change */
	gpio_write(&g, GPIOA + 0x14, 1u << 5, 4);
	assert_int_equal(g.pin[0][5].toggles, 6);
	/* IDR reads the driven level */
	assert_int_equal(gpio_read(&g, GPIOA + 0x10, 4) & (1u << 5), 1u << 5);
}

static void bsrr_brr_and_narrow_writes(void **state)
{
	(void)state;
	struct periph_gpio g;
	gpio_init(&g, MCU_L4, NULL, CLK, 4000000, NULL);
	gpio_write(&g, GPIOA + 0x00, 0xABFFF7FFu, 4); /* PA5 output */
	gpio_write(&g, GPIOA + 0x18, 1u << 5, 4);     /* BSRR set */
	assert_int_equal(gpio_read(&g, GPIOA + 0x14, 4), 1u << 5);
	gpio_write(&g, GPIOA + 0x18, (1u << 21) | (1u << 5), 4); /* set wins */
	assert_int_equal(gpio_read(&g, GPIOA + 0x14, 4), 1u << 5);
	gpio_write(&g, GPIOA + 0x1A, 1u << 5, 2); /* halfword write to the reset half */
	assert_int_equal(gpio_read(&g, GPIOA + 0x14, 4), 0);
	gpio_write(&g, GPIOA + 0x18, 1u << 5, 4);
	gpio_write(&g, GPIOA + 0x28, 1u << 5, 4); /* BRR (L4) */
	assert_int_equal(gpio_read(&g, GPIOA + 0x14, 4), 0);
	assert_int_equal(g.pin[0][5].toggles, 4);
	/* byte access to AFRL */
	gpio_write(&g, GPIOA + 0x21, 0x07, 1);
	assert_int_equal(gpio_read(&g, GPIOA + 0x20, 4), 0x0700);
	assert_int_equal(gpio_af(&g, 0, 2), 7);
	assert_int_equal(gpio_read(&g, GPIOA + 0x21, 1), 0x07);
}

static void mode_change_stops_driving(void **state)
{
	(void)state;
	struct periph_gpio g;
	gpio_init(&g, MCU_F4, NULL, CLK, 16000000, NULL);
	gpio_write(&g, GPIOB + 0x00, 0x00000281u, 4); /* PB0 output, low */
	assert_int_equal(g.pin[1][0].level, 0);
	gpio_write(&g, GPIOB + 0x00, 0x00000280u, 4); /* input again */
	assert_int_equal(g.pin[1][0].level, -1);
	gpio_write(&g, GPIOB + 0x14, 1, 4);
	gpio_write(&g, GPIOB + 0x00, 0x00000281u, 4); /* output, now high: a new start, not a toggle */
	assert_int_equal(g.pin[1][0].toggles, 0);
	assert_int_equal(g.nev, 2);
}

static void log_lines(void **state)
{
	(void)state;
	char buf[4096] = "";
	FILE *f = fmemopen(buf, sizeof buf, "w");
	struct periph_gpio g;
	fake_cycles = 16000000 / 20; /* 50 ms */
	gpio_init(&g, MCU_F4, NULL, CLK, 16000000, f);
	g.log_max = 2;
	gpio_write(&g, GPIOA + 0x00, 0xA8000400u, 4);
	for (int i = 0; i < 4; i++)
		gpio_write(&g, GPIOA + 0x14, (i & 1) ? 0 : 1u << 5, 4);
	fclose(f);
	assert_non_null(strstr(buf, "mcu: PA5 low at 50.000 ms\n"));
	assert_non_null(strstr(buf, "mcu: PA5 high at 50.000 ms\n"));
	assert_non_null(strstr(buf, "not logged"));
	assert_int_equal(g.pin[0][5].toggles, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reset_values),
		cmocka_unit_test(clock_off_ignores_writes),
		cmocka_unit_test(toggles_are_events_with_time),
		cmocka_unit_test(bsrr_brr_and_narrow_writes),
		cmocka_unit_test(mode_change_stops_driving),
		cmocka_unit_test(log_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
