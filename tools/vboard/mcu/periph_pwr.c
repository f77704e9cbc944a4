/* PWR: what clock set-up code waits for. HAL's SystemClock_Config raises the
 * core voltage and, on F42x/F446/F7, enables over-drive before the PLL
 * becomes the system clock, then polls for ready bits; on H7 it waits for
 * ACTVOSRDY and VOSRDY after choosing the supply. Those read 1 here (the
 * regulator is ready at once); everything else is a plain register.
 * RM0090/RM0410 PWR_CSR: VOSRDY 14, ODRDY 16 (CR.ODEN 16), ODSWRDY 17
 * (CR.ODSWEN 17); RM0433 PWR_CSR1.ACTVOSRDY 13, PWR_D3CR.VOSRDY 13. */
#include "periph.h"

#include <string.h>

void pwr_init(struct periph_pwr *p, enum mcu_family family)
{
	memset(p, 0, sizeof *p);
	p->family = family;
	if (family == MCU_H7)
		p->r[0x18 / 4] = 3u << 14; /* D3CR.VOS reset value (scale 3) */
}

uint32_t pwr_read(void *ctx, uint32_t off, unsigned width)
{
	struct periph_pwr *p = ctx;
	if (off >= sizeof p->r)
		return 0;
	uint32_t r = off & ~3u, v = p->r[r / 4];
	switch (p->family) {
	case MCU_F2: case MCU_F4: case MCU_F7:
		if (r == 0x04) {
			uint32_t cr = p->r[0];
			v |= 1u << 14;
			v = (cr & (1u << 16)) ? v | 1u << 16 : v & ~(1u << 16);
			v = (cr & (1u << 17)) ? v | 1u << 17 : v & ~(1u << 17);
		}
		break;
	case MCU_H7:
		if (r == 0x04 || r == 0x18)
			v |= 1u << 13;
		break;
	default:
		break; /* L4/G0/C0: VOSF and REGLPF read 0: the regulator is ready */
	}
	return periph_narrow_read(v, off, width);
}

void pwr_write(void *ctx, uint32_t off, uint32_t val, unsigned width)
{
	struct periph_pwr *p = ctx;
	if (off < sizeof p->r)
		p->r[off / 4] = periph_narrow_merge(p->r[off / 4], off, val, width);
}
