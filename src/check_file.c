/* The image check shared by 'check' and 'copy': see check_file.h. */
#include "check_file.h"

#include <stdio.h>
#include <string.h>

#include "args.h"
#include "formats.h"

int check_arg(struct check_args *a, const char *cmd, int argc, char **argv, int *i,
	      struct fk_err *e)
{
	if (!strcmp(argv[*i], "--no-vectors")) {
		a->c.no_vectors = true;
		return 1;
	}
	static const char *const opts[] = { "--flash", "--ram", "--protect", "--address", "--elf" };
	enum { O_FLASH, O_RAM, O_PROTECT, O_ADDRESS, O_ELF, O_N };
	const char *val = NULL;
	int which = arg_value(argc, argv, i, opts, O_N, cmd, &val, e);
	if (which == -2)
		return -1;
	uint32_t base;
	uint64_t size;
	switch (which) {
	case O_FLASH:
	case O_RAM:
	case O_PROTECT:
		if (!parse_range(val, &base, &size)) {
			bad_value(e, cmd, opts[which], val, "BASE:SIZE such as 0x08000000:512K");
			return -1;
		}
		if (which == O_FLASH) {
			a->c.flash_base = base;
			a->c.flash_size = size;
			a->has_flash = true;
		} else if (which == O_RAM) {
			a->c.ram_base = base;
			a->c.ram_size = size;
			a->c.has_ram = true;
		} else if (!check_add_protect(&a->c, base, size)) {
			fk_fail(e, FK_EUSAGE, "%s: at most %d --protect regions", cmd, CHECK_MAX_PROTECT);
			return -1;
		}
		return 1;
	case O_ADDRESS:
		if (!parse_u32(val, &a->address)) {
			bad_value(e, cmd, "--address", val, "an address such as 0x08000000");
			return -1;
		}
		a->has_address = true;
		return 1;
	case O_ELF:
		a->elf = val;
		return 1;
	default:
		return 0;
	}
}

static void report(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "flashkit: %s\n", msg);
}

int check_file(const char *path, const struct check_args *a, struct image *img,
	       struct fk_err *e)
{
	struct read_opts ro = { .warn = warn_stderr, .has_address = a->has_address,
				.address = a->address };
	if (!a->has_address && a->has_bin_base) {
		ro.has_address = true;
		ro.address = a->bin_base;
	}
	if (image_load(img, path, NULL, &ro, e))
		return e->code;
	if (!a->has_flash)
		return 0;

	struct check_opts c = a->c;
	c.name = path;
	/* A raw .bin is written where it is placed; a file with addresses
	 * starts where it was linked, and must be written there. */
	bool bin = img->format && strcmp(img->format, "bin") == 0;
	if (a->has_address || (bin && ro.has_address)) {
		c.has_at = true;
		c.at = ro.address;
		c.placed = bin;
		if (!bin && img->nseg && img->seg[0].alt == 0) {
			c.has_link = true;
			c.link = img->seg[0].addr;
		}
	}
	if (a->elf) {
		/* The link address comes from the ELF that FILE was made from. */
		struct image ei;
		image_init(&ei);
		int rc = image_load(&ei, a->elf, &fmt_elf, NULL, e);
		if (!rc && ei.nseg && ei.seg[0].alt == 0) {
			c.has_link = true;
			c.link = ei.seg[0].addr;
			c.link_name = a->elf;
		}
		image_free(&ei);
		if (rc)
			return rc;
		if (!c.has_at && img->nseg) { /* FILE carries addresses: it is written there */
			c.has_at = true;
			c.at = img->seg[0].addr;
		}
	}
	return image_check_all(img, &c, report, NULL) ? FK_EDATA : 0;
}
