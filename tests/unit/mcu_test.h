/* A virtual STM32 on a temporary flash file, for the mcu unit tests. */
#ifndef MCU_TEST_H
#define MCU_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mcu.h"

struct mcu_fixture {
	char path[64];
	struct vflash flash;
	struct mcu *m;
};

static inline void mcu_fixture_open_cfg(struct mcu_fixture *fx, const char *family, uint32_t dev_id,
					const char *layout, unsigned rdp, bool powered)
{
	char msg[256];
	snprintf(fx->path, sizeof fx->path, "/tmp/mcu-test-XXXXXX");
	int fd = mkstemp(fx->path);
	assert_true(fd >= 0);
	close(fd);
	unlink(fx->path); /* vflash_open creates it erased */
	assert_int_equal(vflash_open(&fx->flash, fx->path, 0x08000000, layout, msg, sizeof msg), 0);
	struct mcu_config cfg;
	memset(&cfg, 0, sizeof cfg);
	uint32_t ram = strcmp(family, "stm32g0") == 0 ? 36 * 1024 : 128 * 1024;
	assert_int_equal(mcu_chip_init(&cfg.chip, family, dev_id, 0x20000000, ram, fx->flash.size / 1024), 0);
	cfg.flash = &fx->flash;
	cfg.log = getenv("MCU_TEST_LOG") ? stderr : NULL;
	cfg.rdp_level = rdp;
	cfg.powered = powered;
	fx->m = mcu_new(&cfg, msg, sizeof msg);
	if (!fx->m)
		fail_msg("mcu_new: %s", msg);
}

static inline void mcu_fixture_open(struct mcu_fixture *fx, const char *family, uint32_t dev_id,
				    const char *layout, unsigned rdp)
{
	mcu_fixture_open_cfg(fx, family, dev_id, layout, rdp, true);
}

/* Put bytes into flash as a front end (DFU, UART) would, past the controller. */
static inline void mcu_fixture_flash(struct mcu_fixture *fx, uint32_t addr, const void *data, size_t len)
{
	memcpy(fx->flash.mem + (addr - fx->flash.base), data, len);
	mcu_flash_changed(fx->m);
}

static inline void mcu_fixture_close(struct mcu_fixture *fx)
{
	mcu_free(fx->m);
	vflash_close(&fx->flash);
	unlink(fx->path);
}

#endif
