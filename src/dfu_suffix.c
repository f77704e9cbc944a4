#include "dfu_suffix.h"

#include <string.h>
#include <zlib.h>

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* zlib's crc32 with init/final xor undone gives the DFU CRC; zlib is much
 * faster than a byte table and is what the design asks for. */
uint32_t dfu_crc_update(uint32_t zcrc, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		uInt chunk = len > 0x40000000u ? 0x40000000u : (uInt)len;
		zcrc = (uint32_t)crc32(zcrc, buf, chunk);
		buf += chunk;
		len -= chunk;
	}
	return zcrc;
}

uint32_t dfu_crc(const uint8_t *buf, size_t len)
{
	return ~dfu_crc_update(0, buf, len);
}

enum suffix_state dfu_suffix_parse(const uint8_t *buf, size_t len, struct dfu_suffix *s)
{
	if (len < DFU_SUFFIX_LEN)
		return SUFFIX_NONE;
	const uint8_t *p = buf + len - DFU_SUFFIX_LEN;
	if (p[8] != 'U' || p[9] != 'F' || p[10] != 'D')
		return SUFFIX_NONE;
	s->bcd_device = le16(p);
	s->id_product = le16(p + 2);
	s->id_vendor = le16(p + 4);
	s->bcd_dfu = le16(p + 6);
	s->crc = le32(p + 12);
	if (p[11] != DFU_SUFFIX_LEN)
		return SUFFIX_BAD_LEN;
	if (dfu_crc(buf, len - 4) != s->crc)
		return SUFFIX_BAD_CRC;
	return SUFFIX_OK;
}

void dfu_suffix_finish(uint32_t zcrc, struct dfu_suffix *s, uint8_t out[DFU_SUFFIX_LEN])
{
	out[0] = (uint8_t)s->bcd_device;
	out[1] = (uint8_t)(s->bcd_device >> 8);
	out[2] = (uint8_t)s->id_product;
	out[3] = (uint8_t)(s->id_product >> 8);
	out[4] = (uint8_t)s->id_vendor;
	out[5] = (uint8_t)(s->id_vendor >> 8);
	out[6] = (uint8_t)s->bcd_dfu;
	out[7] = (uint8_t)(s->bcd_dfu >> 8);
	out[8] = 'U';
	out[9] = 'F';
	out[10] = 'D';
	out[11] = DFU_SUFFIX_LEN;
	s->crc = ~dfu_crc_update(zcrc, out, 12);
	out[12] = (uint8_t)s->crc;
	out[13] = (uint8_t)(s->crc >> 8);
	out[14] = (uint8_t)(s->crc >> 16);
	out[15] = (uint8_t)(s->crc >> 24);
}

void dfu_suffix_build(const uint8_t *data, size_t len, struct dfu_suffix *s,
		      uint8_t out[DFU_SUFFIX_LEN])
{
	dfu_suffix_finish(dfu_crc_update(0, data, len), s, out);
}

const char *dfu_spec_name(uint16_t bcd_dfu)
{
	switch (bcd_dfu) {
	case DFU_BCD_PLAIN:
		return "DFU 1.0";
	case DFU_BCD_DFUSE:
		return "DfuSe";
	case 0x0110:
		return "DFU 1.1";
	default:
		return "unknown";
	}
}

/* Hex id as dfu-suffix and lsusb write it: "0483", "0x0483", "DF11". */
bool dfu_parse_id(const char *s, uint16_t *out)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	size_t n = strlen(s);
	if (n == 0 || n > 4)
		return false;
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		v = v * 16 + d;
	}
	*out = (uint16_t)v;
	return true;
}
