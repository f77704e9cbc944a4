/* vdfu: the usbdevfs side. libusb talks to a Linux USB device through ioctls
 * on /dev/bus/usb/BBB/DDD; umockdev's preload forwards them to this handler
 * (on umockdev's worker thread). Control transfers are run at SUBMITURB and
 * queued; REAPURB(NDELAY) hands them back, as the kernel would. */
#include "vdfu.h"

#include <errno.h>
#include <linux/usbdevice_fs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <umockdev.h>

/* Devices by node, guarded by vb.lock. */
static GPtrArray *devices;

void vdfu_usb_init(void)
{
	devices = g_ptr_array_new();
}

void vdfu_usb_register(struct vdev *d)
{
	g_mutex_lock(&vb.lock);
	g_ptr_array_add(devices, d);
	g_mutex_unlock(&vb.lock);
}

void vdfu_usb_unregister(struct vdev *d)
{
	g_mutex_lock(&vb.lock);
	g_ptr_array_remove(devices, d);
	g_mutex_unlock(&vb.lock);
}

/* Caller holds vb.lock. */
struct vdev *vdfu_usb_find(const char *devnode)
{
	for (guint i = 0; i < devices->len; i++) {
		struct vdev *d = g_ptr_array_index(devices, i);
		if (strcmp(d->devnode, devnode) == 0)
			return d;
	}
	return NULL;
}

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
	uint8_t *p = d->desc;
	unsigned nalt = d->kind == VDEV_BOOT ? vb.nalts : 1;

	d->strings[0] = NULL; /* 0: language ids */
	d->strings[1] = d->manufacturer;
	d->strings[2] = d->product;
	d->strings[3] = d->serial;
	d->nstrings = 4;

	uint8_t dev[18] = { 18, 1, 0x00, 0x02, 0, 0, 0, 64 };
	put16(dev + 8, d->vid);
	put16(dev + 10, d->pid);
	put16(dev + 12, d->bcd);
	dev[14] = 1;
	dev[15] = 2;
	dev[16] = 3;
	dev[17] = 1;
	memcpy(p, dev, 18);
	p += 18;

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
			d->strings[d->nstrings++] = vb.alts[a].name;
		else if (d->kind == VDEV_APP)
			d->strings[d->nstrings++] = "DFU runtime";
		else
			d->strings[d->nstrings++] = "Other DFU target";
	}
	/* bmAttributes: canDnload|canUpload|willDetach (0x0B), as the ROM;
	 * wDetachTimeOut 255 ms; wTransferSize; bcdDFU 1.1a (DfuSe) or 1.1. */
	uint8_t func[9] = { 9, 0x21, 0x0B, 255, 0, 0, 0, 0, 0 };
	put16(func + 5, VDFU_XFER);
	put16(func + 7, d->kind == VDEV_OTHER ? 0x0110 : 0x011A);
	memcpy(p, func, 9);
	p += 9;
	put16(cfg + 2, (uint16_t)(p - cfg));
	d->desc_len = (size_t)(p - d->desc);
}

/* A string descriptor: UTF-16LE of an ASCII string. */
static int string_desc(struct vdev *d, unsigned idx, uint8_t *out, unsigned len)
{
	uint8_t buf[256];
	unsigned n;
	if (idx == 0) {
		buf[0] = 4;
		buf[1] = 3;
		put16(buf + 2, 0x0409);
		n = 4;
	} else if (idx < d->nstrings && d->strings[idx]) {
		const char *s = d->strings[idx];
		size_t sl = strlen(s);
		if (sl > 126)
			sl = 126;
		buf[0] = (uint8_t)(2 + 2 * sl);
		buf[1] = 3;
		for (size_t i = 0; i < sl; i++) {
			buf[2 + 2 * i] = (uint8_t)s[i];
			buf[3 + 2 * i] = 0;
		}
		n = buf[0];
	} else {
		return -1;
	}
	if (n > len)
		n = len;
	memcpy(out, buf, n);
	return (int)n;
}

