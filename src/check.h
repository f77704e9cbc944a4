/* Checking an image against a board's memory map before it is flashed.
 *
 * Rules (each failure is one line saying what to do):
 *  - the image holds data;
 *  - every byte lies inside flash [flash_base, flash_base + flash_size);
 *  - no byte lies inside a protected region (a bootloader that an ordinary
 *    flash must not overwrite);
 *  - the vector table, taken at the lowest address of the image, looks like
 *    Cortex-M: the initial SP is word-aligned and inside RAM (ram_base < SP
 *    <= ram_base + ram_size: SP == end of RAM is the usual top of stack),
 *    the reset vector is odd (Thumb) and points into flash.
 *    Without a RAM range the SP is only checked for the signs of a file that
 *    is no vector table at all: 0, erased flash (0xFFFFFFFF), or an address
 *    inside flash. check_opts.no_vectors skips the vector table rules (for
 *    images that are data, not an application).
 *  - linked for where it is written: with has_at and has_link, link == at;
 *    otherwise one line naming both addresses and what to change, and no
 *    other rule is reported (they would all be consequences);
 *  - the reset vector points inside the image itself; for a placed .bin
 *    whose vectors point elsewhere, the address it looks linked for;
 *  - a file that is not firmware at all (a PNG, text, no plausible vector
 *    table) is one line saying so.
 * Only alt setting 0 is checked: in a DfuSe file other alt settings are
 * option bytes, OTP or external memory, not the internal flash.
 *
 * Usage (the 'check' and 'copy' commands):
 *	struct check_opts c = { .name = "fw.bin", .flash_base = 0x08000000,
 *				.flash_size = 512 * 1024 };
 *	check_add_protect(&c, 0x08000000, 0x4000);
 *	if (image_check(img, &c, &err)) ... fk_report(&err);
 */
#ifndef FK_CHECK_H
#define FK_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "image.h"

#define CHECK_MAX_PROTECT 8

struct check_range {
	uint32_t base;
	uint64_t size;           /* > 0; base + size <= 4 GiB */
};

struct check_opts {
	const char *name;        /* file name for messages; NULL = "image" */
	uint32_t flash_base;
	uint64_t flash_size;     /* required, > 0 */
	bool has_ram;
	uint32_t ram_base;
	uint64_t ram_size;
	size_t nprotect;
	struct check_range protect[CHECK_MAX_PROTECT];
	bool no_vectors;         /* skip the vector table rules */
	/* Where the image is written (the application address): a raw .bin is
	 * placed there (placed = true); a file with addresses must start
	 * there, i.e. be linked for it. */
	bool has_at;
	uint32_t at;
	bool placed;
	/* The address the image was linked for, when known (the lowest address
	 * of the ELF it was made from, or of a file with addresses), and the
	 * file that says so, for the message. */
	bool has_link;
	uint32_t link;
	const char *link_name;
};

/* Add a protected region; false when there are already CHECK_MAX_PROTECT. */
bool check_add_protect(struct check_opts *c, uint32_t base, uint64_t size);

/* Called once per failed rule with a one-line message ("fw.bin: ..."). */
typedef void (*check_report_fn)(void *ctx, const char *msg);

/* Run every rule; report each failure through fn (may be NULL). Returns the
 * number of failures (0 = the image passes). */
unsigned image_check_all(const struct image *img, const struct check_opts *c,
			 check_report_fn fn, void *ctx);

/* Run every rule; on failure fill e with the first failure's message and
 * return FK_EDATA (FK_EUSAGE if the options themselves are invalid). 0 = OK. */
int image_check(const struct image *img, const struct check_opts *c, struct fk_err *e);

/* One summary line for an image that passed ("fw.bin: OK: ..."), for the
 * commands to print. */
void check_summary(const struct image *img, const struct check_opts *c, char *buf,
		   size_t len);

#endif
