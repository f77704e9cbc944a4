/* What is attached: every STM32 DFU bootloader and DFU run-time application,
 * ST-LINK probe, ST-LINK/DAPLink drive and USB-serial adapter, with serial,
 * USB port path and the boards (of boards/) each can be. Read from sysfs,
 * the mount table and /dev/serial/by-id only: no tool runs, nothing is
 * opened but sysfs attributes and directories. */
#ifndef FK_ATTACHED_H
#define FK_ATTACHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum att_kind { ATT_DFU, ATT_DFU_APP, ATT_STLINK, ATT_DRIVE, ATT_UART };

struct att_item {
	enum att_kind kind;
	uint16_t vid, pid;       /* 0:0 when unknown (a tty without sysfs) */
	char serial[64];
	char usb_path[32];       /* "1-2.3", "" when unknown */
	char where[512];         /* USB node, mount point or serial port */
	char label[64];          /* drive label */
	char product[64];
	char device[64];         /* a drive's block device, a port's tty ("/dev/ttyUSB0") */
	char boards[512];        /* space-separated board names, "" when none known */
};

/* One board's ids, one line of the generated board-ids file:
 *   NAME programmers=a,b labels=L1,L2 dfu=VID:PID runtime=VID:PID iface=... */
struct att_board {
	char name[64];
	char programmers[128];
	char labels[256];
	char dfu[16], runtime[16];
	char iface[64];
};

struct att_boards {
	struct att_board *b;
	size_t n;
};

/* Where to look (tests and virtual boards point these elsewhere). */
struct att_roots {
	const char *sysfs;       /* "/sys" */
	const char *by_id;       /* "/dev/serial/by-id" */
	const char *dev_disk;    /* "/dev/disk" */
	const char *mountinfo;   /* "/proc/self/mountinfo" */
};

/* Parse the board-ids text; a bad line is FK_EDATA with its number. */
int att_boards_parse(struct att_boards *bs, const char *text, size_t len, const char *name,
		     struct fk_err *e);
void att_boards_free(struct att_boards *bs);

/* Everything attached, up to max items; *n set. */
int att_scan(const struct att_roots *r, const struct att_boards *bs, struct att_item *out,
	     size_t max, size_t *n, struct fk_err *e);

const char *att_kind_name(enum att_kind k);
bool att_kind_parse(const char *s, enum att_kind *k);

/* The serial inside a /dev/serial/by-id name
 * ("usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0" -> "A50285BI"). */
bool att_by_id_serial(const char *name, char *out, size_t outlen);

#endif
