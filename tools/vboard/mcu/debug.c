/* Halting debug as a probe sees it on the Private Peripheral Bus: the SCB
 * registers OpenOCD's cortex_m code touches, DHCSR/DCRSR/DCRDR/DEMCR, the FPB
 * (breakpoints), the DWT (comparators stored, no watchpoints) and a ROM table.
 * Unknown words read as zero, writes to them are ignored. */
#include "mcu_int.h"

#define DBGKEY 0xA05Fu
#define C_DEBUGEN 0x1u
#define C_HALT 0x2u
#define C_STEP 0x4u
#define C_MASKINTS 0x8u
#define C_SNAPSTALL 0x20u
#define S_REGRDY (1u << 16)
#define S_HALT (1u << 17)
#define S_SLEEP (1u << 18)
#define S_LOCKUP (1u << 19)
#define S_RETIRE_ST (1u << 24)
#define S_RESET_ST (1u << 25)

#define FP_CTRL 0xE0002000u
#define FP_COMP0 0xE0002008u
#define DWT_CTRL 0xE0001000u

static bool fpb_v2(const struct mcu *m)
{
	/* Cortex-M7 implements FPB architecture revision 2 (FP_CTRL.REV = 1);
	 * the M4 and M0+ revision 1. */
	return ((m->chip.cpuid >> 4) & 0xFFF) == 0xC27;
}

static bool is_m0(const struct mcu *m)
{
	return ((m->chip.cpuid >> 4) & 0xFFF) == 0xC60;
}

static unsigned fp_ncode(const struct mcu *m)
{
	return is_m0(m) ? 4 : fpb_v2(m) ? 8 : MCU_FP_NCODE;
}

static unsigned fp_nlit(const struct mcu *m)
{
	return is_m0(m) || fpb_v2(m) ? 0 : MCU_FP_NLIT;
}

static void fpb_update(struct mcu *m)
{
	m->fp_active = 0;
	if (!m->fp_ctrl_enable)
		return;
	for (unsigned i = 0; i < fp_ncode(m); i++)
		if (m->fp_comp[i] & 1)
			m->fp_active++;
}

bool mcu_fpb_match(const struct mcu *m, uint32_t pc)
{
	for (unsigned i = 0; i < fp_ncode(m); i++) {
		uint32_t c = m->fp_comp[i];
		if (!(c & 1))
			continue;
		if (fpb_v2(m)) {
			if ((c & ~1u) == pc)
				return true;
			continue;
		}
		/* rev 1: COMP[28:2] is the word, REPLACE picks the halfword(s) */
		uint32_t word = c & 0x1FFFFFFCu, replace = c >> 30;
		if (((replace & 1) && pc == word) || ((replace & 2) && pc == word + 2))
			return true;
	}
	return false;
}

static uint32_t dhcsr_read(struct mcu *m)
{
	uint32_t v = m->dhcsr_ctrl & (C_DEBUGEN | C_HALT | C_STEP | C_MASKINTS | C_SNAPSTALL);
	if (m->halted)
		v |= S_HALT | S_REGRDY;
	if (m->locked_up)
		v |= S_LOCKUP;
	if (m->sleeping && !m->halted)
		v |= S_SLEEP;
	if (m->s_retire_st)
		v |= S_RETIRE_ST;
	if (m->s_reset_st)
		v |= S_RESET_ST;
	m->s_retire_st = false; /* sticky bits clear on read */
	m->s_reset_st = false;
	return v;
}

static void dhcsr_write(struct mcu *m, uint32_t v)
{
	if ((v >> 16) != DBGKEY)
		return; /* writes without the key are ignored */
	m->dhcsr_ctrl = v & (C_DEBUGEN | C_HALT | C_STEP | C_MASKINTS | C_SNAPSTALL);
	if (!(v & C_DEBUGEN)) {
		/* debug disabled: the core leaves debug state and runs */
		m->dhcsr_ctrl = 0;
		mcu_resume(m);
		return;
	}
	if (v & C_HALT) {
		if (!m->halted)
			mcu_halt(m);
		return;
	}
	if (!m->halted)
		return;
	if (v & C_STEP)
		mcu_step(m);
	else
		mcu_resume(m);
}

static uint32_t fp_ctrl_read(const struct mcu *m)
{
	unsigned nc = fp_ncode(m), nl = fp_nlit(m);
	uint32_t rev = fpb_v2(m) ? 1u : 0u;
	return rev << 28 | (nc >> 4 & 0x7) << 12 | (nl & 0xF) << 8 | (nc & 0xF) << 4 | m->fp_ctrl_enable;
}

