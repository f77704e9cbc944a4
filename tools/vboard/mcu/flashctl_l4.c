/* The STM32L4/G0/C0 flash controller (RM0351, RM0444, RM0490; OpenOCD's
 * stm32l4x driver): 2 KiB pages, 64-bit double-word programming by two
 * 32-bit stores (the first latched, the second programs both), PER/PNB/BKER
 * page erase, MER1/MER2 bank erase, OPTR with the RDP byte applied by
 * OPTSTRT (leaving level 1 mass-erases), OBL_LAUNCH as a system reset.
 * Operations finish at once (SR.BSY never reads 1). */
#include "flashctl_common.h"

#include <string.h>

#define ACR 0x00
#define KEYR 0x08
#define OPTKEYR 0x0C
#define SR 0x10
#define CR 0x14
#define OPTR 0x20

#define CR_PG (1u << 0)
#define CR_PER (1u << 1)
#define CR_MER1 (1u << 2)
#define CR_BKER_L4 (1u << 11)
#define CR_BKER_G0 (1u << 13)
#define CR_MER2 (1u << 15)
#define CR_STRT (1u << 16)
#define CR_OPTSTRT (1u << 17)
#define CR_EOPIE (1u << 24)
#define CR_OBL_LAUNCH (1u << 27)
#define CR_OPTLOCK (1u << 30)
#define CR_LOCK (1u << 31)

#define SR_EOP (1u << 0)
#define SR_OPERR (1u << 1)
#define SR_PROGERR (1u << 3)
#define SR_WRPERR (1u << 4)
#define SR_PGAERR (1u << 5)
#define SR_SIZERR (1u << 6)
#define SR_PGSERR (1u << 7)
#define SR_MISERR (1u << 8)
#define SR_W1C 0xC3FBu

static bool is_g0(const struct mcu *m)
{
	return m->chip.family == MCU_G0 || m->chip.family == MCU_C0;
}

/* Pages of the first bank: the 1 MiB L47x/L48x is dual bank, the others
 * here (G0x1, C0) single. */
static unsigned bank1_pages(const struct mcu *m)
{
	unsigned n = m->flash->nsect;
	if (!is_g0(m) && m->flash->size >= 1024 * 1024)
		return n / 2;
	return n;
}

static void l4_power_on(struct mcu *m, unsigned rdp_level)
{
	m->fcs.optr = is_g0(m) ? 0xDFFFE1AAu : 0xFFEFF8AAu;
	flashctl_power_on_rdp(m, rdp_level);
	m->fcs.optr = (m->fcs.optr & ~0xFFu) | m->fcs.rdp;
	m->fcs.optr_prg = m->fcs.optr;
}

static void l4_reset(struct mcu *m)
{
	struct flashctl_state *s = &m->fcs;
	s->cr = 0;
	s->sr = 0;
	s->cr_locked = s->opt_locked = true;
	s->key_stage = s->optkey_stage = 0;
	s->key_fail = false;
	s->latch_fill = 0;
	s->optr_prg = s->optr;
}

static uint32_t l4_read(struct mcu *m, uint32_t off)
{
	struct flashctl_state *s = &m->fcs;
	switch (off) {
	case ACR: return s->acr;
	case SR: return s->sr;
	case CR: return s->cr | (s->cr_locked ? CR_LOCK : 0) | (s->opt_locked ? CR_OPTLOCK : 0);
	case OPTR: return s->optr_prg;
	case KEYR:
	case OPTKEYR: return 0;
	default:
		return off / 4 < 64 ? s->regs[off / 4] : 0;
	}
}

static void erase_pages(struct mcu *m, unsigned first, unsigned end)
{
	if (!flashctl_erase_sectors(m, first, end))
		m->fcs.sr |= SR_WRPERR;
	mcu_logf(m, "erase pages %u-%u (0x%08x, %u KiB)", first, end - 1, vflash_sector_addr(m->flash, first),
		 flashctl_span_kib(m->flash, first, end));
}

static void l4_start(struct mcu *m)
{
	struct flashctl_state *s = &m->fcs;
	if (flashctl_debugger_locked_out(m)) {
		s->sr |= SR_WRPERR;
		mcu_logf(m, "erase refused: read protection (RDP level 1) with a debugger attached");
		return;
	}
	if ((s->cr & CR_PG) || !(s->cr & (CR_PER | CR_MER1 | CR_MER2))) {
		s->sr |= SR_PGSERR;
		return;
	}
	unsigned b1 = bank1_pages(m), n = m->flash->nsect;
	if (s->cr & CR_PER) {
		uint32_t pnb = (s->cr >> 3) & (is_g0(m) ? 0x3FFu : 0xFFu);
		bool bk2 = s->cr & (is_g0(m) ? CR_BKER_G0 : CR_BKER_L4);
		unsigned page = (bk2 && b1 < n ? b1 : 0) + pnb;
		if (page >= n || (bk2 && b1 == n)) {
			s->sr |= SR_PGSERR;
			return;
		}
		if (mcu_flash_erase_sector(m, page) != VF_OK) {
			s->sr |= SR_WRPERR;
			return;
		}
	} else {
		if (s->cr & CR_MER1)
			erase_pages(m, 0, b1);
		if ((s->cr & CR_MER2) && b1 < n)
			erase_pages(m, b1, n);
	}
	if (s->cr & CR_EOPIE)
		s->sr |= SR_EOP;
}

