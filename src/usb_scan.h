/* USB devices as Linux sysfs lists them (/sys/bus/usb/devices), with what a
 * flasher needs: ids, serial, whether it speaks DFU (and in which mode), and
 * the usbfs node that libusb will open. Reading sysfs needs no libusb and
 * no permissions, so it also sees the devices that dfu-util cannot open. */
#ifndef FK_USB_SCAN_H
#define FK_USB_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum usb_dfu_mode { USB_DFU_NONE = 0, USB_DFU_RUNTIME = 1, USB_DFU_MODE = 2 };

struct usb_dev {
	unsigned busnum, devnum;
	uint16_t vid, pid;
	uint8_t dev_class;
	char serial[64], product[64], manufacturer[64];
	char devnode[32];       /* /dev/bus/usb/BBB/DDD */
	char path[32];          /* USB port path, the sysfs name: "1-2.3" (dfu-util -p) */
	enum usb_dfu_mode dfu;
	uint16_t bcd_dfu;       /* from the DFU functional descriptor, 0 if none */
};

/* Parse a device's "descriptors" blob (device descriptor, then the
 * configurations): DFU interface mode and bcdDFU. Never reads past len. */
void usb_parse_dfu(const uint8_t *desc, size_t len, enum usb_dfu_mode *mode, uint16_t *bcd_dfu);

/* List the devices under dir (normally /sys/bus/usb/devices). Fills up to
 * max entries, sets *n. Returns 0, or FK_EUNAVAIL when dir cannot be read. */
int usb_scan(const char *dir, struct usb_dev *out, size_t max, size_t *n, struct fk_err *e);

/* A small sysfs attribute of dir as one line (trailing newline removed,
 * control characters blanked); "" when missing. */
void usb_read_str(const char *dir, const char *name, char *out, size_t len);

/* The USB device a sysfs path (a tty, a block device) sits on: the nearest
 * ancestor directory, symlinks resolved, that has an idVendor file and whose
 * name has no ':' (not an interface, "1-2:1.0"). Its name is the USB port
 * path ("1-2.3"). */
bool usb_sysfs_parent(const char *syspath, char *dir, size_t dirlen);

/* "VID:PID" (hex) -> ids. */
bool usb_parse_id(const char *s, uint16_t *vid, uint16_t *pid);

#endif