static uint32_t rom_table(uint32_t off)
{
	switch (off) {
	case 0x000: return 0xFFF0F003; /* SCS */
	case 0x004: return 0xFFF02003; /* DWT */
	case 0x008: return 0xFFF03003; /* FPB */
	case 0x00C: return 0xFFF01003; /* ITM */
	case 0xFCC: return 0x00000001; /* MEMTYPE: system memory present */
	case 0xFD0: return 0x04;       /* PIDR4 */
	case 0xFE0: return 0xC4;       /* PIDR0..3: ARM, a Cortex-M4 ROM table */
	case 0xFE4: return 0xB4;
	case 0xFE8: return 0x0B;
	case 0xFEC: return 0x00;
	case 0xFF0: return 0x0D;       /* CIDR: class 1 ROM table */
	case 0xFF4: return 0x10;
	case 0xFF8: return 0x05;
	case 0xFFC: return 0xB1;
	default: return 0;
	}
}

/* NVIC word i of ISER/ICER/ISPR/ICPR covers IRQ 32i..32i+31, exceptions
 * 16+32i..: kept as bit masks by exception number. */
static uint32_t irq_word(const uint32_t *by_exc, unsigned i)
{
	unsigned e = 16 + 32 * i;
	uint32_t lo = by_exc[e / 32] >> (e % 32);
	uint32_t hi = e / 32 + 1 < MCU_PEND_WORDS ? by_exc[e / 32 + 1] << (32 - e % 32) : 0;
	return lo | hi;
}

static void irq_word_update(uint32_t *by_exc, unsigned i, uint32_t bits, bool set)
{
	for (unsigned b = 0; b < 32; b++) {
		if (!(bits & (1u << b)))
			continue;
		unsigned e = 16 + 32 * i + b;
		if (e / 32 >= MCU_PEND_WORDS)
			break;
		if (set)
			by_exc[e / 32] |= 1u << (e % 32);
		else
			by_exc[e / 32] &= ~(1u << (e % 32));
	}
}

static bool nvic_access(struct mcu *m, uint32_t addr, uint32_t *v, bool write)
{
	if (addr < 0xE000E100u || addr >= 0xE000E300u)
		return false;
	unsigned i = (addr & 0x7F) / 4;
	if ((addr & 0x7F) >= 0x20)
		return true; /* past the implemented words: reads as zero */
	bool pending = addr >= 0xE000E200u;
	uint32_t *by_exc = pending ? m->pend : m->nvic_enabled;
	bool set = (addr & 0x80) == 0; /* ISER/ISPR at +0, ICER/ICPR at +0x80 */
	if (write)
		irq_word_update(by_exc, i, *v, set);
	else
		*v = irq_word(by_exc, i);
	return true;
}

/* Priority bytes: SHPR1-3 (exceptions 4-15) and NVIC IPR (IRQs), four per
 * word; only the implemented high bits stick. */
static bool prio_access(struct mcu *m, uint32_t addr, uint32_t *v, bool write)
{
	unsigned first;
	if (addr >= 0xE000ED18u && addr < 0xE000ED24u)
		first = 4 + (addr - 0xE000ED18u);
	else if (addr >= 0xE000E400u && addr < 0xE000E400u + 32 * MCU_PEND_WORDS - 16)
		first = 16 + (addr - 0xE000E400u);
	else
		return false;
	if (!write)
		*v = 0;
	for (unsigned i = 0; i < 4; i++) {
		if (write)
			m->prio[first + i] = (uint8_t)(*v >> (8 * i)) & mcu_prio_mask(m);
		else
			*v |= (uint32_t)m->prio[first + i] << (8 * i);
	}
	return true;
}

bool mcu_scs_read(struct mcu *m, uint32_t addr, uint32_t *v)
{
	*v = 0;
	if (nvic_access(m, addr, v, false) || prio_access(m, addr, v, false))
		return true;
	if (addr >= 0xE00FF000u) {
		*v = rom_table(addr - 0xE00FF000u);
		return true;
	}
	if (addr == FP_CTRL) {
		*v = fp_ctrl_read(m);
		return true;
	}
	if (addr >= FP_COMP0 && addr < FP_COMP0 + 4 * (MCU_FP_NCODE + MCU_FP_NLIT + 2)) {
		unsigned i = (addr - FP_COMP0) / 4;
		if (i < fp_ncode(m) + fp_nlit(m))
			*v = m->fp_comp[i];
		return true;
	}
	if (addr == DWT_CTRL) {
		*v = is_m0(m) ? (2u << 28) : m->dwt_ctrl;
		return true;
	}
	if (addr == 0xE0001004u) { /* DWT_CYCCNT */
		*v = (uint32_t)m->cycles;
		return true;
	}
	if (addr >= 0xE0001020u && addr < 0xE0001020u + 16 * MCU_DWT_NCOMP) {
		uint32_t o = addr - 0xE0001020u;
		if ((o & 0xF) < 12)
			*v = m->dwt_comp[o / 16][(o & 0xF) / 4];
		return true;
	}
	switch (addr) {
	case 0xE000ED00: *v = m->chip.cpuid; return true;
	case 0xE000ED04: { /* ICSR: VECTACTIVE from IPSR */
		uint32_t ipsr = 0;
		uc_reg_read(m->uc, UC_ARM_REG_IPSR, &ipsr);
		*v = (ipsr & 0x1FF) | ((m->pend[0] >> 14) & 1) << 28 | ((m->pend[0] >> 15) & 1) << 26;
		return true;
	}
	case 0xE000ED08: *v = m->vtor; return true;
	case 0xE000ED0C: *v = 0xFA050000u | (m->aircr_prigroup & 7) << 8; return true;
	case 0xE000ED10: *v = m->scr; return true;
	case 0xE000ED14: *v = m->ccr; return true;
	case 0xE000ED24: *v = m->shcsr; return true;
	case 0xE000ED28: *v = m->cfsr; return true;
	case 0xE000ED2C: *v = m->hfsr; return true;
	case 0xE000ED30: *v = m->dfsr; return true;
	case 0xE000ED34: *v = m->mmfar; return true;
	case 0xE000ED38: *v = m->bfar; return true;
	case 0xE000ED88: *v = m->cpacr; return true;
	case 0xE000EDF0: *v = dhcsr_read(m); return true;
	case 0xE000EDF4: return true; /* DCRSR is write-only */
	case 0xE000EDF8: *v = m->dcrdr; return true;
	case 0xE000EDFC: *v = m->demcr; return true;
	case 0xE000EF40: /* MVFR0/1: the FPU OpenOCD looks for */
		*v = is_m0(m) ? 0 : fpb_v2(m) ? 0x10110221u : 0x10110021u;
		return true;
	case 0xE000EF44:
		*v = is_m0(m) ? 0 : fpb_v2(m) ? 0x12000011u : 0x11000011u;
		return true;
	default: return false;
	}
}