static void apply_options(struct mcu *m)
{
	struct flashctl_state *s = &m->fcs;
	uint8_t rdp = (uint8_t)s->optr_prg;
	if (!flashctl_apply_rdp(m, rdp)) {
		s->optr_prg = s->optr;
		return;
	}
	s->optr = s->optr_prg;
}

static void l4_write(struct mcu *m, uint32_t off, uint32_t v)
{
	struct flashctl_state *s = &m->fcs;
	switch (off) {
	case ACR:
		s->acr = v;
		break;
	case KEYR:
		flashctl_key_write(m, v, &s->key_stage, &s->cr_locked, &s->key_fail, "FLASH_KEYR");
		break;
	case OPTKEYR:
		/* the option key is taken only with FLASH_CR unlocked */
		if (!s->cr_locked)
			flashctl_optkey_write(v, &s->optkey_stage, &s->opt_locked);
		break;
	case SR:
		s->sr &= ~(v & SR_W1C);
		break;
	case CR:
		if (s->cr_locked)
			break;
		if (v & CR_OBL_LAUNCH) {
			/* reload the option bytes: a system reset */
			mcu_logf(m, "option bytes reloaded (OBL_LAUNCH): reset");
			m->reset_pending = 2;
			if (m->in_emu)
				uc_emu_stop(m->uc);
			else
				mcu_do_pending_reset(m);
			break;
		}
		s->cr = v & ~(CR_LOCK | CR_OPTLOCK | CR_OBL_LAUNCH);
		if ((v & CR_OPTSTRT) && !s->opt_locked)
			apply_options(m);
		if (v & CR_STRT)
			l4_start(m);
		s->cr &= ~(CR_STRT | CR_OPTSTRT);
		if (!(s->cr & CR_PG))
			s->latch_fill = 0;
		if (v & CR_OPTLOCK)
			s->opt_locked = true;
		if (v & CR_LOCK) {
			s->cr_locked = true;
			s->opt_locked = true;
		}
		break;
	case OPTR:
		if (!s->opt_locked)
			s->optr_prg = v;
		break;
	default:
		if (off / 4 < 64)
			s->regs[off / 4] = v;
		break;
	}
}

static void l4_store(struct mcu *m, uint32_t addr, uint32_t v, unsigned width)
{
	struct flashctl_state *s = &m->fcs;
	if (s->cr_locked || !(s->cr & CR_PG) || (s->cr & (CR_PER | CR_MER1 | CR_MER2))) {
		s->sr |= SR_PGSERR;
		s->latch_fill = 0;
		return;
	}
	if (width != 4) {
		s->sr |= SR_SIZERR;
		s->latch_fill = 0;
		return;
	}
	if (flashctl_debugger_locked_out(m)) {
		s->sr |= SR_WRPERR;
		return;
	}
	if (s->latch_fill == 0) {
		if (addr & 7) {
			s->sr |= SR_PGAERR;
			return;
		}
		s->latch_addr = addr;
		memcpy(s->latch_old, m->flash->mem + (addr - m->flash->base), 8);
		mcu_le_put(s->latch_new, v, 4);
		s->latch_fill = 4;
		return; /* nothing reaches the flash before the second word */
	}
	s->latch_fill = 0;
	if (addr != s->latch_addr + 4) {
		s->sr |= SR_PGAERR;
		return;
	}
	mcu_le_put(s->latch_new + 4, v, 4);
	static const uint8_t zero[8];
	if (!flashctl_all_erased(s->latch_old, 8) && memcmp(s->latch_new, zero, 8) != 0) {
		/* PROGERR: the double word was not erased (all zeros is allowed) */
		s->sr |= SR_PROGERR;
		return;
	}
	int rc = mcu_flash_program(m, s->latch_addr, s->latch_new, 8);
	if (rc == VF_PROTECTED)
		s->sr |= SR_WRPERR;
	else if (s->cr & CR_EOPIE)
		s->sr |= SR_EOP;
}

const struct flashctl_ops mcu_flashctl_l4 = {
	.reset = l4_reset,
	.reg_read = l4_read,
	.reg_write = l4_write,
	.store = l4_store,
	.power_on = l4_power_on,
};
