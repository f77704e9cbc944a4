/* The format table: one reader and one writer per file format, each in its
 * own fmt_*.c file. A new format is one new file plus a line in formats.c. */
#ifndef FK_FORMATS_H
#define FK_FORMATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "image.h"

struct read_opts {
	const char *name;      /* file name for messages */
	bool has_address;      /* bin: where byte 0 goes (default 0) */
	uint32_t address;
	/* Warnings (the file is read, but something is odd): one line each,
	 * "fw.hex:3: ..."; NULL drops them (fuzzers, unit tests). */
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
};

/* Send one warning through o->warn, if any. */
void read_warn(const struct read_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A warn callback that prints "flashkit: warning: MSG" on stderr. */
void warn_stderr(void *ctx, const char *msg);

struct write_opts {
	unsigned record_len;   /* hex/srec data bytes per record; 0 = the format's default */
	uint64_t gap_limit;    /* bin: largest gap to fill with 0xFF; 0 = default */
	uint8_t fill;          /* bin: gap fill byte (0xFF, erased flash) */
	/* DfuSe / suffix */
	uint16_t vid, pid, bcd_device;
	const char *target_name; /* default target name when the image has none */
	const char *out_name;  /* srec: S0 header text (objcopy puts the output name there) */
};

struct format {
	const char *name;      /* "bin", "hex", "srec", "elf", "dfu" */
	const char *exts;      /* space-separated extensions, first is preferred: ".hex .ihex .ihx" */
	/* Content sniffing; NULL means "only by extension or by name". */
	bool (*probe)(const uint8_t *buf, size_t len);
	/* Parse buf into img (which may already hold data from another file). */
	int (*read)(struct image *img, const uint8_t *buf, size_t len,
		    const struct read_opts *o, struct fk_err *e);
	/* Write img; NULL where the format cannot be written (elf). */
	int (*write)(const struct image *img, FILE *out, const struct write_opts *o,
		     struct fk_err *e);
};

extern const struct format fmt_bin, fmt_ihex, fmt_srec, fmt_elf, fmt_dfuse;

const struct format *format_by_name(const char *name);   /* "hex", "ihex", ... */
const struct format *format_by_path(const char *path);   /* by extension, NULL if unknown */
/* Content first (ELF magic, "DfuSe", ':', 'S'), then extension, then bin. */
const struct format *format_detect(const uint8_t *buf, size_t len, const char *path);
/* "bin, hex, srec, elf, dfu" for help and error messages. */
const char *format_names(void);

/* Read a whole file into img. forced may be NULL (detect). A plain DFU
 * suffix on a non-DfuSe file is validated, stripped and stored in img. */
int image_load(struct image *img, const char *path, const struct format *forced,
	       const struct read_opts *o, struct fk_err *e);

#endif
