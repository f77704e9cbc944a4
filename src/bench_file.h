/* A bench file: one board a line, for make flash-bench / flashkit bench.
 *
 *   # name  board        programmer  selector                   [VAR=value ...]
 *   left    nucleo-f401  cpy2remed   SERIAL=0671FF485550755187121723
 *   right   nucleo-f401  stm32flash  PORT=/dev/ttyUSB0          FLASHFILE=right.bin
 *
 * Fields are separated by blanks; '#' starts a comment; the selector is
 * SERIAL=, USB_PATH= or PORT=; the optional words after it are make
 * variables (FLASHFILE=, STM32FLASH_RESET=1, DFU_WAIT=5, ...). */
#ifndef FK_BENCH_FILE_H
#define FK_BENCH_FILE_H

#include <stddef.h>

#include "err.h"

#define BENCH_MAX_VARS 8
#define BENCH_MAX_BOARDS 64

struct bench_board {
	char name[32];
	char board[64];
	char programmer[32];
	char selector[160];          /* "SERIAL=...", "USB_PATH=..." or "PORT=..." */
	char flashfile[512];         /* "" when the line has none */
	char vars[BENCH_MAX_VARS][160];  /* further VAR=value words */
	size_t nvars;
	size_t line;
};

struct bench {
	struct bench_board b[BENCH_MAX_BOARDS];
	size_t n;
};

/* Parse the text of a bench file; name is used in messages
 * ("bench.txt:3: ..."). A bad line is FK_EDATA naming it. */
int bench_parse(struct bench *bn, const char *text, size_t len, const char *name,
		struct fk_err *e);

#endif
