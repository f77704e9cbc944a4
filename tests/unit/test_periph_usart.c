/* The console USART: both register layouts, bytes reaching the console only
 * when clocked, enabled and routed to the TX pin, status bits HAL polls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "periph.h"

static char console[256];
static size_t console_len;
static void to_console(void *ctx, uint8_t b)
{
	(void)ctx;
	console[console_len++] = (char)b;
}

static void send(struct periph_usart *u, uint32_t tdr, const char *s)
{
	for (; *s; s++)
		usart_write(u, tdr, (uint8_t)*s, 4);
}

static void f4_layout_prints_when_set_up(void **state)
{
	(void)state;
	struct periph_rcc r;
	struct periph_gpio g;
	struct periph_usart u;
	rcc_init(&r, MCU_F4);
	gpio_init(&g, MCU_F4, &r, (struct vclock){ 0 }, 16000000, NULL);
	usart_init(&u, 2, true, &r, &g, 0, 2, 7, NULL);
	u.out = to_console;
	console_len = 0;

	/* clock off: the write is lost, with the reason */
	usart_write(&u, 0x04, 'x', 4);
	assert_int_equal(u.lost, 1);
	assert_non_null(strstr(u.lost_why, "clock is off"));

	rcc_write(&r, 0x40, 1u << 17, 4); /* USART2EN */
	rcc_write(&r, 0x30, 1, 4);        /* GPIOAEN */
	usart_write(&u, 0x08, 139, 4);    /* BRR */
	usart_write(&u, 0x0C, (1u << 13) | (1u << 3), 4);
	assert_int_equal(usart_read(&u, 0x08, 4), 139);
	/* status: TXE and TC, no TEACK on the F4 */
	assert_int_equal(usart_read(&u, 0x00, 4), 0xC0);
	/* PA2 not in AF7 yet */
	send(&u, 0x04, "a");
	assert_int_equal(u.sent, 0);
	gpio_write(&g, 0x20, 7u << 8, 4);
	gpio_write(&g, 0x00, 0xA8000020u, 4);
	send(&u, 0x04, "blinky\r\n");
	assert_int_equal(u.sent, 8);
	assert_int_equal(console_len, 8);
	assert_memory_equal(console, "blinky\r\n", 8);
	assert_string_equal(u.text, "blinky\r\n");
	assert_int_equal(u.lost, 2);
	/* the first reason is kept */
	assert_non_null(strstr(u.lost_why, "clock is off"));
}

static void new_layout_and_teack(void **state)
{
	(void)state;
	struct periph_usart u;
	usart_init(&u, 3, false, NULL, NULL, -1, -1, -1, NULL);
	usart_write(&u, 0x28, 'z', 4);
	assert_int_equal(u.lost, 1);
	assert_non_null(strstr(u.lost_why, "USART3 is not enabled"));
	usart_write(&u, 0x00, 1u | (1u << 3) | (1u << 2), 4); /* UE TE RE */
	uint32_t isr = usart_read(&u, 0x1C, 4);
	assert_true(isr & (1u << 21)); /* TEACK */
	assert_true(isr & (1u << 22)); /* REACK */
	assert_true(isr & 0xC0);
	assert_false(isr & (1u << 5));
	usart_write(&u, 0x28, 'o', 4);
	usart_write(&u, 0x28, 'k', 1);
	assert_string_equal(u.text, "ok");
	/* a byte from the host */
	usart_rx(&u, 'R');
	assert_true(usart_read(&u, 0x1C, 4) & (1u << 5));
	assert_int_equal(usart_read(&u, 0x24, 4), 'R');
	assert_false(usart_read(&u, 0x1C, 4) & (1u << 5));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(f4_layout_prints_when_set_up),
		cmocka_unit_test(new_layout_and_teack),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