/* Standard requests. Returns bytes of data stage, or -1 to stall. */
static int std_request(struct vdev *d, const uint8_t *setup, uint8_t *data, unsigned wLength)
{
	uint8_t bRequest = setup[1];
	unsigned wValue = setup[2] | setup[3] << 8;
	unsigned type = wValue >> 8, idx = wValue & 0xff;

	switch (bRequest) {
	case 0x00: /* GET_STATUS */
		if (wLength < 2)
			return -1;
		data[0] = data[1] = 0;
		return 2;
	case 0x06: /* GET_DESCRIPTOR */
		if (type == 1) {
			unsigned n = wLength < 18 ? wLength : 18;
			memcpy(data, d->desc, n);
			return (int)n;
		}
		if (type == 2) {
			unsigned total = (unsigned)(d->desc_len - 18);
			unsigned n = wLength < total ? wLength : total;
			memcpy(data, d->desc + 18, n);
			return (int)n;
		}
		if (type == 3)
			return string_desc(d, idx, data, wLength);
		if (type == 0x21) { /* DFU functional descriptor */
			unsigned n = wLength < 9 ? wLength : 9;
			memcpy(data, d->desc + d->desc_len - 9, n);
			return (int)n;
		}
		return -1;
	case 0x08: /* GET_CONFIGURATION */
		if (wLength < 1)
			return -1;
		data[0] = 1;
		return 1;
	case 0x09: /* SET_CONFIGURATION */
	case 0x0B: /* SET_INTERFACE */
		return 0;
	default:
		return -1;
	}
}

/* One completed URB waiting to be reaped by its client. */
struct done_urb {
	UMockdevIoctlData *urb; /* the client's struct usbdevfs_urb (resolved) */
	UMockdevIoctlData *buf; /* its buffer */
};

static GQueue *client_queue(UMockdevIoctlClient *client)
{
	GQueue *q = g_object_get_data(G_OBJECT(client), "vdfu-urbs");
	if (!q) {
		q = g_queue_new();
		g_object_set_data(G_OBJECT(client), "vdfu-urbs", q);
	}
	return q;
}

static void done_free(gpointer p)
{
	struct done_urb *u = p;
	g_object_unref(u->urb);
	if (u->buf)
		g_object_unref(u->buf);
	g_free(u);
}

static void client_vanished(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer ud)
{
	(void)base;
	(void)ud;
	GQueue *q = g_object_get_data(G_OBJECT(client), "vdfu-urbs");
	if (q) {
		g_queue_free_full(q, done_free);
		g_object_set_data(G_OBJECT(client), "vdfu-urbs", NULL);
	}
}

/* Run one control transfer. Returns actual length or -errno for the URB. */
static int control(struct vdev *d, uint8_t *buf, int len)
{
	if (len < 8)
		return -EINVAL;
	uint8_t *setup = buf, *data = buf + 8;
	unsigned wLength = setup[6] | setup[7] << 8;
	if (wLength > (unsigned)len - 8)
		return -EINVAL;
	int r;
	if ((setup[0] & 0x60) == 0x00) {
		r = std_request(d, setup, data, wLength);
	} else if ((setup[0] & 0x60) == 0x20) {
		r = vdfu_class_request(d, setup[0], setup[1], (uint16_t)(setup[2] | setup[3] << 8),
				       (uint16_t)wLength, data);
	} else {
		r = -1;
	}
	if (r < 0)
		return d->gone ? -ENODEV : -EPIPE;
	return r;
}

