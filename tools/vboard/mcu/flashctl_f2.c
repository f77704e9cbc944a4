/* The STM32F2/F4/F7 flash controller (RM0090, RM0410; OpenOCD's stm32f2x
 * driver): FLASH_KEYR unlock, sector erase (SER/SNB/STRT), mass erase, and
 * programming by stores into the flash address space with CR.PG set, at the
 * parallelism CR.PSIZE selects. Operations finish at once: SR.BSY never
 * reads 1. Option bytes through OPTKEYR/OPTCR: RDP byte and nWRP bits.
 *
 * Silicon silently ANDs data into a word that was not erased; here that is
 * also flagged as PGSERR so a flow that forgets to erase fails visibly. */
#include "flashctl_common.h"

#define ACR 0x00
#define KEYR 0x04
#define OPTKEYR 0x08
#define SR 0x0C
#define CR 0x10
#define OPTCR 0x14
#define OPTCR1 0x18

#define CR_PG (1u << 0)
#define CR_SER (1u << 1)
#define CR_MER (1u << 2)
#define CR_MER1 (1u << 15)
#define CR_STRT (1u << 16)
#define CR_EOPIE (1u << 24)
#define CR_LOCK (1u << 31)
#define CR_MASK 0x0301FFFFu /* writable bits, LOCK apart */

#define SR_EOP (1u << 0)
#define SR_OPERR (1u << 1)
#define SR_WRPERR (1u << 4)
#define SR_PGAERR (1u << 5)
#define SR_PGPERR (1u << 6)
#define SR_PGSERR (1u << 7)
#define SR_W1C 0x1F3u

#define OPT_LOCK (1u << 0)
#define OPT_STRT (1u << 1)

static uint32_t optcr_reset(const struct mcu *m)
{
	return m->chip.family == MCU_F7 ? 0xFFFFAAFDu : 0x0FFFAAEDu;
}

static unsigned nwrp_bits(const struct mcu *m)
{
	return m->flash->nsect < 12 ? m->flash->nsect : 12;
}

static void f2_power_on(struct mcu *m, unsigned rdp_level)
{
	m->fcs.optcr = optcr_reset(m);
	m->fcs.wrp_sectors = 0;
	flashctl_power_on_rdp(m, rdp_level);
}

static void f2_reset(struct mcu *m)
{
	struct flashctl_state *s = &m->fcs;
	s->cr = 0;
	s->sr = 0;
	s->acr = 0;
	s->cr_locked = true;
	s->opt_locked = true;
	s->key_stage = s->optkey_stage = 0;
	s->key_fail = false;
}

static uint32_t f2_read(struct mcu *m, uint32_t off)
{
	struct flashctl_state *s = &m->fcs;
	switch (off) {
	case ACR: return s->acr;
	case SR: return s->sr;
	case CR: return s->cr | (s->cr_locked ? CR_LOCK : 0);
	case OPTCR:
		return (s->optcr & ~0xFF03u) | (uint32_t)s->rdp << 8 | (s->opt_locked ? OPT_LOCK : 0);
	case OPTCR1: return s->optcr1 ? s->optcr1 : 0x0FFF0000u;
	default: return 0;
	}
}

/* SNB as the driver encodes it: bit 4 selects the second bank on the
 * dual-bank parts (F42x/43x), whose sectors follow the first bank's. */
static int snb_sector(const struct mcu *m, uint32_t snb)
{
	unsigned n = m->flash->nsect;
	if ((snb & 0x10) && m->chip.family != MCU_F7)
		return n >= 24 ? (int)(n / 2 + (snb & 0xF)) : -1;
	return snb < n ? (int)snb : -1;
}

