/* GPIO ports: MODER/OTYPER/OSPEEDR/PUPDR/IDR/ODR/BSRR/LCKR/AFR (and BRR on
 * L4, G0, C0), one port every 0x400 bytes. A pin in output mode drives its ODR
 * bit; every change of a driven level is an event with the core's cycle count
 * (what the verdict counts as LED toggles). A port whose RCC clock is off
 * ignores writes, as on silicon, and says so once. */
#include "periph.h"

#include <string.h>

uint32_t periph_narrow_read(uint32_t reg, uint32_t off, unsigned width)
{
	uint32_t v = reg >> (8 * (off & 3));
	return width >= 4 ? v : v & ((1u << (8 * width)) - 1);
}

uint32_t periph_narrow_merge(uint32_t reg, uint32_t off, uint32_t val, unsigned width)
{
	if (width >= 4)
		return val;
	unsigned sh = 8 * (off & 3);
	uint32_t mask = ((1u << (8 * width)) - 1) << sh;
	return (reg & ~mask) | ((val << sh) & mask);
}

static bool has_brr(enum mcu_family f)
{
	return f == MCU_L4 || f == MCU_G0 || f == MCU_C0;
}

void gpio_init(struct periph_gpio *g, enum mcu_family family, const struct periph_rcc *rcc,
	       struct vclock clock, uint32_t hz, FILE *log)
{
	memset(g, 0, sizeof *g);
	g->family = family;
	g->rcc = rcc;
	g->clock = clock;
	g->hz = hz ? hz : 16000000;
	g->log = log;
	g->log_max = 32;
	for (unsigned p = 0; p < GPIO_PORTS; p++) {
		struct gpio_port *pt = &g->port[p];
		/* Reset values: PA13/PA14 (and on F4/F7/L4/H7 PA15, PB3, PB4) start
		 * as the debug port's alternate functions; the newer families start
		 * every other pin in analog mode. */
		switch (family) {
		case MCU_F2: case MCU_F4: case MCU_F7:
			pt->moder = p == 0 ? 0xA8000000u : p == 1 ? 0x00000280u : 0;
			pt->ospeedr = p == 0 ? 0x0C000000u : p == 1 ? 0x000000C0u : 0;
			pt->pupdr = p == 0 ? 0x64000000u : p == 1 ? 0x00000100u : 0;
			break;
		case MCU_L4: case MCU_H7:
			pt->moder = p == 0 ? 0xABFFFFFFu : p == 1 ? 0xFFFFFEBFu : 0xFFFFFFFFu;
			pt->ospeedr = p == 0 ? 0x0C000000u : 0;
			pt->pupdr = p == 0 ? 0x64000000u : p == 1 ? 0x00000100u : 0;
			break;
		case MCU_G0: case MCU_C0:
			pt->moder = p == 0 ? 0xEBFFFFFFu : 0xFFFFFFFFu;
			pt->ospeedr = p == 0 ? 0x0C000000u : 0;
			pt->pupdr = p == 0 ? 0x24000000u : 0;
			break;
		}
		for (unsigned i = 0; i < 16; i++)
			g->pin[p][i].level = -1;
	}
}

unsigned gpio_mode(const struct periph_gpio *g, unsigned port, unsigned pin)
{
	return port < GPIO_PORTS && pin < 16 ? (g->port[port].moder >> (2 * pin)) & 3 : 0;
}

unsigned gpio_af(const struct periph_gpio *g, unsigned port, unsigned pin)
{
	return port < GPIO_PORTS && pin < 16 ? (g->port[port].afr[pin / 8] >> (4 * (pin % 8))) & 15 : 0;
}

static uint64_t now(const struct periph_gpio *g)
{
	return g->clock.cycles ? g->clock.cycles(g->clock.ctx) : 0;
}

