/* The image model: a sorted list of non-overlapping segments (address, bytes).
 * Every reader produces one, every writer consumes one. */
#ifndef FK_IMAGE_H
#define FK_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define FK_ADDR_LIMIT 0x100000000ull /* first address past the 32-bit space */

struct segment {
	uint32_t addr;
	size_t len;
	uint8_t *data;
	size_t cap;          /* bytes allocated at data (>= len); internal to image.c */
	uint8_t alt;         /* DfuSe alt setting / target this data belongs to */
};

/* DFU suffix fields (DFU 1.1, last 16 bytes of a .dfu file). */
struct dfu_suffix {
	uint16_t bcd_device;
	uint16_t id_product;
	uint16_t id_vendor;
	uint16_t bcd_dfu;    /* 0x0100 plain DFU, 0x011A DfuSe */
	uint32_t crc;        /* as stored */
};

/* A DfuSe target's name, per alt setting (only used by the DfuSe format). */
struct image_target {
	uint8_t alt;
	char name[256];
};

struct image {
	struct segment *seg;  /* sorted by (alt, addr), no overlaps, adjacent runs merged */
	size_t nseg, cap;
	bool has_entry;       /* start address known (ELF e_entry, HEX 03/05, S7/8/9) */
	uint32_t entry;
	bool has_suffix;
	struct dfu_suffix suffix;
	struct image_target *targets; /* DfuSe target names, ntargets of them */
	size_t ntargets;
	/* Record breaks: sorted, unique addresses where a HEX/S-record writer
	 * starts a new record even inside contiguous data. The ELF reader puts
	 * each section's and segment's start here, because objcopy writes each
	 * section as its own run of records; this is what makes our hex byte
	 * identical to objcopy's. Empty for every other input. */
	uint32_t *breaks;
	size_t nbreaks, breaks_cap;
	/* The format image_load read it as ("bin", "hex", ...), NULL before. */
	const char *format;
};

void image_init(struct image *img);
void image_free(struct image *img);

/* Add a copy of len bytes at addr. where names the origin for an error
 * ("fw.hex:12"); a segment overlapping data already in the image, or
 * running past 4 GiB, is FK_EDATA. Adjacent data is merged. */
int image_add(struct image *img, uint32_t addr, const uint8_t *data, size_t len,
	      uint8_t alt, const char *where, struct fk_err *e);

/* Take ownership of a malloc'd buffer instead of copying it. */
int image_add_owned(struct image *img, uint32_t addr, uint8_t *data, size_t len,
		    uint8_t alt, const char *where, struct fk_err *e);

size_t image_total(const struct image *img);               /* bytes of data */
uint32_t image_lowest(const struct image *img);             /* 0 if empty */
uint64_t image_end(const struct image *img);                /* one past the highest byte */
/* Read a little-endian word at addr; false if not all 4 bytes are present. */
bool image_read32(const struct image *img, uint32_t addr, uint32_t *out);
/* Move every segment by delta (e.g. a bin read at 0 placed at 0x08000000). */
int image_relocate(struct image *img, int64_t delta, struct fk_err *e);
/* zlib CRC-32 over the data of all segments in address order. */
uint32_t image_crc32(const struct image *img);
/* Set a target name for an alt setting. */
int image_set_target_name(struct image *img, uint8_t alt, const char *name);
const char *image_target_name(const struct image *img, uint8_t alt);
/* Note that a record must start at addr (see breaks above). */
int image_add_break(struct image *img, uint32_t addr);
/* First break strictly above addr, or FK_ADDR_LIMIT if none; *hint is a
 * cursor (start at 0) so a writer walking upward pays O(1) per call. */
uint64_t image_next_break(const struct image *img, uint32_t addr, size_t *hint);

#endif
