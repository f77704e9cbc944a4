/* The STM32H74x/75x flash controller (RM0433; OpenOCD's stm32h7x driver):
 * two banks of 128 KiB sectors, each with its own KEYR/CR/SR/CCR (bank 2's
 * 0x100 above bank 1's); 256-bit flash words collected in a write buffer
 * and programmed when the 32nd byte arrives (or CR.FW forces it); sector
 * erase SER/SNB/START, bank erase BER; option bytes through OPTKEYR, OPTCR
 * and OPTSR_PRG with the RDP byte. PSIZE is the parallelism for the supply
 * voltage and does not limit the store width, as on silicon.
 * Operations finish at once (SR.QW and BSY never read 1).
 *
 * Programming a flash word that is not erased is flagged as PGSERR here
 * (silicon would give ECC errors when the word is read later). */
#include "flashctl_common.h"

#include <string.h>

#define KEYR 0x04
#define OPTKEYR 0x08
#define CR 0x0C
#define SR 0x10
#define CCR 0x14
#define OPTCR 0x18
#define OPTSR_CUR 0x1C
#define OPTSR_PRG 0x20
#define OPTCCR 0x24

#define CR_LOCK (1u << 0)
#define CR_PG (1u << 1)
#define CR_SER (1u << 2)
#define CR_BER (1u << 3)
#define CR_FW (1u << 6)
#define CR_START (1u << 7)
#define CR_EOPIE (1u << 16)

#define SR_EOP (1u << 16)
#define SR_WRPERR (1u << 17)
#define SR_PGSERR (1u << 18)
#define SR_STRBERR (1u << 19)
#define SR_INCERR (1u << 21)
#define SR_OPERR (1u << 22)
#define SR_W1C 0x0FEF0000u

#define OPT_LOCK (1u << 0)
#define OPT_START (1u << 1)

#define WORD 32u

static unsigned sectors_per_bank(const struct mcu *m)
{
	unsigned n = m->flash->nsect;
	return n > 8 ? n / 2 : n;
}

static void h7_power_on(struct mcu *m, unsigned rdp_level)
{
	flashctl_power_on_rdp(m, rdp_level);
	m->fcs.optr = 0x1606AAF0u;
	m->fcs.optr = (m->fcs.optr & ~0xFF00u) | (uint32_t)m->fcs.rdp << 8;
	m->fcs.optr_prg = m->fcs.optr;
}

static void h7_reset(struct mcu *m)
{
	struct flashctl_state *s = &m->fcs;
	for (unsigned b = 0; b < 2; b++) {
		s->bank[b].cr = 0x30; /* PSIZE x64 */
		s->bank[b].sr = 0;
		s->bank[b].locked = true;
		s->bank[b].key_stage = 0;
		s->bank[b].key_fail = false;
	}
	s->opt_locked = true;
	s->optkey_stage = 0;
	s->latch_fill = 0;
	s->optr_prg = s->optr;
}

static uint32_t h7_read(struct mcu *m, uint32_t off)
{
	struct flashctl_state *s = &m->fcs;
	unsigned b = off >= 0x100 ? 1 : 0;
	uint32_t o = off & 0xFF;
	switch (o) {
	case CR: return s->bank[b].cr | (s->bank[b].locked ? CR_LOCK : 0);
	case SR: return s->bank[b].sr | (s->latch_fill ? 0x2u : 0); /* WBNE */
	case OPTCR: return (s->opt_locked ? OPT_LOCK : 0);
	case OPTSR_CUR: return s->optr;
	case OPTSR_PRG: return s->optr_prg;
	case KEYR:
	case OPTKEYR:
	case CCR: return 0;
	default: return off / 4 < 64 ? s->regs[off / 4] : 0;
	}
}

static void h7_erase(struct mcu *m, unsigned b)
{
	struct flashctl_state *s = &m->fcs;
	uint32_t cr = s->bank[b].cr;
	unsigned per = sectors_per_bank(m);
	if (flashctl_debugger_locked_out(m)) {
		s->bank[b].sr |= SR_WRPERR;
		return;
	}
	if (cr & CR_BER) {
		unsigned first = b * per, end = first + per;
		if (end > m->flash->nsect) {
			s->bank[b].sr |= SR_OPERR;
			return;
		}
		if (!flashctl_erase_sectors(m, first, end))
			s->bank[b].sr |= SR_WRPERR;
		mcu_logf(m, "bank %u erase (%u KiB)", b + 1, flashctl_span_kib(m->flash, first, end));
	} else if (cr & CR_SER) {
		unsigned sec = b * per + ((cr >> 8) & 0x7);
		if (sec >= m->flash->nsect) {
			s->bank[b].sr |= SR_OPERR;
			return;
		}
		if (mcu_flash_erase_sector(m, sec) != VF_OK)
			s->bank[b].sr |= SR_WRPERR;
	} else {
		return;
	}
	if (cr & CR_EOPIE)
		s->bank[b].sr |= SR_EOP;
}

