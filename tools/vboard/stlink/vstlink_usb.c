/* vstlink: the ST-LINK on the bus. One vendor-class interface with the
 * endpoints OpenOCD uses on a V2-1 or V3: 0x01 OUT (commands and write
 * data), 0x81 IN (replies), 0x82 IN (SWO trace). */
#include "vstlink.h"

#include <errno.h>
#include <string.h>

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void vstlink_usb_build(struct vprobe *pr)
{
	struct vusb_dev *u = &pr->usb;
	bool hs = pr->st.cfg.hw == 3;
	uint16_t mps = hs ? 512 : 64;

	u->vid = pr->st.cfg.vid;
	u->pid = pr->st.cfg.pid;
	u->bcd = 0x0100;
	u->speed = hs ? 480 : 12;
	u->manufacturer = "STMicroelectronics";
	u->product = hs ? "STLINK-V3" : "STM32 STLink";
	u->serial = pr->serial;
	vusb_device_descriptor(u, 64);

	uint8_t *p = u->desc + 18, *cfg = p;
	const uint8_t c[9] = { 9, 2, 0, 0, 1, 1, 0, 0x80, 250 };
	memcpy(p, c, 9);
	p += 9;
	const uint8_t intf[9] = { 9, 4, 0, 0, 3, 0xff, 0xff, 0xff, 4 };
	memcpy(p, intf, 9);
	p += 9;
	u->strings[4] = "ST-Link Debug";
	u->nstrings = 5;
	const uint8_t eps[3] = { 0x81, 0x01, 0x82 };
	for (int i = 0; i < 3; i++) {
		uint8_t ep[7] = { 7, 5, eps[i], 2, 0, 0, 0 };
		put16(ep + 4, mps);
		memcpy(p, ep, 7);
		p += 7;
	}
	vusb_config_done(u, cfg, p);
}

static int bulk_out(struct vusb_dev *u, uint8_t ep, const uint8_t *buf, int len)
{
	struct vprobe *pr = (struct vprobe *)u;
	if (ep != 0x01)
		return -EPIPE;
	return vstlink_out(&pr->st, buf, (unsigned)len) < 0 ? -EPIPE : 0;
}

static int bulk_in(struct vusb_dev *u, uint8_t ep, uint8_t *buf, int len)
{
	struct vprobe *pr = (struct vprobe *)u;
	if (ep == 0x82)
		return -EAGAIN; /* no SWO trace: the probe NAKs */
	if (ep != 0x81)
		return -EPIPE;
	int n = vstlink_in(&pr->st, buf, (unsigned)len);
	return n < 0 ? -EAGAIN : n;
}

const struct vusb_ops vstlink_usb_ops = {
	.bulk_out = bulk_out,
	.bulk_in = bulk_in,
};
