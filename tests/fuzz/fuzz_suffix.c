/* libFuzzer target: the DFU suffix parser. A suffix it accepts must be the
 * one dfu_suffix_build makes for the same data and fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dfu_suffix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dfu_suffix s;
	enum suffix_state st = dfu_suffix_parse(data, size, &s);
	if (st == SUFFIX_OK) {
		if (size < DFU_SUFFIX_LEN)
			abort();
		uint8_t out[DFU_SUFFIX_LEN];
		struct dfu_suffix t = s;
		dfu_suffix_build(data, size - DFU_SUFFIX_LEN, &t, out);
		if (memcmp(out, data + size - DFU_SUFFIX_LEN, DFU_SUFFIX_LEN) != 0 || t.crc != s.crc)
			abort();
	}
	/* the id parser takes NUL-terminated text */
	char txt[16];
	size_t n = size < sizeof txt - 1 ? size : sizeof txt - 1;
	memcpy(txt, data, n);
	txt[n] = 0;
	uint16_t id;
	if (dfu_parse_id(txt, &id) && strlen(txt) == 0)
		abort();
	return 0;
}