/* After any change of MODER or ODR: compare each pin's driven level. */
static void update_pins(struct periph_gpio *g, unsigned p)
{
	const struct gpio_port *pt = &g->port[p];
	for (unsigned i = 0; i < 16; i++) {
		struct gpio_pin_stats *s = &g->pin[p][i];
		int level = ((pt->moder >> (2 * i)) & 3) == 1 ? (int)((pt->odr >> i) & 1) : -1;
		if (level == s->level)
			continue;
		uint64_t t = now(g);
		bool toggle = s->level >= 0 && level >= 0;
		s->level = (int8_t)level;
		if (level < 0)
			continue; /* no longer driven by the port */
		if (toggle) {
			if (!s->toggles)
				s->first = t;
			s->toggles++;
			s->last = t;
		}
		g->changes++;
		if (g->nev < GPIO_EVENTS)
			g->ev[g->nev++] = (struct gpio_event){ t, (uint8_t)p, (uint8_t)i, (uint8_t)level };
		if (g->log && g->logged < g->log_max) {
			g->logged++;
			fprintf(g->log, "mcu: P%c%u %s at %.3f ms\n", 'A' + p, i, level ? "high" : "low",
				(double)t * 1000.0 / g->hz);
		} else if (g->log && g->logged == g->log_max) {
			g->logged++;
			fprintf(g->log, "mcu: (further pin changes are counted, not logged)\n");
		}
	}
}

static bool clocked(struct periph_gpio *g, unsigned p, uint32_t off)
{
	if (!g->rcc || rcc_gpio_clocked(g->rcc, p))
		return true;
	if (!g->warned_clock[p] && g->log) {
		fprintf(g->log, "mcu: GPIO%c+0x%02x written while its RCC clock is off: ignored\n",
			'A' + p, off);
	}
	g->warned_clock[p] = true;
	return false;
}

static uint32_t reg_read(struct periph_gpio *g, unsigned p, uint32_t off)
{
	const struct gpio_port *pt = &g->port[p];
	switch (off) {
	case 0x00: return pt->moder;
	case 0x04: return pt->otyper;
	case 0x08: return pt->ospeedr;
	case 0x0C: return pt->pupdr;
	case 0x10: {
		/* IDR: outputs read back their level; inputs their pull (up = 1). */
		uint32_t v = 0;
		for (unsigned i = 0; i < 16; i++) {
			unsigned mode = (pt->moder >> (2 * i)) & 3;
			if (mode == 1 ? (pt->odr >> i) & 1 : mode == 0 && ((pt->pupdr >> (2 * i)) & 3) == 1)
				v |= 1u << i;
		}
		return v;
	}
	case 0x14: return pt->odr;
	case 0x1C: return pt->lckr;
	case 0x20: return pt->afr[0];
	case 0x24: return pt->afr[1];
	default: return 0; /* BSRR and BRR read as 0 */
	}
}

uint32_t gpio_read(void *ctx, uint32_t off, unsigned width)
{
	struct periph_gpio *g = ctx;
	unsigned p = off / 0x400;
	if (p >= GPIO_PORTS)
		return 0;
	return periph_narrow_read(reg_read(g, p, off % 0x400 & ~3u), off, width);
}

void gpio_write(void *ctx, uint32_t off, uint32_t val, unsigned width)
{
	struct periph_gpio *g = ctx;
	unsigned p = off / 0x400;
	uint32_t r = off % 0x400 & ~3u;
	if (p >= GPIO_PORTS || !clocked(g, p, r))
		return;
	struct gpio_port *pt = &g->port[p];
	uint32_t v = periph_narrow_merge(reg_read(g, p, r), off, val, width);
	switch (r) {
	case 0x00: pt->moder = v; break;
	case 0x04: pt->otyper = v & 0xFFFF; break;
	case 0x08: pt->ospeedr = v; break;
	case 0x0C: pt->pupdr = v; break;
	case 0x14: pt->odr = v & 0xFFFF; break;
	case 0x18: /* BSRR: set wins over reset */
		pt->odr = ((pt->odr & ~(v >> 16)) | v) & 0xFFFF;
		break;
	case 0x1C: pt->lckr = v & 0x1FFFF; break;
	case 0x20: pt->afr[0] = v; break;
	case 0x24: pt->afr[1] = v; break;
	case 0x28:
		if (has_brr(g->family))
			pt->odr &= ~v & 0xFFFF;
		break;
	default:
		return;
	}
	update_pins(g, p);
}
