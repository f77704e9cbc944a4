/* The target model shared by every virtual board: STM32 flash kept in a
 * file (so a test can compare it with the image), with the family's sector
 * layout and the rules of real NOR flash: erase sets a whole sector to 0xFF,
 * programming can only clear bits. A flow that forgets to erase ends with
 * wrong contents, and the test sees it. */
#ifndef VFLASH_H
#define VFLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VFLASH_MAX_SECTORS 512

struct vflash {
	uint32_t base;                 /* 0x08000000 */
	uint32_t size;                 /* total bytes */
	uint8_t *mem;                  /* mmap of the backing file */
	int fd;
	unsigned nsect;
	uint32_t sect_off[VFLASH_MAX_SECTORS + 1]; /* offsets, sect_off[nsect] == size */
	uint32_t protect_end;          /* bytes from base the ROM refuses to erase (0 = none) */
	bool read_protected;           /* RDP level 1: reads refused until unprotect */
	bool write_protected;          /* WRP: erase/program refused */
};

/* Layout: comma-separated COUNT*SIZE with K/M, e.g. "4*16K,1*64K,3*128K"
 * (STM32F401RE), or "256*2K" (G0). Returns 0, or -1 with msg filled. */
int vflash_parse_layout(struct vflash *f, const char *layout, char *msg, size_t msglen);

/* Open (creating, erased, if missing or of the wrong size) the flash file. */
int vflash_open(struct vflash *f, const char *path, uint32_t base, const char *layout,
		char *msg, size_t msglen);
void vflash_close(struct vflash *f);

bool vflash_contains(const struct vflash *f, uint32_t addr, size_t len);
/* Sector index holding addr, or -1. */
int vflash_sector_of(const struct vflash *f, uint32_t addr);
uint32_t vflash_sector_addr(const struct vflash *f, unsigned sector);
uint32_t vflash_sector_size(const struct vflash *f, unsigned sector);

/* These return 0 or a negative reason: */
enum { VF_OK = 0, VF_RANGE = -1, VF_PROTECTED = -2, VF_NOT_ERASED = -3 };
int vflash_erase_sector(struct vflash *f, unsigned sector);
int vflash_mass_erase(struct vflash *f);
/* AND the data into flash, as real flash does. strict: report VF_NOT_ERASED
 * when a bit would have to go from 0 to 1 (the STM32 PGSERR/programming
 * error); the data is still ANDed in so the damage is visible. */
int vflash_program(struct vflash *f, uint32_t addr, const uint8_t *data, size_t len, bool strict);
int vflash_read(const struct vflash *f, uint32_t addr, uint8_t *out, size_t len);
void vflash_sync(struct vflash *f);

#endif
