/* Controller mechanics the three flash controller families share; see
 * flashctl_common.h. */
#include "flashctl_common.h"

bool flashctl_rdp1(const struct mcu *m)
{
	return m->fcs.rdp != 0xAA && m->fcs.rdp != 0xCC;
}

bool flashctl_debugger_locked_out(const struct mcu *m)
{
	return flashctl_rdp1(m) && (m->dhcsr_ctrl & 1);
}

void flashctl_key_write(struct mcu *m, uint32_t v, unsigned *stage, bool *locked, bool *key_fail,
			const char *reg)
{
	if (!*locked || *key_fail)
		return;
	if (*stage == 0 && v == FLASHCTL_KEY1) {
		*stage = 1;
	} else if (*stage == 1 && v == FLASHCTL_KEY2) {
		*stage = 0;
		*locked = false;
	} else {
		/* A wrong key locks the control register until the next reset. */
		*stage = 0;
		*key_fail = true;
		mcu_logf(m, "%s: wrong key 0x%08x, locked until reset", reg, v);
	}
}

void flashctl_optkey_write(uint32_t v, unsigned *stage, bool *locked)
{
	if (!*locked)
		return;
	if (*stage == 0 && v == FLASHCTL_OPTKEY1) {
		*stage = 1;
	} else if (*stage == 1 && v == FLASHCTL_OPTKEY2) {
		*stage = 0;
		*locked = false;
	} else {
		*stage = 0;
	}
}

void flashctl_power_on_rdp(struct mcu *m, unsigned rdp_level)
{
	mcu_flash_set_rdp(m, rdp_level ? 0x00 : 0xAA);
	if (rdp_level)
		mcu_logf(m, "option bytes: RDP level 1 (read protection)");
}

bool flashctl_apply_rdp(struct mcu *m, uint8_t rdp)
{
	struct flashctl_state *s = &m->fcs;
	if (s->rdp == 0xCC) {
		mcu_logf(m, "option bytes: RDP level 2 is permanent");
		return false;
	}
	if (flashctl_rdp1(m) && rdp == 0xAA) {
		mcu_logf(m, "option bytes: RDP 1 -> 0, mass erase");
		m->flash->read_protected = false;
		vflash_mass_erase(m->flash);
		mcu_flash_changed(m);
	} else if (rdp != s->rdp) {
		mcu_logf(m, "option bytes: RDP 0x%02x -> 0x%02x", s->rdp, rdp);
	}
	mcu_flash_set_rdp(m, rdp);
	return true;
}

bool flashctl_erase_sectors(struct mcu *m, unsigned first, unsigned end)
{
	bool ok = true;
	for (unsigned i = first; i < end; i++)
		if (vflash_erase_sector(m->flash, i) != VF_OK)
			ok = false;
	mcu_flash_changed(m);
	return ok;
}

unsigned flashctl_span_kib(const struct vflash *f, unsigned first, unsigned end)
{
	return (vflash_sector_addr(f, end - 1) + vflash_sector_size(f, end - 1) - vflash_sector_addr(f, first)) /
	       1024;
}

bool flashctl_all_erased(const uint8_t *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (p[i] != 0xFF)
			return false;
	return true;
}
