#include "vectors.h"

#include <stdio.h>
#include <string.h>

bool vt_plausible(uint32_t sp, uint32_t reset)
{
	return !(sp & 3) && sp >= 0x10000000u && sp <= 0x40000000u && (reset & 1) &&
	       reset < 0x40000000u;
}

bool vt_guess_base(uint32_t target, uint64_t len, uint32_t *base)
{
	if (target < 8 || len <= 8)
		return false;
	for (unsigned bit = 31; bit >= 8; bit--) {
		uint32_t b = (target - 8) & ~((1u << bit) - 1);
		if ((uint64_t)b + len > target) {
			*base = b;
			return true;
		}
	}
	return false;
}

static bool starts(const uint8_t *p, size_t n, const char *magic, size_t m)
{
	return n >= m && memcmp(p, magic, m) == 0;
}

const char *vt_file_kind(const uint8_t *p, size_t n)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *kind;
	} kinds[] = {
		{ "\x89PNG\r\n\x1a\n", 8, "a PNG image" },
		{ "\xff\xd8\xff", 3, "a JPEG image" },
		{ "GIF8", 4, "a GIF image" },
		{ "PK\x03\x04", 4, "a ZIP archive" },
		{ "\x1f\x8b", 2, "a gzip file" },
		{ "BZh", 3, "a bzip2 file" },
		{ "\xfd" "7zXZ", 5, "an xz file" },
		{ "7z\xbc\xaf\x27\x1c", 6, "a 7-Zip archive" },
		{ "%PDF", 4, "a PDF document" },
		{ "UF2\n", 4, "a UF2 file (copy it to the board's UF2 drive, or unpack it with uf2conv.py)" },
		{ "\x7f" "ELF", 4, "an ELF file" },
		{ "#!", 2, "a script" },
	};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (starts(p, n, kinds[i].magic, kinds[i].len))
			return kinds[i].kind;
	if (n >= 262 && memcmp(p + 257, "ustar", 5) == 0)
		return "a tar archive";
	/* Text: the first bytes all printable or line ends. A vector table's
	 * SP (0x2000xxxx) has a zero byte in it, so firmware never passes. */
	size_t m = n < 64 ? n : 64;
	if (m < 8)
		return NULL;
	for (size_t i = 0; i < m; i++)
		if (!((p[i] >= 0x20 && p[i] < 0x7f) || p[i] == '\n' || p[i] == '\r' || p[i] == '\t'))
			return NULL;
	return "text";
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool vt_warning(const struct image *img, const char *name, bool bin_at_default_0, char *buf,
		size_t len)
{
	if (img->nseg == 0 || img->seg[0].alt != 0)
		return false;
	size_t n = 0;
	while (n < img->nseg && img->seg[n].alt == 0)
		n++;
	uint64_t span = (uint64_t)img->seg[n - 1].addr + img->seg[n - 1].len - img->seg[0].addr;
	return vt_warning_raw(img->seg[0].data, img->seg[0].len, img->seg[0].addr, span, name,
			      bin_at_default_0, buf, len);
}

bool vt_warning_raw(const uint8_t *data, size_t dlen, uint32_t addr, uint64_t span,
		    const char *name, bool bin_at_default_0, char *buf, size_t len)
{
	const struct {
		const uint8_t *data;
		size_t len;
		uint32_t addr;
	} seg = { data, dlen, addr }, *s = &seg;
	const char *kind = vt_file_kind(s->data, s->len);
	if (kind && strcmp(kind, "an ELF file") != 0) {
		snprintf(buf, len, "%s: this is %s, not firmware", name, kind);
		return true;
	}
	if (s->len < 8) {
		snprintf(buf, len, "%s: only %zu bytes at 0x%08x: no Cortex-M vector table; is this firmware?",
			 name, s->len, s->addr);
		return true;
	}
	uint32_t sp = rd32(s->data), reset = rd32(s->data + 4);
	if (!vt_plausible(sp, reset)) {
		snprintf(buf, len,
			 "%s: no Cortex-M vector table at 0x%08x (initial SP 0x%08x, reset vector 0x%08x): is this firmware, and does it start with its vector table?",
			 name, s->addr, sp, reset);
		return true;
	}
	if (bin_at_default_0) {
		uint32_t base;
		uint32_t target = reset & ~1u;
		if ((target < s->addr || target >= s->addr + span) &&
		    vt_guess_base(target, span, &base))
			snprintf(buf, len,
				 "%s: a raw binary is placed at 0x00000000 without --address; its vector table points to 0x%08x, so it is most likely linked for 0x%08x: add --address 0x%08x",
				 name, reset, base, base);
		else
			snprintf(buf, len,
				 "%s: a raw binary is placed at 0x00000000 without --address; give --address (e.g. 0x08000000) to put it where it is flashed",
				 name);
		return true;
	}
	return false;
}
