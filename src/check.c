/* The pre-flash image check: see check.h for the rules. Messages name the
 * problem and what to do, since they are what a user sees before a flash is
 * refused. */
#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vectors.h"

bool check_add_protect(struct check_opts *c, uint32_t base, uint64_t size)
{
	if (c->nprotect >= CHECK_MAX_PROTECT)
		return false;
	c->protect[c->nprotect].base = base;
	c->protect[c->nprotect].size = size;
	c->nprotect++;
	return true;
}

struct ctx {
	const char *name;
	check_report_fn fn;
	void *arg;
	unsigned fails;
};

static void fail(struct ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct ctx *x, const char *fmt, ...)
{
	char msg[512];
	int n = snprintf(msg, sizeof msg, "%s: ", x->name);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
	va_end(ap);
	x->fails++;
	if (x->fn)
		x->fn(x->arg, msg);
}

/* Last byte of a range, for "0x08000000-0x0807ffff" style messages. */
static uint32_t last(uint32_t base, uint64_t size)
{
	return (uint32_t)(base + size - 1);
}

static const char *human(uint64_t n, char *buf, size_t len)
{
	if (n >= 1024 * 1024 && n % (1024 * 1024) == 0)
		snprintf(buf, len, "%llu MiB", (unsigned long long)(n >> 20));
	else if (n >= 1024 && n % 1024 == 0)
		snprintf(buf, len, "%llu KiB", (unsigned long long)(n >> 10));
	else
		snprintf(buf, len, "%llu bytes", (unsigned long long)n);
	return buf;
}

/* Index of the first alt-0 segment, or img->nseg if there is none
 * (segments are sorted by alt, then address). */
static size_t first_alt0(const struct image *img)
{
	return img->nseg > 0 && img->seg[0].alt == 0 ? 0 : img->nseg;
}

static size_t end_alt0(const struct image *img)
{
	size_t n = 0;
	while (n < img->nseg && img->seg[n].alt == 0)
		n++;
	return n;
}

static void check_flash(const struct image *img, const struct check_opts *c, struct ctx *x)
{
	size_t n = end_alt0(img);
	uint64_t fend = (uint64_t)c->flash_base + c->flash_size;
	char hs[32];
	const struct segment *below = NULL, *above = NULL;

	for (size_t i = 0; i < n; i++) {
		const struct segment *s = &img->seg[i];
		if (s->addr < c->flash_base && !below)
			below = s;
		if ((uint64_t)s->addr + s->len > fend)
			above = s; /* keep the highest */
	}
	if (below) {
		if (below->addr == 0)
			fail(x, "image starts at 0x00000000, below flash 0x%08x-0x%08x; a raw .bin carries no address: give --address 0x%08x (or the board's application address)",
			     c->flash_base, last(c->flash_base, c->flash_size), c->flash_base);
		else
			fail(x, "data at 0x%08x is below flash 0x%08x-0x%08x; the image is linked or placed for another address (check the linker script's FLASH origin or --address)",
			     below->addr, c->flash_base, last(c->flash_base, c->flash_size));
	}
	if (above) {
		uint64_t aend = (uint64_t)above->addr + above->len;
		if (above->addr >= c->flash_base && above->addr < fend)
			fail(x, "image ends at 0x%08llx, %llu bytes past the end of flash 0x%08x-0x%08x (%s); make the image smaller or check the board's FLASH_SIZE",
			     (unsigned long long)(aend - 1), (unsigned long long)(aend - fend),
			     c->flash_base, last(c->flash_base, c->flash_size),
			     human(c->flash_size, hs, sizeof hs));
		else if (above->addr >= fend)
			fail(x, "data at 0x%08x-0x%08llx lies beyond flash 0x%08x-0x%08x; is the file linked for RAM or for another chip, or does it hold a second region (write that with its own tool or as a separate alt setting)?",
			     above->addr, (unsigned long long)(aend - 1), c->flash_base,
			     last(c->flash_base, c->flash_size));
		/* else: it starts below flash too, reported above */
	}
}

static void check_protect(const struct image *img, const struct check_opts *c, struct ctx *x)
{
	size_t n = end_alt0(img);
	for (size_t p = 0; p < c->nprotect; p++) {
		uint64_t pb = c->protect[p].base, pe = pb + c->protect[p].size;
		for (size_t i = 0; i < n; i++) {
			const struct segment *s = &img->seg[i];
			uint64_t sb = s->addr, se = sb + s->len;
			if (se <= pb || sb >= pe)
				continue;
			if (i == 0 && sb >= pb)
				fail(x, "image starts at 0x%08x, inside the protected bootloader region 0x%08llx-0x%08llx; link the application at 0x%08llx (IMAGE_OFFSET) or use the recovery target",
				     s->addr, (unsigned long long)pb, (unsigned long long)(pe - 1),
				     (unsigned long long)pe);
			else
				fail(x, "data at 0x%08llx-0x%08llx overlaps the protected bootloader region 0x%08llx-0x%08llx; keep the application clear of it (link it at or after 0x%08llx) or use the recovery target",
				     (unsigned long long)(sb > pb ? sb : pb),
				     (unsigned long long)((se < pe ? se : pe) - 1),
				     (unsigned long long)pb, (unsigned long long)(pe - 1),
				     (unsigned long long)pe);
			break; /* one line per region */
		}
	}
}