static void f2_start(struct mcu *m)
{
	struct flashctl_state *s = &m->fcs;
	if (flashctl_debugger_locked_out(m)) {
		s->sr |= SR_WRPERR;
		mcu_logf(m, "erase refused: read protection (RDP level 1) with a debugger attached");
		return;
	}
	if (s->cr & CR_SER) {
		int sec = snb_sector(m, (s->cr >> 3) & 0x1F);
		if (sec < 0) {
			s->sr |= SR_PGSERR;
			return;
		}
		if (s->wrp_sectors & (1u << sec) || mcu_flash_erase_sector(m, (unsigned)sec) == VF_PROTECTED) {
			s->sr |= SR_WRPERR;
			return;
		}
	} else if (s->cr & (CR_MER | CR_MER1)) {
		if (s->wrp_sectors || mcu_flash_mass_erase(m) != VF_OK) {
			s->sr |= SR_WRPERR;
			return;
		}
	} else {
		return;
	}
	if (s->cr & CR_EOPIE)
		s->sr |= SR_EOP;
}

static void apply_options(struct mcu *m, uint32_t v)
{
	struct flashctl_state *s = &m->fcs;
	uint8_t rdp = (uint8_t)(v >> 8);
	if (!flashctl_apply_rdp(m, rdp))
		return;
	uint32_t mask = (1u << nwrp_bits(m)) - 1;
	s->wrp_sectors = ~(v >> 16) & mask;
	s->optcr = v & ~(OPT_LOCK | OPT_STRT);
}

static void f2_write(struct mcu *m, uint32_t off, uint32_t v)
{
	struct flashctl_state *s = &m->fcs;
	switch (off) {
	case ACR:
		s->acr = v & 0x1F07;
		break;
	case KEYR:
		flashctl_key_write(m, v, &s->key_stage, &s->cr_locked, &s->key_fail, "FLASH_KEYR");
		break;
	case OPTKEYR:
		flashctl_optkey_write(v, &s->optkey_stage, &s->opt_locked);
		break;
	case SR:
		s->sr &= ~(v & SR_W1C);
		break;
	case CR:
		if (s->cr_locked)
			break;
		s->cr = v & CR_MASK;
		if (v & CR_LOCK) {
			s->cr_locked = true;
			s->cr &= ~CR_STRT;
			break;
		}
		if (v & CR_STRT) {
			f2_start(m);
			s->cr &= ~CR_STRT; /* cleared when BSY falls */
		}
		break;
	case OPTCR:
		if (s->opt_locked)
			break;
		if (v & OPT_STRT)
			apply_options(m, v);
		else
			s->optcr = v & ~(OPT_LOCK | OPT_STRT);
		if (v & OPT_LOCK)
			s->opt_locked = true;
		break;
	case OPTCR1:
		if (!s->opt_locked)
			s->optcr1 = v;
		break;
	default:
		break;
	}
}

static void f2_store(struct mcu *m, uint32_t addr, uint32_t v, unsigned width)
{
	struct flashctl_state *s = &m->fcs;
	if (s->cr_locked || !(s->cr & CR_PG) || (s->cr & (CR_SER | CR_MER | CR_MER1))) {
		s->sr |= SR_PGSERR;
		return;
	}
	if (addr & (width - 1)) {
		s->sr |= SR_PGAERR;
		return;
	}
	unsigned psize = 1u << ((s->cr >> 8) & 3);
	if (width != psize) {
		s->sr |= SR_PGPERR;
		return;
	}
	int sec = vflash_sector_of(m->flash, addr);
	if (sec < 0 || (s->wrp_sectors & (1u << sec)) || flashctl_debugger_locked_out(m)) {
		s->sr |= SR_WRPERR;
		return;
	}
	uint8_t b[4];
	mcu_le_put(b, v, width);
	int rc = mcu_flash_program(m, addr, b, width);
	if (rc == VF_PROTECTED)
		s->sr |= SR_WRPERR;
	else if (rc == VF_NOT_ERASED)
		s->sr |= SR_PGSERR;
	else if (s->cr & CR_EOPIE)
		s->sr |= SR_EOP;
}

const struct flashctl_ops mcu_flashctl_f2 = {
	.reset = f2_reset,
	.reg_read = f2_read,
	.reg_write = f2_write,
	.store = f2_store,
	.power_on = f2_power_on,
};
