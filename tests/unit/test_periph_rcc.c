/* RCC and PWR: the handshakes clock set-up code waits for (an oscillator or PLL
 * turned on is ready, SWS follows SW, the regulator is ready), per family. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "periph.h"

static void f4_hse_pll_and_switch(void **state)
{
	(void)state;
	struct periph_rcc r;
	rcc_init(&r, MCU_F4);
	assert_int_equal(rcc_read(&r, 0x00, 4) & 3, 3); /* HSION, HSIRDY at reset */
	rcc_write(&r, 0x00, rcc_read(&r, 0x00, 4) | 1u << 16, 4); /* HSEON */
	assert_true(rcc_read(&r, 0x00, 4) & 1u << 17);
	rcc_write(&r, 0x00, rcc_read(&r, 0x00, 4) | 1u << 24, 4); /* PLLON */
	assert_true(rcc_read(&r, 0x00, 4) & 1u << 25);
	rcc_write(&r, 0x00, rcc_read(&r, 0x00, 4) & ~(1u << 24), 4);
	assert_false(rcc_read(&r, 0x00, 4) & 1u << 25);
	rcc_write(&r, 0x08, 2, 4); /* SW = PLL */
	assert_int_equal((rcc_read(&r, 0x08, 4) >> 2) & 3, 2);
	assert_int_equal(rcc_read(&r, 0x04, 4), 0x24003010); /* PLLCFGR reset */
	assert_false(rcc_gpio_clocked(&r, 3));
	rcc_write(&r, 0x30, 1u << 3, 4);
	assert_true(rcc_gpio_clocked(&r, 3));
	assert_false(rcc_usart_clocked(&r, 2));
	rcc_write(&r, 0x40, 1u << 17, 4);
	assert_true(rcc_usart_clocked(&r, 2));
	assert_false(rcc_usart_clocked(&r, 3));
	rcc_write(&r, 0x70, 1, 4); /* BDCR.LSEON */
	assert_int_equal(rcc_read(&r, 0x70, 4) & 3, 3);
}

static void other_families(void **state)
{
	(void)state;
	struct periph_rcc r;
	rcc_init(&r, MCU_L4);
	assert_int_equal(rcc_read(&r, 0x00, 4) & 3, 3); /* MSION, MSIRDY */
	rcc_write(&r, 0x00, rcc_read(&r, 0x00, 4) | 1u << 8, 4); /* HSION */
	assert_true(rcc_read(&r, 0x00, 4) & 1u << 10);
	rcc_write(&r, 0x4C, 1, 4);
	assert_true(rcc_gpio_clocked(&r, 0));
	rcc_write(&r, 0x58, 1u << 18, 4);
	assert_true(rcc_usart_clocked(&r, 3));

	rcc_init(&r, MCU_G0);
	rcc_write(&r, 0x08, 2, 4); /* SW = PLLRCLK, 3 bits */
	assert_int_equal((rcc_read(&r, 0x08, 4) >> 3) & 7, 2);
	rcc_write(&r, 0x34, 1, 4);
	assert_true(rcc_gpio_clocked(&r, 0));
	rcc_write(&r, 0x3C, 1u << 17, 4);
	assert_true(rcc_usart_clocked(&r, 2));

	rcc_init(&r, MCU_H7);
	rcc_write(&r, 0x00, rcc_read(&r, 0x00, 4) | 1u << 16 | 1u << 24, 4);
	assert_true(rcc_read(&r, 0x00, 4) & 1u << 17);
	assert_true(rcc_read(&r, 0x00, 4) & 1u << 25);
	rcc_write(&r, 0x10, 3, 4); /* CFGR at 0x10 on H7 */
	assert_int_equal((rcc_read(&r, 0x10, 4) >> 3) & 7, 3);
	rcc_write(&r, 0xE0, 1u << 1, 4); /* AHB4ENR.GPIOBEN */
	assert_true(rcc_gpio_clocked(&r, 1));
	/* a byte write merges */
	rcc_write(&r, 0xE8 + 2, 1u << 2, 1); /* APB1LENR bit 18: USART3 */
	assert_true(rcc_usart_clocked(&r, 3));
}

static void pwr_ready_bits(void **state)
{
	(void)state;
	struct periph_pwr p;
	pwr_init(&p, MCU_F4);
	assert_true(pwr_read(&p, 0x04, 4) & 1u << 14); /* VOSRDY */
	assert_false(pwr_read(&p, 0x04, 4) & 1u << 16);
	pwr_write(&p, 0x00, 1u << 16, 4); /* ODEN */
	assert_true(pwr_read(&p, 0x04, 4) & 1u << 16);
	pwr_write(&p, 0x00, 3u << 16, 4); /* ODSWEN */
	assert_true(pwr_read(&p, 0x04, 4) & 1u << 17);
	pwr_init(&p, MCU_H7);
	assert_true(pwr_read(&p, 0x04, 4) & 1u << 13); /* CSR1.ACTVOSRDY */
	pwr_write(&p, 0x18, 1u << 14, 4);               /* D3CR.VOS = scale 1 */
	assert_int_equal(pwr_read(&p, 0x18, 4), (1u << 14) | (1u << 13));
	pwr_init(&p, MCU_L4);
	assert_int_equal(pwr_read(&p, 0x14, 4), 0); /* SR2.VOSF: done */
	assert_int_equal(periph_pwr_base(MCU_H7), 0x58024800);
	assert_int_equal(periph_pwr_base(MCU_G0), 0x40007000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(f4_hse_pll_and_switch),
		cmocka_unit_test(other_families),
		cmocka_unit_test(pwr_ready_bits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