bool mcu_scs_write(struct mcu *m, uint32_t addr, uint32_t v)
{
	if (nvic_access(m, addr, &v, true) || prio_access(m, addr, &v, true))
		return true;
	if (addr == FP_CTRL) {
		if (v & 2) /* KEY */
			m->fp_ctrl_enable = v & 1;
		fpb_update(m);
		return true;
	}
	if (addr >= FP_COMP0 && addr < FP_COMP0 + 4 * (MCU_FP_NCODE + MCU_FP_NLIT + 2)) {
		unsigned i = (addr - FP_COMP0) / 4;
		if (i < fp_ncode(m) + fp_nlit(m))
			m->fp_comp[i] = v;
		fpb_update(m);
		return true;
	}
	if (addr == DWT_CTRL) {
		m->dwt_ctrl = (m->dwt_ctrl & 0xF0000000u) | (v & 0x0FFFFFFFu);
		return true;
	}
	if (addr >= 0xE0001020u && addr < 0xE0001020u + 16 * MCU_DWT_NCOMP) {
		uint32_t o = addr - 0xE0001020u;
		if ((o & 0xF) < 12)
			m->dwt_comp[o / 16][(o & 0xF) / 4] = v;
		return true;
	}
	switch (addr) {
	case 0xE000ED04: /* ICSR: PENDSVSET, PENDSTSET, and their clear bits */
		if (v & (1u << 28))
			mcu_pend_exception(m, 14);
		if (v & (1u << 27))
			m->pend[0] &= ~(1u << 14);
		if (v & (1u << 26))
			mcu_pend_exception(m, 15);
		if (v & (1u << 25))
			m->pend[0] &= ~(1u << 15);
		return true;
	case 0xE000ED08: m->vtor = v & 0xFFFFFF80u; return true;
	case 0xE000ED0C:
		if ((v >> 16) != 0x05FA)
			return true; /* VECTKEY missing: ignored */
		m->aircr_prigroup = (v >> 8) & 7;
		if (v & 0x4) /* SYSRESETREQ */
			m->reset_pending = 2;
		else if (v & 0x1) /* VECTRESET: the core only */
			m->reset_pending = 1;
		if (m->reset_pending && !m->in_emu)
			mcu_do_pending_reset(m);
		else if (m->reset_pending)
			uc_emu_stop(m->uc);
		return true;
	case 0xE000ED10: m->scr = v; return true;
	case 0xE000ED14: m->ccr = v; return true;
	case 0xE000ED24: m->shcsr = v; return true;
	case 0xE000ED28: m->cfsr &= ~v; return true;
	case 0xE000ED2C: m->hfsr &= ~v; return true;
	case 0xE000ED30: m->dfsr &= ~v; return true; /* write one to clear */
	case 0xE000ED88: m->cpacr = v; return true;
	case 0xE000EDF0:
		if (!m->in_emu)
			dhcsr_write(m, v);
		return true;
	case 0xE000EDF4: {
		unsigned regsel = v & 0x7F;
		if (!m->halted)
			return true; /* S_REGRDY stays 0: the transfer does not happen */
		if (v & (1u << 16))
			mcu_reg_write(m, regsel, m->dcrdr);
		else
			mcu_reg_read(m, regsel, &m->dcrdr);
		return true;
	}
	case 0xE000EDF8: m->dcrdr = v; return true;
	case 0xE000EDFC: m->demcr = v & 0x010F07F1u; return true;
	default: return false;
	}
}
