/* The board-ids file is read by `flashkit list`: any bytes give a table or
 * an error naming the line, never a crash; the by-id name parser stays in
 * bounds for any name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attached.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct att_boards bs = { 0 };
	struct fk_err e = { 0 };
	att_boards_parse(&bs, (const char *)data, size, "fuzz", &e);
	att_boards_free(&bs);
	char name[300], out[64];
	size_t n = size < sizeof name - 1 ? size : sizeof name - 1;
	memcpy(name, data, n);
	name[n] = 0;
	att_by_id_serial(name, out, sizeof out);
	return 0;
}