static void apply_options(struct mcu *m)
{
	struct flashctl_state *s = &m->fcs;
	uint8_t rdp = (uint8_t)(s->optr_prg >> 8);
	if (flashctl_apply_rdp(m, rdp))
		s->optr = s->optr_prg;
}

/* Program the collected flash word; bytes not written stay 0xFF. */
static void flush_word(struct mcu *m, unsigned b)
{
	struct flashctl_state *s = &m->fcs;
	s->latch_fill = 0;
	if (!flashctl_all_erased(s->latch_old, WORD)) {
		s->bank[b].sr |= SR_PGSERR;
		return;
	}
	if (mcu_flash_program(m, s->latch_addr, s->latch_new, WORD) == VF_PROTECTED)
		s->bank[b].sr |= SR_WRPERR;
	else if (s->bank[b].cr & CR_EOPIE)
		s->bank[b].sr |= SR_EOP;
}

static void h7_write(struct mcu *m, uint32_t off, uint32_t v)
{
	struct flashctl_state *s = &m->fcs;
	unsigned b = off >= 0x100 ? 1 : 0;
	uint32_t o = off & 0xFF;
	switch (o) {
	case KEYR:
		flashctl_key_write(m, v, &s->bank[b].key_stage, &s->bank[b].locked, &s->bank[b].key_fail,
				   b ? "FLASH_KEYR2" : "FLASH_KEYR1");
		break;
	case OPTKEYR:
		flashctl_optkey_write(v, &s->optkey_stage, &s->opt_locked);
		break;
	case CCR:
		s->bank[b].sr &= ~(v & SR_W1C);
		break;
	case CR:
		if (s->bank[b].locked)
			break;
		s->bank[b].cr = v & ~(CR_LOCK | CR_START | CR_FW);
		if ((v & CR_FW) && s->latch_fill)
			flush_word(m, b);
		if (v & CR_START)
			h7_erase(m, b);
		if (v & CR_LOCK)
			s->bank[b].locked = true;
		break;
	case OPTCR:
		if (s->opt_locked)
			break;
		if (v & OPT_START)
			apply_options(m);
		if (v & OPT_LOCK)
			s->opt_locked = true;
		break;
	case OPTSR_PRG:
		if (!s->opt_locked)
			s->optr_prg = v;
		break;
	case OPTCCR:
		break;
	default:
		if (off / 4 < 64)
			s->regs[off / 4] = v;
		break;
	}
}

static void h7_store(struct mcu *m, uint32_t addr, uint32_t v, unsigned width)
{
	struct flashctl_state *s = &m->fcs;
	unsigned per = sectors_per_bank(m);
	int sec = vflash_sector_of(m->flash, addr);
	unsigned b = sec >= 0 && (unsigned)sec >= per && m->flash->nsect > per ? 1 : 0;
	if (s->bank[b].locked || !(s->bank[b].cr & CR_PG) || (s->bank[b].cr & (CR_SER | CR_BER))) {
		s->bank[b].sr |= SR_PGSERR;
		return;
	}
	if (flashctl_debugger_locked_out(m)) {
		s->bank[b].sr |= SR_WRPERR;
		return;
	}
	uint32_t word = addr & ~(WORD - 1);
	if (s->latch_fill && word != s->latch_addr) {
		/* a store into another flash word before this one completed */
		s->bank[b].sr |= SR_INCERR;
		s->latch_fill = 0;
		return;
	}
	if (!s->latch_fill) {
		s->latch_addr = word;
		memcpy(s->latch_old, m->flash->mem + (word - m->flash->base), WORD);
		memset(s->latch_new, 0xFF, WORD);
	}
	mcu_le_put(s->latch_new + (addr - word), v, width);
	s->latch_fill += width;
	if (s->latch_fill >= WORD)
		flush_word(m, b);
}

const struct flashctl_ops mcu_flashctl_h7 = {
	.reset = h7_reset,
	.reg_read = h7_read,
	.reg_write = h7_write,
	.store = h7_store,
	.power_on = h7_power_on,
};
