#include "image.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

void image_init(struct image *img)
{
	memset(img, 0, sizeof *img);
}

void image_free(struct image *img)
{
	for (size_t i = 0; i < img->nseg; i++)
		free(img->seg[i].data);
	free(img->seg);
	free(img->targets);
	free(img->breaks);
	image_init(img);
}

static int seg_cmp(const struct segment *a, uint8_t alt, uint32_t addr)
{
	if (a->alt != alt)
		return a->alt < alt ? -1 : 1;
	if (a->addr != addr)
		return a->addr < addr ? -1 : 1;
	return 0;
}

/* Index of the first segment that sorts after (alt, addr). Binary search:
 * an ELF or HEX file with thousands of records stays O(n log n). */
static size_t upper_bound(const struct image *img, uint8_t alt, uint32_t addr)
{
	size_t lo = 0, hi = img->nseg;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (seg_cmp(&img->seg[mid], alt, addr) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int grow_to(uint8_t **buf, size_t need)
{
	uint8_t *p = realloc(*buf, need ? need : 1);
	if (!p)
		return -1;
	*buf = p;
	return 0;
}

static int add(struct image *img, uint32_t addr, uint8_t *owned, const uint8_t *copy,
	       size_t len, uint8_t alt, const char *where, struct fk_err *e)
{
	const char *w = where ? where : "image";

	if (len == 0) {
		free(owned);
		return 0;
	}
	if ((uint64_t)addr + len > FK_ADDR_LIMIT) {
		free(owned);
		return fk_fail(e, FK_EDATA, "%s: data at 0x%08x+0x%zx runs past the 4 GiB address space",
			       w, addr, len);
	}
	size_t i = upper_bound(img, alt, addr);
	struct segment *prev = i > 0 && img->seg[i - 1].alt == alt ? &img->seg[i - 1] : NULL;
	struct segment *next = i < img->nseg && img->seg[i].alt == alt ? &img->seg[i] : NULL;
	uint64_t end = (uint64_t)addr + len;

	if (prev && (uint64_t)prev->addr + prev->len > addr) {
		free(owned);
		return fk_fail(e, FK_EDATA, "%s: data at 0x%08x overlaps data already at 0x%08x-0x%08llx",
			       w, addr, prev->addr, (unsigned long long)prev->addr + prev->len - 1);
	}
	if (next && end > next->addr) {
		free(owned);
		return fk_fail(e, FK_EDATA, "%s: data at 0x%08x-0x%08llx overlaps data already at 0x%08x",
			       w, addr, (unsigned long long)end - 1, next->addr);
	}
	/* Append to the previous run when contiguous: the common case for HEX,
	 * where records arrive in order, costs an amortised realloc. */
	if (prev && (uint64_t)prev->addr + prev->len == addr) {
		size_t need = prev->len + len;
		if (need > prev->cap) {
			size_t want = prev->cap ? prev->cap : 64;
			while (want < need)
				want *= 2;
			if (grow_to(&prev->data, want) < 0) {
				free(owned);
				return fk_fail(e, FK_EINTERNAL, "out of memory");
			}
			prev->cap = want;
		}
		memcpy(prev->data + prev->len, owned ? owned : copy, len);
		prev->len = need;
		free(owned);
		if (next && (uint64_t)prev->addr + prev->len == next->addr) {
			size_t total = prev->len + next->len;
			if (total > prev->cap) {
				if (grow_to(&prev->data, total) < 0)
					return fk_fail(e, FK_EINTERNAL, "out of memory");
				prev->cap = total;
			}
			memcpy(prev->data + prev->len, next->data, next->len);
			prev->len = total;
			free(next->data);
			memmove(next, next + 1, (img->nseg - i - 1) * sizeof *next);
			img->nseg--;
		}
		return 0;
	}
	if (img->nseg == img->cap) {
		size_t ncap = img->cap ? img->cap * 2 : 8;
		struct segment *s = realloc(img->seg, ncap * sizeof *s);
		if (!s) {
			free(owned);
			return fk_fail(e, FK_EINTERNAL, "out of memory");
		}
		img->seg = s;
		img->cap = ncap;
	}
	uint8_t *data = owned;
	if (!data) {
		data = malloc(len);
		if (!data)
			return fk_fail(e, FK_EINTERNAL, "out of memory");
		memcpy(data, copy, len);
	}
	memmove(&img->seg[i + 1], &img->seg[i], (img->nseg - i) * sizeof *img->seg);
	img->seg[i] = (struct segment){ .addr = addr, .len = len, .data = data, .cap = len, .alt = alt };
	img->nseg++;
	/* merge with the following run if now contiguous */
	next = i + 1 < img->nseg && img->seg[i + 1].alt == alt ? &img->seg[i + 1] : NULL;
	if (next && end == next->addr) {
		struct segment *cur = &img->seg[i];
		size_t total = cur->len + next->len;
		if (total > cur->cap) {
			if (grow_to(&cur->data, total) < 0)
				return fk_fail(e, FK_EINTERNAL, "out of memory");
			cur->cap = total;
		}
		memcpy(cur->data + cur->len, next->data, next->len);
		cur->len = total;
		free(next->data);
		memmove(next, next + 1, (img->nseg - i - 2) * sizeof *next);
		img->nseg--;
	}
	return 0;
}

int image_add(struct image *img, uint32_t addr, const uint8_t *data, size_t len,
	      uint8_t alt, const char *where, struct fk_err *e)
{
	return add(img, addr, NULL, data, len, alt, where, e);
}

int image_add_owned(struct image *img, uint32_t addr, uint8_t *data, size_t len,
		    uint8_t alt, const char *where, struct fk_err *e)
{
	return add(img, addr, data, NULL, len, alt, where, e);
}

size_t image_total(const struct image *img)
{
	size_t t = 0;
	for (size_t i = 0; i < img->nseg; i++)
		t += img->seg[i].len;
	return t;
}

uint32_t image_lowest(const struct image *img)
{
	uint32_t lo = 0;
	for (size_t i = 0; i < img->nseg; i++)
		if (i == 0 || img->seg[i].addr < lo)
			lo = img->seg[i].addr;
	return lo;
}

uint64_t image_end(const struct image *img)
{
	uint64_t hi = 0;
	for (size_t i = 0; i < img->nseg; i++) {
		uint64_t end = (uint64_t)img->seg[i].addr + img->seg[i].len;
		if (end > hi)
			hi = end;
	}
	return hi;
}

bool image_read32(const struct image *img, uint32_t addr, uint32_t *out)
{
	for (size_t i = 0; i < img->nseg; i++) {
		const struct segment *s = &img->seg[i];
		if (addr >= s->addr && (uint64_t)addr + 4 <= (uint64_t)s->addr + s->len) {
			const uint8_t *p = s->data + (addr - s->addr);
			*out = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			       (uint32_t)p[3] << 24;
			return true;
		}
	}
	return false;
}

int image_relocate(struct image *img, int64_t delta, struct fk_err *e)
{
	for (size_t i = 0; i < img->nseg; i++) {
		int64_t a = (int64_t)img->seg[i].addr + delta;
		if (a < 0 || (uint64_t)a + img->seg[i].len > FK_ADDR_LIMIT)
			return fk_fail(e, FK_EDATA,
				       "moving data at 0x%08x by %lld leaves the 32-bit address space",
				       img->seg[i].addr, (long long)delta);
	}
	for (size_t i = 0; i < img->nseg; i++)
		img->seg[i].addr = (uint32_t)((int64_t)img->seg[i].addr + delta);
	/* Breaks follow the data; one that would leave the address space
	 * cannot sit inside data any more, so it is dropped. */
	size_t nb = 0;
	for (size_t i = 0; i < img->nbreaks; i++) {
		int64_t a = (int64_t)img->breaks[i] + delta;
		if (a >= 0 && a < (int64_t)FK_ADDR_LIMIT)
			img->breaks[nb++] = (uint32_t)a;
	}
	img->nbreaks = nb;
	if (img->has_entry)
		img->entry = (uint32_t)((int64_t)img->entry + delta);
	return 0;
}

uint32_t image_crc32(const struct image *img)
{
	uLong crc = crc32(0L, Z_NULL, 0);
	for (size_t i = 0; i < img->nseg; i++) {
		const uint8_t *p = img->seg[i].data;
		size_t n = img->seg[i].len;
		while (n > 0) {
			uInt chunk = n > 0x40000000u ? 0x40000000u : (uInt)n;
			crc = crc32(crc, p, chunk);
			p += chunk;
			n -= chunk;
		}
	}
	return (uint32_t)crc;
}

int image_set_target_name(struct image *img, uint8_t alt, const char *name)
{
	for (size_t i = 0; i < img->ntargets; i++) {
		if (img->targets[i].alt == alt) {
			snprintf(img->targets[i].name, sizeof img->targets[i].name, "%s", name);
			return 0;
		}
	}
	struct image_target *t = realloc(img->targets, (img->ntargets + 1) * sizeof *t);
	if (!t)
		return -1;
	img->targets = t;
	t[img->ntargets].alt = alt;
	snprintf(t[img->ntargets].name, sizeof t[img->ntargets].name, "%s", name);
	img->ntargets++;
	return 0;
}

const char *image_target_name(const struct image *img, uint8_t alt)
{
	for (size_t i = 0; i < img->ntargets; i++)
		if (img->targets[i].alt == alt)
			return img->targets[i].name;
	return NULL;
}

int image_add_break(struct image *img, uint32_t addr)
{
	size_t lo = 0, hi = img->nbreaks;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (img->breaks[mid] < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < img->nbreaks && img->breaks[lo] == addr)
		return 0;
	if (img->nbreaks == img->breaks_cap) {
		size_t ncap = img->breaks_cap ? img->breaks_cap * 2 : 16;
		uint32_t *b = realloc(img->breaks, ncap * sizeof *b);
		if (!b)
			return -1;
		img->breaks = b;
		img->breaks_cap = ncap;
	}
	memmove(&img->breaks[lo + 1], &img->breaks[lo], (img->nbreaks - lo) * sizeof *img->breaks);
	img->breaks[lo] = addr;
	img->nbreaks++;
	return 0;
}

uint64_t image_next_break(const struct image *img, uint32_t addr, size_t *hint)
{
	size_t i = *hint;
	if (i > img->nbreaks || (i > 0 && img->breaks[i - 1] > addr))
		i = 0;
	while (i < img->nbreaks && img->breaks[i] <= addr)
		i++;
	*hint = i;
	return i < img->nbreaks ? img->breaks[i] : FK_ADDR_LIMIT;
}
