/* libFuzzer target for the elf reader: whatever it accepts must survive a
 * round trip through the ihex writer and reader unchanged. */
#include "roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return roundtrip(&fmt_elf, &fmt_ihex, data, size);
}