/* The protected region holding addr, or NULL. */
static const struct check_range *protected_at(const struct check_opts *c, uint32_t addr)
{
	for (size_t p = 0; p < c->nprotect; p++)
		if (addr >= c->protect[p].base && addr - c->protect[p].base < c->protect[p].size)
			return &c->protect[p];
	return NULL;
}

/* What to change when an image linked for 'link' is written at 'at': link
 * it for 'at', or (where that is allowed) write it where it is linked. */
static void link_fix(const struct check_opts *c, uint32_t link, uint32_t at, char *buf, size_t len)
{
	const struct check_range *p = protected_at(c, link);
	uint64_t fend = (uint64_t)c->flash_base + c->flash_size;
	if (p)
		snprintf(buf, len, "link it for 0x%08x (the FLASH origin in its linker script); 0x%08x-0x%08x is the bootloader's",
			 at, p->base, last(p->base, p->size));
	else if (link >= c->flash_base && link < fend)
		snprintf(buf, len, "link it for 0x%08x (the FLASH origin in its linker script), or write it at 0x%08x (IMAGE_OFFSET=0x%x through make, --address 0x%08x here)",
			 at, link, link - c->flash_base, link);
	else
		snprintf(buf, len, "link it for 0x%08x (the FLASH origin in its linker script)", at);
}

