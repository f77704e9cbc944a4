/* What the probe behind a virtual ST-LINK drive does with a file that was
 * copied onto it: decode a .bin (written at the start of flash) or an Intel
 * HEX file, erase every sector the image touches, program it, and on bad
 * input say why in the words a DAPLink/ST-LINK puts in FAIL.TXT. This is an
 * implementation of its own, not flashkit's readers, so that the end-to-end
 * tests cross-check flashkit's conversion. */
#ifndef VDRIVE_PROBE_H
#define VDRIVE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vflash.h"

/* The probe's FAIL.TXT messages (DAPLink's wording). */
#define PROBE_MSG_RESET "The interface firmware FAILED to reset/halt the target MCU"
#define PROBE_MSG_HEX_CKSUM "The hex file cannot be decoded. Checksum calculation failure occurred."
#define PROBE_MSG_HEX_PARSER "The hex file cannot be decoded. Parser logic failure occurred."
#define PROBE_MSG_HEX_ADDRESS                                                                     \
	"The hex file you dropped isn't compatible with this mode or device. Are you in MAINTENANCE " \
	"mode? See HELP FAQ.HTM"
/* DAPLink's ERROR_FILE_BOUNDS: more data than fits (or beyond) the flash. */
#define PROBE_MSG_TOO_LARGE "Possible mismatch between file size and size programmed"
#define PROBE_MSG_WRITE "Flash algorithm write command FAILURE"

struct probe_result {
	bool ok;
	const char *error;       /* one of the messages above */
	const char *type;        /* "user", "target" */
	size_t bytes;            /* bytes programmed */
	uint32_t low, high;      /* address range written (high exclusive) */
};

/* Program data (a whole .bin, or an Intel HEX file when hex) into f. On a
 * failure before any sector was erased, flash is untouched. */
void probe_program(struct vflash *f, const uint8_t *data, size_t len, bool hex,
		   struct probe_result *r);

/* FAIL.TXT as DAPLink writes it: "error: MSG\r\ntype: TYPE\r\n". */
int probe_fail_text(const struct probe_result *r, char *out, size_t len);

#endif
