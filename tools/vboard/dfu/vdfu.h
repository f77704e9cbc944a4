/* vdfu: a virtual STM32 ROM DFU bootloader (DfuSe 1.1a) for the real
 * dfu-util, served through umockdev's usbdevfs ioctl emulation.
 *
 * Four parts: vdfu_main.c (options, memory layouts, the command under test),
 * vdfu_bus.c (devices coming and going), vdfu_usb.c (descriptors, the
 * callbacks of the shared bus in tools/vboard/usb) and vdfu_dfuse.c (the DFU
 * class state machine and the DfuSe commands on the shared flash model). */
#ifndef VDFU_H
#define VDFU_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "verdict.h"
#include "vflash.h"
#include "vusb.h"

/* DFU 1.1 states and status codes. */
enum {
	APP_IDLE = 0, APP_DETACH = 1, DFU_IDLE = 2, DFU_DNLOAD_SYNC = 3, DFU_DNBUSY = 4,
	DFU_DNLOAD_IDLE = 5, DFU_MANIFEST_SYNC = 6, DFU_MANIFEST = 7,
	DFU_MANIFEST_WAIT_RESET = 8, DFU_UPLOAD_IDLE = 9, DFU_ERROR = 10,
};
enum {
	ST_OK = 0, ST_TARGET = 1, ST_WRITE = 3, ST_ERASE = 4, ST_PROG = 6, ST_VERIFY = 7,
	ST_ADDRESS = 8, ST_NOTDONE = 9, ST_VENDOR = 0x0b, ST_UNKNOWN = 0x0e, ST_STALLEDPKT = 0x0f,
};

/* What a virtual USB device is. */
enum vdev_kind {
	VDEV_BOOT,  /* the ROM bootloader, 0483:df11 */
	VDEV_APP,   /* the application with a DFU runtime interface */
	VDEV_OTHER, /* an unrelated DFU device (plain DFU 1.1) on the same bus */
};

#define VDFU_MAX_ALTS 4
#define VDFU_XFER 2048

/* One memory behind an alt setting: flash (vflash) or a small RAM-backed
 * area (option bytes, OTP). */
struct valt {
	char name[128];    /* DfuSe layout string, e.g. "@Internal Flash  /0x08000000/..." */
	uint32_t base, size;
	bool is_flash;
	bool writable;
	uint8_t *ram;      /* for non-flash alts */
};

struct vdev {
	struct vusb_dev usb; /* first: the bus's callbacks get &usb */
	enum vdev_kind kind;
	int board;           /* 0: the board; 1: --other-flash-file's second board */
};

/* Faults, set with --fault NAME[=N]. */
struct vfaults {
	long stall_at;        /* stall the download block carrying this byte offset (-1 off) */
	long disconnect_at;   /* unplug at this byte offset of the download (-1 off) */
	bool no_leave;        /* :leave does not start the application */
	bool leave_no_status; /* :leave starts the application before answering the
				 last GET_STATUS (Particle, crow, ...): dfu-util then
				 reports "Error during download get_status" */
	bool no_detach;       /* the application refuses DFU_DETACH */
	bool rdp;             /* read protection (RDP level 1) set */
	bool access;          /* the device node is not accessible to the user */
};

struct vboard {
	GMutex lock;
	struct vflash flash;
	struct valt alts[VDFU_MAX_ALTS];
	unsigned nalts;
	bool dual_bank_erase_bug; /* F7 dual bank: page erase hits the wrong sector */
	const char *single_bank_layout; /* what the buggy ROM computes sectors with */
	struct vfaults faults;
	const char *serial;
	unsigned poll_ms;     /* bwPollTimeout for erase/program */
	double detach_delay;  /* seconds from detach/leave to the new device */
	bool app_usb;         /* the application enumerates (DFU runtime interface) */
	FILE *events;         /* --events log, or NULL */
	struct vboard_run_opt run; /* --run: what :leave starts runs on the mcu model */
	bool verbose;

	/* DFU state of the bootloader */
	int state, status;
	unsigned alt;
	uint32_t addr;        /* DfuSe address pointer */
	uint8_t pending[VDFU_XFER];
	size_t pending_len;
	unsigned pending_block;
	bool pending_op;
	unsigned long long dl_bytes; /* bytes downloaded this session (for faults) */
	bool fault_fired;
	uint32_t leave_addr;
	bool leave_addr_set;
};

extern struct vboard vb;
/* --other-board SN --other-flash-file F: a second bootloader of the same kind
 * with its own flash and DFU state, kept here while the first one is in vb.
 * vdfu_swap_board() exchanges the two (all but the lock), with the lock
 * held: whatever serves the second board's requests swaps it in and out. */
extern struct vboard vb2;
void vdfu_swap_board(void);

/* vdfu_main.c */
void vdfu_event(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* vdfu_bus.c: the testbed; device changes are made on the main thread.
 * start: "dfu", "app" or "none". */
void vdfu_bus_start(const char *start, double appear_after, bool other);
void vdfu_bus_stop(void);
void vdfu_bus_settle(void);
void vdfu_bus_other_board(const char *serial, bool full);
void vdfu_schedule_leave(struct vdev *d);
void vdfu_schedule_detach(struct vdev *d);
void vdfu_schedule_unplug(struct vdev *d);
void vdfu_schedule_reset_to_boot(struct vdev *d);

/* vdfu_usb.c: descriptors and the bus callbacks of a DFU device. */
void vdfu_usb_build_descriptors(struct vdev *d);
extern const struct vusb_ops vdfu_usb_ops;

/* vdfu_dfuse.c: a class request on the bootloader or the runtime
 * interface. in/out: data stage. Returns the number of bytes for an IN
 * transfer (or accepted for OUT), or -1 to stall. */
int vdfu_class_request(struct vdev *d, uint8_t bmRequestType, uint8_t bRequest,
		       uint16_t wValue, uint16_t wLength, uint8_t *data);
void vdfu_dfuse_reset(void);

#endif