static bool check_link(const struct check_opts *c, struct ctx *x)
{
	if (!c->has_at || !c->has_link || c->link == c->at)
		return true;
	char fix[300];
	link_fix(c, c->link, c->at, fix, sizeof fix);
	if (c->link_name)
		fail(x, "made from %s, which is linked for 0x%08x, but is to be written at 0x%08x (the application address): %s",
		     c->link_name, c->link, c->at, fix);
	else
		fail(x, "linked for 0x%08x but to be written at 0x%08x (the application address): %s",
		     c->link, c->at, fix);
	return false;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void check_vectors(const struct image *img, const struct check_opts *c, struct ctx *x)
{
	const struct segment *s = &img->seg[first_alt0(img)];
	uint64_t fend = (uint64_t)c->flash_base + c->flash_size;

	if (s->len < 8) {
		fail(x, "only %zu bytes at the image's lowest address 0x%08x: too short for a Cortex-M vector table (initial SP and reset vector); is this an application image?",
		     s->len, s->addr);
		return;
	}
	uint32_t sp = rd32(s->data), reset = rd32(s->data + 4);
	size_t n = end_alt0(img);
	uint32_t lo = s->addr;
	uint64_t hi = (uint64_t)img->seg[n - 1].addr + img->seg[n - 1].len;

	/* Not firmware at all: say that, not three lines about its words. */
	const char *kind = vt_file_kind(s->data, s->len);
	if (kind) {
		fail(x, "this is %s, not firmware: there is no Cortex-M vector table at its start", kind);
		return;
	}
	bool sp_ok = !(sp & 3) && (c->has_ram ? sp > c->ram_base && sp <= (uint64_t)c->ram_base + c->ram_size
					      : sp != 0 && sp != 0xFFFFFFFFu);
	uint32_t target = reset & ~1u;
	if (!sp_ok && (!(reset & 1) || target < c->flash_base || target >= fend)) {
		fail(x, "this does not look like firmware: no Cortex-M vector table at 0x%08x (initial SP 0x%08x, reset vector 0x%08x); is it the right file, and does it start with its vector table?",
		     lo, sp, reset);
		return;
	}

	if (c->has_ram) {
		uint64_t rend = (uint64_t)c->ram_base + c->ram_size;
		if (sp <= c->ram_base || sp > rend)
			fail(x, "initial SP 0x%08x (the word at 0x%08x) is outside RAM 0x%08x-0x%08x; it should be at most 0x%08llx, the end of RAM: is the file linked for this board, and does its vector table start the image?",
			     sp, s->addr, c->ram_base, last(c->ram_base, c->ram_size),
			     (unsigned long long)rend);
		else if (sp & 3)
			fail(x, "initial SP 0x%08x (the word at 0x%08x) is not word-aligned: this does not look like a Cortex-M vector table",
			     sp, s->addr);
	} else if (sp == 0xFFFFFFFFu || sp == 0) {
		fail(x, "initial SP is 0x%08x (the word at 0x%08x): %s, not a vector table; is the vector table at the image's start?",
		     sp, s->addr, sp ? "erased flash" : "zero");
	} else if (sp >= c->flash_base && sp < fend) {
		fail(x, "initial SP 0x%08x (the word at 0x%08x) points into flash, not RAM: the image does not start with a vector table (wrong file or wrong --address?)",
		     sp, s->addr);
	} else if (sp & 3) {
		fail(x, "initial SP 0x%08x (the word at 0x%08x) is not word-aligned: this does not look like a Cortex-M vector table",
		     sp, s->addr);
	}

	if (!(reset & 1))
		fail(x, "reset vector 0x%08x (the word at 0x%08x) is even; Cortex-M runs Thumb code only, so this is no vector table (wrong file, or the vector table is not at the image's start)",
		     reset, s->addr + 4);
	/* An image outside flash is reported by the flash rule already. */
	if ((target >= lo && target < hi) || lo < c->flash_base || lo >= fend)
		return;
	uint32_t base;
	if (c->placed && vt_guess_base(target, hi - lo, &base) && base != lo) {
		char fix[300];
		link_fix(c, base, lo, fix, sizeof fix);
		fail(x, "reset vector 0x%08x (the word at 0x%08x) points outside the image 0x%08x-0x%08llx: it looks linked for 0x%08x, not for 0x%08x where it is written; %s",
		     reset, lo + 4, lo, (unsigned long long)(hi - 1), base, lo, fix);
	} else if (target < c->flash_base || target >= fend) {
		fail(x, "reset vector 0x%08x (the word at 0x%08x) points outside flash 0x%08x-0x%08x; the image is linked for another address or chip (check the linker script's FLASH origin)",
		     reset, s->addr + 4, c->flash_base, last(c->flash_base, c->flash_size));
	} else {
		fail(x, "reset vector 0x%08x (the word at 0x%08x) points outside the image 0x%08x-0x%08llx: the vector table belongs to an image linked for another address (wrong file, or check the linker script's FLASH origin)",
		     reset, lo + 4, lo, (unsigned long long)(hi - 1));
	}
}

unsigned image_check_all(const struct image *img, const struct check_opts *c,
			 check_report_fn fn, void *arg)
{
	struct ctx x = { .name = c->name ? c->name : "image", .fn = fn, .arg = arg };

	if (first_alt0(img) == img->nseg) {
		if (img->nseg == 0)
			fail(&x, "the image holds no data");
		else
			fail(&x, "no data for alt setting 0 (internal flash); only alt %u is present",
			     img->seg[0].alt);
		return x.fails;
	}
	if (!check_link(c, &x))
		return x.fails;
	check_flash(img, c, &x);
	check_protect(img, c, &x);
	if (!c->no_vectors)
		check_vectors(img, c, &x);
	return x.fails;
}

static void keep_first(void *arg, const char *msg)
{
	struct fk_err *e = arg;
	fk_fail(e, FK_EDATA, "%s", msg);
}

int image_check(const struct image *img, const struct check_opts *c, struct fk_err *e)
{
	if (c->flash_size == 0 || (uint64_t)c->flash_base + c->flash_size > FK_ADDR_LIMIT)
		return fk_fail(e, FK_EUSAGE, "image check: no valid flash range given");
	if (c->has_ram && (c->ram_size == 0 || (uint64_t)c->ram_base + c->ram_size > FK_ADDR_LIMIT))
		return fk_fail(e, FK_EUSAGE, "image check: invalid RAM range");
	if (c->nprotect > CHECK_MAX_PROTECT)
		return fk_fail(e, FK_EUSAGE, "image check: too many protected regions");
	return image_check_all(img, c, keep_first, e) ? FK_EDATA : 0;
}

void check_summary(const struct image *img, const struct check_opts *c, char *buf, size_t len)
{
	size_t n = end_alt0(img);
	uint32_t lo = n ? img->seg[0].addr : 0;
	uint64_t hi = n ? (uint64_t)img->seg[n - 1].addr + img->seg[n - 1].len : 0;
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += img->seg[i].len;
	char hs[32];
	int w = snprintf(buf, len, "%s: OK: 0x%08x-0x%08llx, %zu bytes (%.1f%% of %s flash at 0x%08x)",
			 c->name ? c->name : "image", lo, (unsigned long long)(hi ? hi - 1 : 0), total,
			 100.0 * (double)(hi - lo) / (double)c->flash_size,
			 human(c->flash_size, hs, sizeof hs), c->flash_base);
	for (size_t p = 0; p < c->nprotect && w > 0 && (size_t)w < len; p++)
		w += snprintf(buf + w, len - (size_t)w, ", clear of 0x%08x-0x%08x", c->protect[p].base,
			      last(c->protect[p].base, c->protect[p].size));
	if (!c->no_vectors && n && img->seg[0].len >= 8 && w > 0 && (size_t)w < len)
		snprintf(buf + w, len - (size_t)w, ", SP 0x%08x, reset 0x%08x",
			 rd32(img->seg[0].data), rd32(img->seg[0].data + 4));
}