static gboolean handle_ioctl(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer ud)
{
	(void)base;
	(void)ud;
	gulong req = umockdev_ioctl_client_get_request(client);
	const char *node = umockdev_ioctl_client_get_devnode(client);
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	gsize size = _IOC_SIZE(req);
	GError *err = NULL;

	g_mutex_lock(&vb.lock);
	struct vdev *d = vdfu_usb_find(node);
	bool reap = req == USBDEVFS_REAPURB || req == USBDEVFS_REAPURBNDELAY;
	GQueue *q = g_object_get_data(G_OBJECT(client), "vdfu-urbs");
	/* After an unplug, transfers already done may still be reaped (as
	 * with USBDEVFS_CAP_REAP_AFTER_DISCONNECT); anything else fails. */
	if ((!d || d->gone) && !(reap && q && !g_queue_is_empty(q))) {
		g_mutex_unlock(&vb.lock);
		umockdev_ioctl_client_complete(client, -1, ENODEV);
		return TRUE;
	}

	long res = 0;
	int eno = 0;
	UMockdevIoctlData *data = NULL;
	if (size > 0 && req != USBDEVFS_DISCARDURB) {
		data = umockdev_ioctl_data_resolve(arg, 0, size, &err);
		if (!data) {
			g_clear_error(&err);
			res = -1;
			eno = EFAULT;
			goto out;
		}
	}

	switch (req) {
	case USBDEVFS_GET_CAPABILITIES:
		*(uint32_t *)data->data = USBDEVFS_CAP_ZERO_PACKET | USBDEVFS_CAP_BULK_CONTINUATION |
					  USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
					  USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
		break;
	case USBDEVFS_CLAIMINTERFACE:
	case USBDEVFS_RELEASEINTERFACE:
	case USBDEVFS_SETCONFIGURATION:
	case USBDEVFS_CLEAR_HALT:
	case USBDEVFS_RESETEP:
		break;
	case USBDEVFS_SETINTERFACE: {
		struct usbdevfs_setinterface *si = (void *)data->data;
		if (d->kind == VDEV_BOOT) {
			if (si->altsetting >= vb.nalts) {
				res = -1;
				eno = EINVAL;
			} else {
				vb.alt = si->altsetting;
			}
		}
		break;
	}
	case USBDEVFS_GETDRIVER:
		res = -1; /* no kernel driver bound */
		eno = ENODATA;
		break;
	case USBDEVFS_RESET:
		/* A bus reset: the ROM bootloader restarts in dfuIDLE; the
		 * application re-enumerates as itself. */
		if (d->kind == VDEV_BOOT)
			vdfu_dfuse_reset();
		break;
	case USBDEVFS_SUBMITURB: {
		struct usbdevfs_urb *urb = (void *)data->data;
		if (urb->type != USBDEVFS_URB_TYPE_CONTROL || urb->endpoint & 0x7f) {
			res = -1;
			eno = EINVAL;
			break;
		}
		UMockdevIoctlData *buf = NULL;
		if (urb->buffer_length > 0) {
			buf = umockdev_ioctl_data_resolve(data, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer),
							  (gsize)urb->buffer_length, &err);
			if (!buf) {
				g_clear_error(&err);
				res = -1;
				eno = EFAULT;
				break;
			}
		}
		int r = buf ? control(d, buf->data, buf->data_len) : -EINVAL;
		if (r == -ENODEV) {
			if (buf)
				g_object_unref(buf);
			res = -1;
			eno = ENODEV;
			break;
		}
		urb->status = r < 0 ? r : 0;
		urb->actual_length = r < 0 ? 0 : r;
		struct done_urb *u = g_new0(struct done_urb, 1);
		u->urb = g_object_ref(data);
		u->buf = buf; /* our reference moves into the queue */
		g_queue_push_tail(client_queue(client), u);
		break;
	}
	case USBDEVFS_REAPURB:
	case USBDEVFS_REAPURBNDELAY: {
		struct done_urb *u = g_queue_pop_head(client_queue(client));
		if (!u) {
			res = -1;
			eno = EAGAIN;
			break;
		}
		umockdev_ioctl_data_set_ptr(data, 0, u->urb);
		done_free(u);
		break;
	}
	case USBDEVFS_DISCARDURB:
		/* Transfers complete at submit, so there is nothing in flight. */
		res = -1;
		eno = EINVAL;
		break;
	default:
		res = -1;
		eno = ENOTTY;
		break;
	}
out:
	if (data)
		g_object_unref(data);
	g_mutex_unlock(&vb.lock);
	umockdev_ioctl_client_complete(client, res, eno);
	return TRUE;
}

void vdfu_usb_attach(void *testbed, struct vdev *d)
{
	static UMockdevIoctlBase *handler;
	GError *err = NULL;
	if (!handler) {
		handler = umockdev_ioctl_base_new();
		g_signal_connect(handler, "handle-ioctl", G_CALLBACK(handle_ioctl), NULL);
		g_signal_connect(handler, "client-vanished", G_CALLBACK(client_vanished), NULL);
	}
	if (!umockdev_testbed_attach_ioctl(testbed, d->devnode, handler, &err)) {
		g_printerr("vdfu: cannot attach to %s: %s\n", d->devnode, err->message);
		g_clear_error(&err);
	}
}
