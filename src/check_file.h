/* The image check as 'flashkit check' and 'flashkit copy' both run it: the
 * options they share, loading FILE, working out where it is written and the
 * address it was linked for, then every rule of check.h. One code path, so
 * that the two commands refuse the same files with the same lines and the
 * same exit code (65), and copy does so before it looks for the drive. */
#ifndef FK_CHECK_FILE_H
#define FK_CHECK_FILE_H

#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "err.h"
#include "image.h"

struct check_args {
	struct check_opts c;     /* --flash, --ram, --protect, --no-vectors */
	bool has_flash;
	bool has_address;        /* --address: the application address */
	uint32_t address;
	const char *elf;         /* --elf: FILE was made from this ELF */
	/* Where a raw .bin goes without --address (copy: the start of flash,
	 * where the probe writes it). check has none: a .bin needs --address. */
	bool has_bin_base;
	uint32_t bin_base;
};

/* If argv[*i] is one of --flash, --ram, --protect, --address, --elf,
 * --no-vectors: take it (and its value) into a and return 1. 0 when it is
 * none of them; -1 with e filled (FK_EUSAGE, "CMD: ...") for a bad value. */
int check_arg(struct check_args *a, const char *cmd, int argc, char **argv, int *i,
	      struct fk_err *e);

/* Load path into img (image_init'ed by the caller, freed by the caller) and,
 * when a->has_flash, run every rule; each failure is one line
 * "flashkit: FILE: ..." on stderr. Returns 0 when the image passes (or
 * without a flash range, once it is loaded); FK_EDATA with e left empty when
 * a rule failed (its lines are printed already); another code with e filled
 * when a file cannot be read. */
int check_file(const char *path, const struct check_args *a, struct image *img,
	       struct fk_err *e);

#endif
