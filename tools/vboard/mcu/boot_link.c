/* Where an image was linked for, from its vector table: the handlers are
 * absolute addresses, so an image placed at another address than the one it
 * was linked for has handlers outside itself. Pure (reads through a
 * callback), so unit tests need no core. */
#include "verdict.h"

static bool rd(const struct vboard_reader *r, uint32_t a, uint8_t *buf, uint32_t len)
{
	return r->read(r->ctx, a, buf, len);
}

static bool vf32(const struct vboard_reader *r, uint32_t a, uint32_t *v)
{
	uint8_t b[4];
	if (!rd(r, a, b, 4))
		return false;
	*v = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
	return true;
}

/* The image's extent from `at`: up to the first 1 KiB that is all erased. */
static uint32_t image_size(const struct vboard_spec *s, const struct vboard_reader *f, uint32_t at)
{
	uint32_t end = s->flash_base + s->flash_size, last = at;
	uint8_t blk[256];
	unsigned erased_run = 0;
	for (uint32_t a = at; a < end && erased_run < 1024; a += sizeof blk) {
		uint32_t n = end - a < sizeof blk ? end - a : sizeof blk;
		if (!rd(f, a, blk, n))
			break;
		bool all = true;
		for (uint32_t i = 0; i < n; i++)
			if (blk[i] != 0xFF) {
				all = false;
				last = a + i + 1;
			}
		erased_run = all ? erased_run + n : 0;
	}
	return last - at;
}

uint32_t vboard_linked_base(const struct vboard_spec *s, const struct vboard_reader *f, uint32_t at)
{
	/* Handlers of the 15 system exceptions: absolute, odd (Thumb), 0 unused. */
	uint32_t lo = 0xFFFFFFFFu, hi = 0;
	for (unsigned i = 1; i < 16; i++) {
		uint32_t v;
		if (!vf32(f, at + 4 * i, &v))
			return at;
		if (v == 0 || v == 0xFFFFFFFFu || !(v & 1))
			continue;
		v &= ~1u;
		if (v < s->flash_base || v >= s->flash_base + s->flash_size)
			continue; /* a handler in RAM or ROM says nothing about the link address */
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	if (lo > hi)
		return at;
	uint32_t size = image_size(s, f, at);
	if (size < 8)
		size = 8;
	/* A base fits when every handler lies inside the image placed there. */
#define FITS(b) ((b) <= lo && hi < (b) + size)
	if (FITS(at))
		return at;
	const uint32_t cand[] = { s->app, s->flash_base, lo & ~0x3FFFu, lo & ~0xFFFu, lo & ~0x1FFu };
	for (size_t i = 0; i < sizeof cand / sizeof cand[0]; i++)
		if (cand[i] && FITS(cand[i]))
			return cand[i];
#undef FITS
	return lo & ~0x1FFu;
}
