/* vstlink: a virtual ST-LINK/V2-1 (0483:374b; V3 0483:374e with --v3) on the
 * shared virtual USB bus (tools/vboard/usb), in front of the shared virtual
 * STM32 (tools/vboard/mcu), for the real OpenOCD.
 *
 * vstlink_main.c (options, chips, faults, the command under test),
 * vstlink_usb.c (descriptors, bulk endpoints) and vstlink_proto.c (the
 * ST-LINK commands on the mcu). */
#ifndef VSTLINK_H
#define VSTLINK_H

#include <glib.h>

#include "vstlink_proto.h"
#include "vusb.h"

struct vprobe {
	struct vusb_dev usb;    /* first: the bus's callbacks get &usb */
	struct vstlink st;
	char serial[32];
};

extern GMutex vstlink_lock;

/* vstlink_usb.c */
void vstlink_usb_build(struct vprobe *pr);
extern const struct vusb_ops vstlink_usb_ops;

#endif
