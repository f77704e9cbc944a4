/* libFuzzer target for the srec reader: whatever it accepts must survive a
 * round trip through the srec writer and reader unchanged. */
#include "roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return roundtrip(&fmt_srec, &fmt_srec, data, size);
}
