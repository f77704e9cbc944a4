/* The DFU 1.1 file suffix: the last 16 bytes of a .dfu file. */
#ifndef FK_DFU_SUFFIX_H
#define FK_DFU_SUFFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image.h"

#define DFU_SUFFIX_LEN 16
#define DFU_BCD_PLAIN 0x0100
#define DFU_BCD_DFUSE 0x011A

/* dwCRC: reflected CRC-32, init 0xFFFFFFFF, no final xor (= ~zlib crc32). */
uint32_t dfu_crc(const uint8_t *buf, size_t len);

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

#endif
