/* The DFU 1.1 file suffix (the last 16 bytes of a .dfu file), and the entry
 * points of the DfuSe container (ST UM0391) that go beyond the format table. */
#ifndef FK_DFU_SUFFIX_H
#define FK_DFU_SUFFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "image.h"

#define DFU_SUFFIX_LEN 16
#define DFU_BCD_PLAIN 0x0100
#define DFU_BCD_DFUSE 0x011A

/* Defaults for a DfuSe file: the STM32 ROM bootloader's USB id, and
 * bcdDevice 0xFFFF, which DFU 1.1 defines as "any release" (dfu-util 0.11
 * matches only idVendor/idProduct; dfuse-pack writes 0, which a tool that
 * compares bcdDevice would hold against the device's release). */
#define DFUSE_DEFAULT_VID 0x0483
#define DFUSE_DEFAULT_PID 0xDF11
#define DFUSE_DEFAULT_DEVICE 0xFFFF

/* dwCRC: reflected CRC-32, init 0xFFFFFFFF, no final xor (= ~zlib crc32). */
uint32_t dfu_crc(const uint8_t *buf, size_t len);
/* Running form for data written in pieces: start with zcrc = 0, feed every
 * byte before the suffix, then hand the result to dfu_suffix_finish. */
uint32_t dfu_crc_update(uint32_t zcrc, const uint8_t *buf, size_t len);

enum suffix_state {
	SUFFIX_NONE,     /* no "UFD" signature: not a suffixed file */
	SUFFIX_BAD_CRC,  /* signature present but dwCRC does not match */
	SUFFIX_BAD_LEN,  /* signature present, bLength is not 16 */
	SUFFIX_OK,
};

/* Look at the last 16 bytes of buf; fill *s when a signature is present. */
enum suffix_state dfu_suffix_parse(const uint8_t *buf, size_t len, struct dfu_suffix *s);
/* Serialise s for data buf[0..len) (computes the CRC over data + suffix head). */
void dfu_suffix_build(const uint8_t *data, size_t len, struct dfu_suffix *s,
		      uint8_t out[DFU_SUFFIX_LEN]);
/* The same, given zcrc = dfu_crc_update(0, data...) of everything before it. */
void dfu_suffix_finish(uint32_t zcrc, struct dfu_suffix *s, uint8_t out[DFU_SUFFIX_LEN]);

/* A USB id or bcd field as lsusb and dfu-suffix write it: hex, with or
 * without 0x, 1 to 4 digits ("0483", "0xdf11"). */
bool dfu_parse_id(const char *s, uint16_t *out);

/* "0x0100" / "DfuSe 0x011A" style label for bcdDFU. */
const char *dfu_spec_name(uint16_t bcd_dfu);

/* The DfuSe reader behind fmt_dfuse, with the suffix CRC check optional so
 * 'flashkit info' can still show a file whose CRC is wrong. buf is the
 * whole file, suffix included. Errors name o->name and a byte offset. */
int dfuse_parse(struct image *img, const uint8_t *buf, size_t len, const char *name,
		bool check_crc, struct fk_err *e);

#endif
