/* RCC: the clock enables the other models look at (a GPIO port or USART whose
 * clock is off ignores writes, as on silicon), and the handshakes start-up
 * code waits for: an oscillator or PLL turned on in CR is ready at once, and
 * CFGR's SWS follows SW. Everything else is a plain register. */
#include "periph.h"

#include <string.h>

struct ready_pair {
	uint8_t on, rdy;
};

struct rcc_layout {
	uint32_t cr_reset, gpio_en, apb1_en, cr, cfgr, sw_bits;
	uint32_t bdcr, csr; /* LSEON/LSERDY and LSION/LSIRDY (bits 0/1) */
	struct ready_pair pairs[8];
};

static const struct rcc_layout *layout(enum mcu_family f)
{
	/* RM0090/RM0410: HSI 0/1, HSE 16/17, PLL 24/25, PLLI2S 26/27, PLLSAI 28/29. */
	static const struct rcc_layout f4 = { 0x00000083, 0x30, 0x40, 0x00, 0x08, 2, 0x70, 0x74,
		{ { 0, 1 }, { 16, 17 }, { 24, 25 }, { 26, 27 }, { 28, 29 } } };
	/* RM0351: MSI 0/1, HSI 8/10, HSE 16/17, PLL 24/25, PLLSAI1 26/27, PLLSAI2 28/29. */
	static const struct rcc_layout l4 = { 0x00000063, 0x4C, 0x58, 0x00, 0x08, 2, 0x90, 0x94,
		{ { 0, 1 }, { 8, 10 }, { 16, 17 }, { 24, 25 }, { 26, 27 }, { 28, 29 } } };
	/* RM0444/RM0490: HSI 8/10, HSE 16/17, PLL 24/25 (G0); SW/SWS are 3 bits. */
	static const struct rcc_layout g0 = { 0x00000500, 0x34, 0x3C, 0x00, 0x08, 3, 0x5C, 0x60,
		{ { 8, 10 }, { 16, 17 }, { 24, 25 } } };
	/* RM0433: HSI 0/2, CSI 7/8, HSI48 12/13, HSE 16/17, PLL1..3 24..29. */
	static const struct rcc_layout h7 = { 0x0000C025, 0xE0, 0xE8, 0x00, 0x10, 3, 0x70, 0x74,
		{ { 0, 2 }, { 7, 8 }, { 12, 13 }, { 16, 17 }, { 24, 25 }, { 26, 27 }, { 28, 29 } } };
	switch (f) {
	case MCU_L4: return &l4;
	case MCU_G0: case MCU_C0: return &g0;
	case MCU_H7: return &h7;
	default: return &f4;
	}
}

void rcc_init(struct periph_rcc *r, enum mcu_family family)
{
	const struct rcc_layout *l = layout(family);
	memset(r, 0, sizeof *r);
	r->family = family;
	r->gpio_en = l->gpio_en;
	r->apb1_en = l->apb1_en;
	r->cr = l->cr;
	r->cfgr = l->cfgr;
	r->r[l->cr / 4] = l->cr_reset;
	if (family == MCU_F4 || family == MCU_F2 || family == MCU_F7)
		r->r[0x04 / 4] = 0x24003010; /* PLLCFGR */
}

uint32_t rcc_read(void *ctx, uint32_t off, unsigned width)
{
	struct periph_rcc *r = ctx;
	return off < 0x400 ? periph_narrow_read(r->r[off / 4], off, width) : 0;
}

void rcc_write(void *ctx, uint32_t off, uint32_t val, unsigned width)
{
	struct periph_rcc *r = ctx;
	if (off >= 0x400)
		return;
	const struct rcc_layout *l = layout(r->family);
	uint32_t i = off / 4, v = periph_narrow_merge(r->r[i], off, val, width);
	if (i == l->cr / 4) {
		for (unsigned k = 0; k < 8 && (l->pairs[k].on || l->pairs[k].rdy); k++) {
			uint32_t rdy = 1u << l->pairs[k].rdy;
			v = (v >> l->pairs[k].on) & 1 ? v | rdy : v & ~rdy;
		}
	} else if (i == l->cfgr / 4) {
		uint32_t mask = (1u << l->sw_bits) - 1;
		v = (v & ~(mask << l->sw_bits)) | ((v & mask) << l->sw_bits);
	} else if (i == l->bdcr / 4 || i == l->csr / 4) {
		v = v & 1 ? v | 2 : v & ~2u;
	}
	r->r[i] = v;
}

bool rcc_gpio_clocked(const struct periph_rcc *r, unsigned port)
{
	return (r->r[r->gpio_en / 4] >> port) & 1;
}

bool rcc_usart_clocked(const struct periph_rcc *r, unsigned usart)
{
	/* USART2..5 are bits 17..20 of the APB1 enable register on every family here. */
	return usart >= 2 && usart <= 5 && ((r->r[r->apb1_en / 4] >> (15 + usart)) & 1);
}
