/* Temporary: L4/G0/C0 and H7 controllers land next; until then their
 * registers read as zero and flash stores are ignored. */
#include "mcu_int.h"
static void nop_reset(struct mcu *m) { (void)m; }
static uint32_t nop_read(struct mcu *m, uint32_t off) { (void)m; (void)off; return 0; }
static void nop_write(struct mcu *m, uint32_t off, uint32_t v) { (void)m; (void)off; (void)v; }
static void nop_store(struct mcu *m, uint32_t a, uint32_t v, unsigned w) { (void)m; (void)a; (void)v; (void)w; }
static void nop_power(struct mcu *m, unsigned rdp) { mcu_flash_set_rdp(m, rdp ? 0 : 0xAA); }
const struct flashctl_ops mcu_flashctl_l4 = { nop_reset, nop_read, nop_write, nop_store, nop_power };
const struct flashctl_ops mcu_flashctl_h7 = { nop_reset, nop_read, nop_write, nop_store, nop_power };
