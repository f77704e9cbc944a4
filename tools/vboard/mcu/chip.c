/* The chips: per family where DBGMCU_IDCODE, the flash-size register, the
 * system memory and the flash controller sit, as OpenOCD 0.12's stm32f2x,
 * stm32l4x and stm32h7x drivers read them. */
#include "mcu_int.h"

#include <string.h>

#define CPUID_M4 0x410FC241u  /* Cortex-M4 r0p1 (STM32F4, L4) */
#define CPUID_M7 0x411FC272u  /* Cortex-M7 r1p2 (STM32F7, H7) */
#define CPUID_M0P 0x410CC601u /* Cortex-M0+ r0p1 (STM32G0, C0) */

static const struct mcu_family_info families[] = {
	[MCU_F2] = { "stm32f2", 0xE0042000u, 0x1FFF7A22u, 0x1FFF0000u, 0x10000u, 0x40023C00u,
		     0x00000000u, true, 0x00000000u, &mcu_flashctl_f2 },
	[MCU_F4] = { "stm32f4", 0xE0042000u, 0x1FFF7A22u, 0x1FFF0000u, 0x10000u, 0x40023C00u,
		     0x00000000u, true, 0x00000000u, &mcu_flashctl_f2 },
	/* F7: flash also on the ITCM interface at 0x00200000, where the
	 * default BOOT_ADD0 (0x0080) boots from. */
	[MCU_F7] = { "stm32f7", 0xE0042000u, 0x1FF0F442u, 0x1FF00000u, 0x10000u, 0x40023C00u,
		     0x00200000u, true, 0x00200000u, &mcu_flashctl_f2 },
	[MCU_L4] = { "stm32l4", 0xE0042000u, 0x1FFF75E0u, 0x1FFF0000u, 0x10000u, 0x40022000u,
		     0x00000000u, true, 0x00000000u, &mcu_flashctl_l4 },
	[MCU_G0] = { "stm32g0", 0x40015800u, 0x1FFF75E0u, 0x1FFF0000u, 0x10000u, 0x40022000u,
		     0x00000000u, true, 0x00000000u, &mcu_flashctl_l4 },
	[MCU_C0] = { "stm32c0", 0x40015800u, 0x1FFF75A0u, 0x1FFF0000u, 0x10000u, 0x40022000u,
		     0x00000000u, true, 0x00000000u, &mcu_flashctl_l4 },
	/* H7: ITCM at 0, flash only at 0x08000000 (BOOT_ADD0 0x0800). */
	[MCU_H7] = { "stm32h7", 0x5C001000u, 0x1FF1E880u, 0x1FF00000u, 0x20000u, 0x52002000u,
		     0x00000000u, false, 0x08000000u, &mcu_flashctl_h7 },
};

const struct mcu_family_info *mcu_family_info(enum mcu_family fam)
{
	if ((unsigned)fam >= sizeof families / sizeof families[0] || !families[fam].name)
		return NULL;
	return &families[fam];
}

int mcu_family_parse(const char *name, enum mcu_family *out)
{
	for (unsigned i = 0; i < sizeof families / sizeof families[0]; i++) {
		if (families[i].name && strcmp(families[i].name, name) == 0) {
			*out = (enum mcu_family)i;
			return 0;
		}
	}
	return -1;
}

/* A silicon revision OpenOCD knows for each device id (DBGMCU REV_ID). */
static uint32_t rev_for(uint32_t dev_id)
{
	switch (dev_id) {
	case 0x433: return 0x1000; /* F401xD/E rev A */
	case 0x421: return 0x1000; /* F446 rev A */
	case 0x413: return 0x1007; /* F405/407 rev 2 */
	case 0x451: return 0x1001; /* F76x rev Z */
	case 0x450: return 0x2003; /* H743 rev V */
	case 0x415: return 0x1007; /* L476 rev 4 */
	case 0x460: return 0x2000; /* G071 rev B */
	case 0x453: return 0x1000; /* C031 rev A */
	default: return 0x1000;
	}
}

int mcu_chip_init(struct mcu_chip *chip, const char *family, uint32_t dev_id, uint32_t ram_base,
		  uint32_t ram_size, uint32_t flash_size_kib)
{
	enum mcu_family fam;
	if (mcu_family_parse(family, &fam) < 0)
		return -1;
	memset(chip, 0, sizeof *chip);
	snprintf(chip->name, sizeof chip->name, "%s (0x%03x)", family, dev_id & 0xFFF);
	chip->family = fam;
	chip->dev_id = dev_id & 0xFFF;
	chip->rev_id = rev_for(chip->dev_id);
	switch (fam) {
	case MCU_F7:
	case MCU_H7:
		chip->cpuid = CPUID_M7;
		break;
	case MCU_G0:
	case MCU_C0:
		chip->cpuid = CPUID_M0P;
		break;
	default:
		chip->cpuid = CPUID_M4;
		break;
	}
	chip->ram_base = ram_base;
	chip->ram_size = ram_size;
	chip->flash_size_kib = flash_size_kib;
	return 0;
}
