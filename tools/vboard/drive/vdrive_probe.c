#include "vdrive_probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(struct probe_result *r, const char *msg, const char *type)
{
	r->ok = false;
	r->error = msg;
	r->type = type;
	return -1;
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode an Intel HEX file into stage/mask (indexed from f->base). */
static int parse_hex(const struct vflash *f, const uint8_t *p, size_t len, uint8_t *stage,
		      uint8_t *mask, struct probe_result *r)
{
	uint32_t upper = 0;
	bool eof = false;
	size_t i = 0;
	while (i < len && !eof) {
		size_t s = i;
		while (i < len && p[i] != '\n')
			i++;
		size_t e = i;
		i++;
		while (e > s && (p[e - 1] == '\r' || p[e - 1] == ' ' || p[e - 1] == '\t'))
			e--;
		if (e == s)
			continue;
		if (p[s] != ':' || (e - s - 1) % 2 != 0 || e - s < 11)
			return fail(r, PROBE_MSG_HEX_PARSER, "user");
		uint8_t rec[300];
		size_t n = (e - s - 1) / 2;
		if (n > sizeof rec)
			return fail(r, PROBE_MSG_HEX_PARSER, "user");
		for (size_t k = 0; k < n; k++) {
			int hi = hexval(p[s + 1 + 2 * k]), lo = hexval(p[s + 2 + 2 * k]);
			if (hi < 0 || lo < 0)
				return fail(r, PROBE_MSG_HEX_PARSER, "user");
			rec[k] = (uint8_t)(hi << 4 | lo);
		}
		if ((size_t)rec[0] + 5 != n)
			return fail(r, PROBE_MSG_HEX_PARSER, "user");
		uint8_t sum = 0;
		for (size_t k = 0; k < n; k++)
			sum = (uint8_t)(sum + rec[k]);
		if (sum != 0)
			return fail(r, PROBE_MSG_HEX_CKSUM, "user");
		uint8_t count = rec[0], type = rec[3];
		uint32_t off = (uint32_t)rec[1] << 8 | rec[2];
		const uint8_t *d = rec + 4;
		switch (type) {
		case 0:
			for (uint32_t k = 0; k < count; k++) {
				uint64_t a = (uint64_t)upper + ((off + k) & 0xFFFF);
				if (a < f->base || a >= (uint64_t)f->base + f->size)
					return fail(r, PROBE_MSG_HEX_ADDRESS, "user");
				stage[a - f->base] = d[k];
				mask[a - f->base] = 1;
			}
			break;
		case 1:
			eof = true;
			break;
		case 2:
		case 4:
			if (count != 2)
				return fail(r, PROBE_MSG_HEX_PARSER, "user");
			upper = type == 4 ? (uint32_t)(d[0] << 8 | d[1]) << 16
					  : (uint32_t)(d[0] << 8 | d[1]) << 4;
			break;
		case 3:
		case 5:
			if (count != 4)
				return fail(r, PROBE_MSG_HEX_PARSER, "user");
			break;
		default:
			return fail(r, PROBE_MSG_HEX_PARSER, "user");
		}
	}
	if (!eof)
		return fail(r, PROBE_MSG_HEX_PARSER, "user");
	r->ok = true;
	return 0;
}

void probe_program(struct vflash *f, const uint8_t *data, size_t len, bool hex,
		   struct probe_result *r)
{
	memset(r, 0, sizeof *r);
	uint8_t *stage = malloc(f->size), *mask = calloc(f->size, 1);
	if (!stage || !mask) {
		free(stage);
		free(mask);
		fail(r, PROBE_MSG_WRITE, "interface");
		return;
	}
	memset(stage, 0xFF, f->size);
	if (hex) {
		parse_hex(f, data, len, stage, mask, r);
	} else if (len > f->size) {
		fail(r, PROBE_MSG_TOO_LARGE, "transient");
	} else {
		memcpy(stage, data, len);
		memset(mask, 1, len);
		r->ok = true;
	}
	/* Like the probe: erase each sector the image touches, then program. */
	for (unsigned s = 0; r->ok && s < f->nsect; s++) {
		uint32_t a = f->sect_off[s], b = f->sect_off[s + 1];
		uint32_t k = a;
		while (k < b && !mask[k])
			k++;
		if (k == b)
			continue;
		if (vflash_erase_sector(f, s) != VF_OK) {
			fail(r, PROBE_MSG_WRITE, "target");
			break;
		}
		while (k < b) {
			while (k < b && !mask[k])
				k++;
			uint32_t run = k;
			while (k < b && mask[k])
				k++;
			if (k > run) {
				if (vflash_program(f, f->base + run, stage + run, k - run, true) != VF_OK) {
					fail(r, PROBE_MSG_WRITE, "target");
					break;
				}
				if (!r->bytes || f->base + run < r->low)
					r->low = f->base + run;
				if (f->base + k > r->high)
					r->high = f->base + k;
				r->bytes += k - run;
			}
		}
	}
	if (r->bytes)
		vflash_sync(f);
	free(stage);
	free(mask);
}

int probe_fail_text(const struct probe_result *r, char *out, size_t len)
{
	return snprintf(out, len, "error: %s\r\ntype: %s\r\n", r->error ? r->error : "An error has occurred",
			r->type ? r->type : "internal");
}
