/* What the first words of an image say about it, without a board: whether
 * they can be a Cortex-M vector table, which address the image was most
 * likely linked for, and what a file that is not firmware at all is
 * (a PNG, a ZIP, text). Used by check (with a board) and by convert and
 * info (which have none) to say something better than "SP outside RAM". */
#ifndef FK_VECTORS_H
#define FK_VECTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image.h"

/* An initial SP and reset vector that any Cortex-M could start from: the SP
 * word-aligned inside the SRAM/CCM/TCM regions (0x10000000-0x40000000), the
 * reset vector odd (Thumb) and below 0x40000000 (code or SRAM). */
bool vt_plausible(uint32_t sp, uint32_t reset);

/* The reset handler at target (Thumb bit cleared) lies outside an image of
 * len bytes; guess the address it was linked for: the most aligned base B
 * (at least 256-byte aligned) with B + 8 <= target < B + len. False when
 * there is none. */
bool vt_guess_base(uint32_t target, uint64_t len, uint32_t *base);

/* "a PNG image", "a ZIP archive", "text", ... for the first bytes of a file
 * that is clearly something else than firmware; NULL otherwise. */
const char *vt_file_kind(const uint8_t *p, size_t n);

/* For convert and info: one warning (into buf) when the image's lowest
 * alt-0 data has no plausible vector table, or when a raw binary was placed
 * at 0 without --address although its vectors point elsewhere. False and
 * buf untouched when there is nothing to say. name is the file name. */
bool vt_warning(const struct image *img, const char *name, bool bin_at_default_0, char *buf,
		size_t len);
/* The same for the first n bytes p of data at addr spanning span bytes
 * (the streaming convert has no image in memory). */
bool vt_warning_raw(const uint8_t *p, size_t n, uint32_t addr, uint64_t span, const char *name,
		    bool bin_at_default_0, char *buf, size_t len);

#endif
