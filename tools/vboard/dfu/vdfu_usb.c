/* vdfu: what a DFU device looks like on the shared virtual bus
 * (tools/vboard/usb): its descriptors, and the bus callbacks that hand class
 * requests, alt settings and port resets to the DFU state machine. */
#include "vdfu.h"

#include <string.h>

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* Device descriptor, then one configuration: the interface's alt settings
 * (class 0xFE/0x01, protocol 2 = DFU mode, 1 = runtime) and the DFU
 * functional descriptor, as the STM32 ROM lays them out. */
void vdfu_usb_build_descriptors(struct vdev *d)
{
	struct vusb_dev *u = &d->usb;
	unsigned nalt = d->kind == VDEV_BOOT ? vb.nalts : 1;

	vusb_device_descriptor(u, 64);
	uint8_t *p = u->desc + 18;
	uint8_t *cfg = p;
	uint8_t c[9] = { 9, 2, 0, 0, 1, 1, 0, 0xC0, 50 };
	memcpy(p, c, 9);
	p += 9;
	for (unsigned a = 0; a < nalt; a++) {
		uint8_t intf[9] = { 9, 4, 0, (uint8_t)a, 0, 0xFE, 0x01,
				    d->kind == VDEV_APP ? 1 : 2, (uint8_t)(4 + a) };
		memcpy(p, intf, 9);
		p += 9;
		if (d->kind == VDEV_BOOT)
			u->strings[u->nstrings++] = vb.alts[a].name;
		else if (d->kind == VDEV_APP)
			u->strings[u->nstrings++] = "DFU runtime";
		else
			u->strings[u->nstrings++] = "Other DFU target";
	}
	/* bmAttributes: canDnload|canUpload|willDetach (0x0B), as the ROM;
	 * wDetachTimeOut 255 ms; wTransferSize; bcdDFU 1.1a (DfuSe) or 1.1. */
	uint8_t func[9] = { 9, 0x21, 0x0B, 255, 0, 0, 0, 0, 0 };
	put16(func + 5, VDFU_XFER);
	put16(func + 7, d->kind == VDEV_OTHER ? 0x0110 : 0x011A);
	memcpy(p, func, 9);
	p += 9;
	vusb_config_done(u, cfg, p);
}

static int control(struct vusb_dev *u, uint8_t bmRequestType, uint8_t bRequest, uint16_t wValue,
		   uint16_t wIndex, uint16_t wLength, uint8_t *data)
{
	(void)wIndex;
	if ((bmRequestType & 0x60) != 0x20)
		return -1; /* no vendor requests */
	struct vdev *d = (struct vdev *)u;
	if (d->board)
		vdfu_swap_board();
	int r = vdfu_class_request(d, bmRequestType, bRequest, wValue, wLength, data);
	if (d->board)
		vdfu_swap_board();
	return r;
}

static int set_interface(struct vusb_dev *u, unsigned intf, unsigned alt)
{
	(void)intf;
	struct vdev *d = (struct vdev *)u;
	if (d->kind == VDEV_BOOT) {
		struct vboard *b = d->board ? &vb2 : &vb;
		if (alt >= b->nalts)
			return -1;
		b->alt = alt;
	}
	return 0;
}

/* A bus reset: the ROM bootloader restarts in dfuIDLE; the application
 * re-enumerates as itself. */
static void reset(struct vusb_dev *u)
{
	struct vdev *d = (struct vdev *)u;
	if (d->kind != VDEV_BOOT)
		return;
	if (d->board)
		vdfu_swap_board();
	vdfu_dfuse_reset();
	if (d->board)
		vdfu_swap_board();
}

const struct vusb_ops vdfu_usb_ops = {
	.control = control,
	.set_interface = set_interface,
	.reset = reset,
};
