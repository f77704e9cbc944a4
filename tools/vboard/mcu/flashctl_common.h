/* What the F2/F4/F7, L4/G0/C0 and H7 flash controllers (flashctl_*.c) do
 * alike: the unlock key sequences, the RDP level rules (level 2 permanent,
 * leaving level 1 mass-erases, no flash access for a debugger at level 1),
 * erasing a run of sectors, and the bytes a store carries. Each family keeps
 * its own registers, bits and error flags; these take the state to act on. */
#ifndef FLASHCTL_COMMON_H
#define FLASHCTL_COMMON_H

#include "mcu_int.h"

/* The same key values on every family (RM0090, RM0351, RM0433). */
#define FLASHCTL_KEY1 0x45670123u
#define FLASHCTL_KEY2 0xCDEF89ABu
#define FLASHCTL_OPTKEY1 0x08192A3Bu
#define FLASHCTL_OPTKEY2 0x4C5D6E7Fu

/* RDP byte: 0xAA is level 0, 0xCC level 2, anything else level 1. */
bool flashctl_rdp1(const struct mcu *m);
/* Flash access is refused while RDP level 1 and a debugger is connected. */
bool flashctl_debugger_locked_out(const struct mcu *m);

/* One word written to a FLASH_KEYR: KEY1 then KEY2 clears *locked. Ignored
 * while unlocked or after a wrong key; a wrong key locks the register until
 * reset (*key_fail) and is logged as "<reg>: wrong key ...". */
void flashctl_key_write(struct mcu *m, uint32_t v, unsigned *stage, bool *locked, bool *key_fail,
			const char *reg);
/* One word written to FLASH_OPTKEYR: OPTKEY1 then OPTKEY2 clears *locked.
 * Ignored while unlocked; a wrong key only restarts the sequence. */
void flashctl_optkey_write(uint32_t v, unsigned *stage, bool *locked);

/* The RDP byte at power-up: level 0 or 1 (logged). */
void flashctl_power_on_rdp(struct mcu *m, unsigned rdp_level);
/* Option bytes launched with this RDP byte. false, and nothing changed,
 * when the chip is at level 2 (permanent); leaving level 1 erases the whole
 * flash first, as silicon does. */
bool flashctl_apply_rdp(struct mcu *m, uint8_t rdp);

/* Erase sectors first..end-1; false if any of them is write-protected
 * (the others are erased all the same). */
bool flashctl_erase_sectors(struct mcu *m, unsigned first, unsigned end);
/* KiB from the start of sector first to the end of sector end-1. */
unsigned flashctl_span_kib(const struct vflash *f, unsigned first, unsigned end);

/* All n bytes read 0xFF (erased). */
bool flashctl_all_erased(const uint8_t *p, unsigned n);

#endif
