/* The peripheral models on a core, at the family's addresses (reference
 * manuals' memory maps): RCC, every GPIO port, the console USART, SysTick in
 * the SCS. Accesses elsewhere are the core's "unmodelled" log lines. */
#include "periph.h"

#include <stdlib.h>
#include <string.h>

uint32_t periph_gpio_base(enum mcu_family f)
{
	switch (f) {
	case MCU_F2: case MCU_F4: case MCU_F7: return 0x40020000; /* AHB1 */
	case MCU_L4: return 0x48000000;                          /* AHB2 */
	case MCU_G0: case MCU_C0: return 0x50000000;             /* IOPORT */
	case MCU_H7: return 0x58020000;                          /* AHB4 */
	}
	return 0;
}

uint32_t periph_rcc_base(enum mcu_family f)
{
	switch (f) {
	case MCU_F2: case MCU_F4: case MCU_F7: return 0x40023800;
	case MCU_L4: case MCU_G0: case MCU_C0: return 0x40021000;
	case MCU_H7: return 0x58024400;
	}
	return 0;
}

uint32_t periph_pwr_base(enum mcu_family f)
{
	return f == MCU_H7 ? 0x58024800 : 0x40007000;
}

uint32_t periph_usart_base(unsigned n)
{
	/* USART2..5 on APB1, the same on every family here. */
	return n >= 2 && n <= 5 ? 0x40004400u + 0x400u * (n - 2) : 0;
}

static uint64_t core_cycles(void *ctx)
{
	return mcu_cycles(ctx);
}

static void pend_systick(void *ctx)
{
	mcu_pend_exception(ctx, 15);
}

struct periph_set *periph_attach(struct mcu *m, const struct periph_config *cfg, char *msg,
				 size_t msglen)
{
	static const struct mcu_periph_ops rcc_ops = { rcc_read, rcc_write, NULL };
	static const struct mcu_periph_ops gpio_ops = { gpio_read, gpio_write, NULL };
	static const struct mcu_periph_ops pwr_ops = { pwr_read, pwr_write, NULL };
	static const struct mcu_periph_ops usart_ops = { usart_read, usart_write, NULL };
	static const struct mcu_periph_ops systick_ops = { systick_read, systick_write, systick_tick };
	struct periph_set *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(msg, msglen, "out of memory");
		return NULL;
	}
	p->mcu = m;
	p->hz = cfg->hz;
	p->cfg = *cfg;
	periph_reset(p);

	char name[16];
	snprintf(name, sizeof name, "USART%u", cfg->usart);
	if (mcu_map_periph(m, "RCC", periph_rcc_base(cfg->family), 0x400, &rcc_ops, &p->rcc) != 0 ||
	    mcu_map_periph(m, "PWR", periph_pwr_base(cfg->family), 0x400, &pwr_ops, &p->pwr) != 0 ||
	    mcu_map_periph(m, "GPIO", periph_gpio_base(cfg->family), GPIO_PORTS * 0x400, &gpio_ops,
			   &p->gpio) != 0 ||
	    (cfg->usart && mcu_map_periph(m, name, periph_usart_base(cfg->usart), 0x400, &usart_ops,
					  &p->usart) != 0) ||
	    mcu_map_periph(m, "SysTick", 0xE000E010, 0x10, &systick_ops, &p->systick) != 0) {
		snprintf(msg, msglen, "the core refused a peripheral region (mcu_map_periph)");
		free(p);
		return NULL;
	}
	return p;
}

void periph_reset(struct periph_set *p)
{
	const struct periph_config *cfg = &p->cfg;
	struct vclock clk = { core_cycles, p->mcu };
	rcc_init(&p->rcc, cfg->family);
	pwr_init(&p->pwr, cfg->family);
	gpio_init(&p->gpio, cfg->family, &p->rcc, clk, cfg->hz, cfg->log);
	usart_init(&p->usart, cfg->usart, cfg->family == MCU_F4 || cfg->family == MCU_F2, &p->rcc,
		   &p->gpio, cfg->tx_port, cfg->tx_pin, cfg->tx_af, cfg->log);
	p->usart.out = cfg->console;
	p->usart.out_ctx = cfg->console_ctx;
	systick_init(&p->systick, clk, cfg->hz, cfg->log);
	p->systick.pend = pend_systick;
	p->systick.pend_ctx = p->mcu;
}

void periph_free(struct periph_set *p)
{
	free(p);
}
