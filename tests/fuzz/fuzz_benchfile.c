/* A bench file is user text read by `flashkit bench`: any bytes give boards
 * or an error naming the line, never a crash or a read out of bounds. */
#include <stdint.h>
#include <stdlib.h>

#include "bench_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bench bn;
	struct fk_err e = { 0 };
	bench_parse(&bn, (const char *)data, size, "fuzz", &e);
	return 0;
}
