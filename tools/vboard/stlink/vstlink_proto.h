/* The ST-LINK/V2-1 (and V3) debug protocol as a probe answers it, on top of
 * the shared virtual STM32 (mcu.h). No USB here: vstlink_usb.c hands every
 * 16-byte command block, write data phase and read request to these calls,
 * so the unit tests drive the decoder directly.
 *
 * The protocol as OpenOCD 0.12's hla driver (src/jtag/drivers/stlink_usb.c)
 * speaks it: a command block on the OUT endpoint (0xF1 GET_VERSION, 0xF2
 * DEBUG ..., 0xF3 DFU, 0xF5 GET_CURRENT_MODE, 0xF7 GET_TARGET_VOLTAGE,
 * 0xFB V3 GET_VERSION_EX), an optional data phase OUT (memory writes), and
 * a reply on the IN endpoint whose first byte is a status (0x80 ok) for most
 * debug commands. */
#ifndef VSTLINK_PROTO_H
#define VSTLINK_PROTO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mcu.h"

#define STL_CMD_SIZE 16
#define STL_DATA_SIZE 6144

/* Status codes in the first reply byte. */
enum {
	STL_OK = 0x80, STL_FAULT = 0x81,
	STL_GET_IDCODE_ERROR = 0x09, STL_SWD_AP_WAIT = 0x10, STL_SWD_AP_FAULT = 0x11,
	STL_SWD_AP_ERROR = 0x12, STL_SWD_DP_WAIT = 0x14, STL_SWD_DP_FAULT = 0x15,
	STL_SWD_DP_ERROR = 0x16, STL_BAD_AP = 0x1d,
};
/* Device modes (GET_CURRENT_MODE). */
enum { STL_MODE_DFU = 0, STL_MODE_MASS = 1, STL_MODE_DEBUG = 2 };

struct vstlink_cfg {
	unsigned hw;            /* 2 (V2-1) or 3 (V3) */
	unsigned jtag, msd, swim, bridge; /* firmware: V2J37M26 */
	uint16_t vid, pid;
	double voltage;         /* target voltage the ADC sees */
	uint32_t dpidr;         /* what the SWD DP answers (the chip's family) */
	bool swd_dead;          /* the target does not answer on SWD */
	bool old_firmware;      /* firmware too old to connect to this target */
	long unreliable_after;  /* clone: writes fail after this many bytes (-1 off) */
	unsigned unreliable_khz;/* ... while the SWD clock is above this (0: always) */
	uint64_t slice;         /* instructions the core runs per command */
};

struct vstlink {
	struct vstlink_cfg cfg;
	struct mcu *mcu;
	FILE *log;              /* events, may be NULL */
	int mode;
	bool connected;         /* SWD entered and the DP answered */
	unsigned swd_khz;
	bool nrst_low;
	/* reply waiting for the IN endpoint */
	uint8_t reply[STL_DATA_SIZE + 16];
	unsigned reply_len;
	bool reply_ready;
	/* a write command waiting for its data phase */
	uint8_t pending[STL_CMD_SIZE];
	unsigned want, got;
	uint8_t data[STL_DATA_SIZE];
	/* GETLASTRWSTATUS(2) */
	uint8_t rw_status;
	uint32_t rw_fault_addr;
	/* counts, for the event log and tests */
	uint64_t commands, bytes_written, bytes_read;
	uint64_t session_written; /* since SWD was entered */
	bool unreliable_fired;   /* this session: every transfer fails now */
};

/* cfg with a Nucleo-64's ST-LINK/V2-1 (V2J37M26), 3.25 V, an F4 DP. */
void vstlink_default_cfg(struct vstlink_cfg *cfg);
void vstlink_init(struct vstlink *p, const struct vstlink_cfg *cfg, struct mcu *mcu, FILE *log);

/* A bulk OUT transfer to the command endpoint: a command block, or the data
 * phase of the write command before it. 0, or -1 for a malformed transfer. */
int vstlink_out(struct vstlink *p, const uint8_t *buf, unsigned len);
/* A bulk IN request: copies the waiting reply (up to len), returns its
 * length, or -1 when there is no reply waiting (the probe would NAK). */
int vstlink_in(struct vstlink *p, uint8_t *buf, unsigned len);

/* The firmware version as OpenOCD prints it: "V2J37M26". */
void vstlink_version_string(const struct vstlink_cfg *cfg, char *out, unsigned len);
/* Parse "V2J37M26", "V3J7M2B3S1", "V2J17S4" into cfg (hw, jtag, msd,
 * swim, bridge). 0 or -1. */
int vstlink_parse_version(struct vstlink_cfg *cfg, const char *s);

#endif
