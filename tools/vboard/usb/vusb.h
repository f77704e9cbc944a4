/* vusb: a virtual USB bus for the virtual boards' front ends (vdfu, vstlink).
 *
 * A umockdev testbed with a root hub on bus 1; devices are plugged and
 * unplugged on it, and their usbdevfs ioctls (what libusb does on Linux) are
 * served here: standard requests and descriptors, control URBs handed to
 * the front end's class/vendor handler, bulk URBs to its endpoint handlers,
 * and reaping as the kernel does. The command under test runs under
 * libumockdev-preload with the testbed's environment (vusb_run).
 *
 * Threads: umockdev calls the ioctl handler on its own thread; every
 * callback below runs with the front end's lock held (vusb_init). Plugging
 * and unplugging happen on the main thread. */
#ifndef VUSB_H
#define VUSB_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vusb_dev;

struct vusb_ops {
	/* A class or vendor control request (standard ones are answered
	 * here). data: the data stage. Returns its length, or -1 to stall. */
	int (*control)(struct vusb_dev *d, uint8_t bmRequestType, uint8_t bRequest,
		       uint16_t wValue, uint16_t wIndex, uint16_t wLength, uint8_t *data);
	/* SET_INTERFACE: 0, or -1 for an alt setting that does not exist. */
	int (*set_interface)(struct vusb_dev *d, unsigned intf, unsigned alt);
	/* USBDEVFS_RESET: the host reset the port. */
	void (*reset)(struct vusb_dev *d);
	/* Bulk OUT: the host sent len bytes to ep. 0, or -errno for the URB
	 * (-EPIPE: a stall). */
	int (*bulk_out)(struct vusb_dev *d, uint8_t ep, const uint8_t *buf, int len);
	/* Bulk IN: fill up to len bytes from ep. Returns the length, -EAGAIN
	 * when there is nothing to send yet (the URB waits, as the device
	 * would NAK, and is offered again after the next OUT), or -errno. */
	int (*bulk_in)(struct vusb_dev *d, uint8_t ep, uint8_t *buf, int len);
};

#define VUSB_MAX_STRINGS 16

struct vusb_dev {
	int busnum, devnum;
	char devnode[64];
	char *syspath;
	const char *port;       /* sysfs name under usb1: "1-1", "1-2" */
	unsigned speed;         /* Mbit/s as sysfs says it: 12 (full), 480 (high) */
	uint16_t vid, pid, bcd;
	const char *manufacturer, *product, *serial;
	uint8_t desc[512];      /* device descriptor followed by the configuration */
	size_t desc_len;
	const char *strings[VUSB_MAX_STRINGS]; /* 1..: what the descriptors index */
	unsigned nstrings;
	bool gone;              /* unplugged: every ioctl fails with ENODEV */
	bool no_access;         /* node mode 0 (no udev rule): LIBUSB_ERROR_ACCESS */
	const struct vusb_ops *ops;
	void *ctx;              /* the front end's */
};

/* lock: the front end's lock, held around every callback. */
void vusb_init(GMutex *lock);
void vusb_bus_start(void);
void vusb_bus_stop(void);

/* Device descriptor at d->desc (18 bytes) from the fields above; the front
 * end appends its configuration and sets desc_len. Strings 1-3 are
 * manufacturer, product, serial. */
void vusb_device_descriptor(struct vusb_dev *d, uint8_t max_packet0);
/* Fill wTotalLength of the configuration starting at cfg, ending at end. */
void vusb_config_done(struct vusb_dev *d, uint8_t *cfg, uint8_t *end);

/* Put d on the bus / take it off (main thread). d->devnum is assigned here;
 * after an unplug the struct stays allocated (clients may hold the node). */
void vusb_plug(struct vusb_dev *d);
void vusb_unplug(struct vusb_dev *d);

/* Run cmd under the preload with extra environment (NULL-terminated
 * NAME, VALUE pairs), serve the bus until it exits, and return an exit
 * status as a shell would (128+signal). drop_dac: the command cannot
 * override file permissions (so a mode-0 node fails even for root). */
int vusb_run(char **cmd, const char *const *env_pairs, bool drop_dac, const char *who);

/* The main loop's context, for the front ends' timers. */
void vusb_later(double seconds, GSourceFunc fn, gpointer data);

#endif
