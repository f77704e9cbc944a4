/* How the chip starts after the event a front end saw (reset, :leave, GO),
 * and where an image was linked for.
 *
 * The Crazyflie's bootloader region: the model does not carry a bootloader
 * image. When the chip boots from the flash base of a board with a bootloader
 * region (BOOTLOADER_SIZE) and that region is erased, the model does what
 * cf2loader does on a normal power-up: VTOR = the application's table, MSP
 * and the reset vector from there. Why behaviour and not a stand-in binary
 * written into the flash file: every front end's flash file then stays what
 * the tools wrote (the tests compare the region with what it held), the
 * virtual boards need no cross-compiler to build or install, and an image
 * that jumps into the region (linked for 0x08000000 but placed at 0x08004000)
 * executes erased flash and faults, as the verdict should say. A region that
 * holds a real bootloader (make flash-bootloader) is booted as it is. */
#include "verdict.h"

#include <string.h>

static bool rd32(struct mcu *m, uint32_t a, uint32_t *v)
{
	return mcu_read32(m, a, v) == MCU_OK;
}

uint32_t vboard_boot(struct mcu *m, const struct vboard_spec *s, uint32_t addr, char *note,
		     size_t notelen)
{
	uint32_t at = addr, w = 0;
	note[0] = 0;
	if (s->bootloader && addr == s->flash_base && s->app != s->flash_base && rd32(m, addr, &w) &&
	    w == 0xFFFFFFFFu) {
		snprintf(note, notelen,
			 "the %u KiB bootloader region at 0x%08x is erased: the model does what the "
			 "board's bootloader does, VTOR = 0x%08x and a jump to the application",
			 s->bootloader / 1024, addr, s->app);
		at = s->app;
	}
	mcu_boot(m, at);
	return at;
}
