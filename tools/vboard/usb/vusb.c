/* vusb: the virtual USB bus (see vusb.h). The testbed and its devices are
 * changed on the main thread; umockdev's worker thread runs handle_ioctl,
 * where transfers are done at SUBMITURB and queued for REAPURB, as the
 * kernel hands back completed URBs. */
#include "vusb.h"

#include <errno.h>
#include <glib-unix.h>
#include <linux/capability.h>
#include <linux/usbdevice_fs.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <umockdev.h>
#include <unistd.h>

static UMockdevTestbed *tb;
static GMainContext *main_ctx;
static GMutex *lock;
static GPtrArray *devices; /* plugged, guarded by lock */
static UMockdevIoctlBase *handler;
static int next_devnum = 2;

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void vusb_device_descriptor(struct vusb_dev *d, uint8_t max_packet0)
{
	uint8_t *p = d->desc;
	p[0] = 18, p[1] = 1;
	put16(p + 2, 0x0200);
	p[4] = p[5] = p[6] = 0;
	p[7] = max_packet0;
	put16(p + 8, d->vid);
	put16(p + 10, d->pid);
	put16(p + 12, d->bcd);
	p[14] = 1, p[15] = 2, p[16] = 3, p[17] = 1;
	d->strings[0] = NULL; /* 0: language ids */
	d->strings[1] = d->manufacturer;
	d->strings[2] = d->product;
	d->strings[3] = d->serial;
	if (d->nstrings < 4)
		d->nstrings = 4;
}

void vusb_config_done(struct vusb_dev *d, uint8_t *cfg, uint8_t *end)
{
	put16(cfg + 2, (uint16_t)(end - cfg));
	d->desc_len = (size_t)(end - d->desc);
}

/* Caller holds lock. */
static struct vusb_dev *find(const char *devnode)
{
	for (guint i = 0; i < devices->len; i++) {
		struct vusb_dev *d = g_ptr_array_index(devices, i);
		if (strcmp(d->devnode, devnode) == 0)
			return d;
	}
	return NULL;
}

/* A string descriptor: UTF-16LE of an ASCII string. */
static int string_desc(struct vusb_dev *d, unsigned idx, uint8_t *out, unsigned len)
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

/* The class-specific descriptor a front end put right after the
 * configuration's last interface (DFU functional descriptor, type 0x21). */
static int class_desc(struct vusb_dev *d, unsigned type, uint8_t *data, unsigned wLength)
{
	for (size_t o = 18; o + 2 <= d->desc_len && d->desc[o]; o += d->desc[o]) {
		if (d->desc[o + 1] == type) {
			unsigned n = wLength < d->desc[o] ? wLength : d->desc[o];
			memcpy(data, d->desc + o, n);
			return (int)n;
		}
	}
	return -1;
}

/* Standard requests. Returns bytes of data stage, or -1 to stall. */
static int std_request(struct vusb_dev *d, const uint8_t *setup, uint8_t *data, unsigned wLength)
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
		if (type >= 0x20)
			return class_desc(d, type, data, wLength);
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

/* Run one control transfer. Returns actual length or -errno for the URB. */
static int control(struct vusb_dev *d, uint8_t *buf, int len)
{
	if (len < 8)
		return -EINVAL;
	uint8_t *setup = buf, *data = buf + 8;
	unsigned wLength = setup[6] | setup[7] << 8;
	if (wLength > (unsigned)len - 8)
		return -EINVAL;
	int r = -1;
	if ((setup[0] & 0x60) == 0x00)
		r = std_request(d, setup, data, wLength);
	else if (d->ops->control)
		r = d->ops->control(d, setup[0], setup[1], (uint16_t)(setup[2] | setup[3] << 8),
				    (uint16_t)(setup[4] | setup[5] << 8), (uint16_t)wLength, data);
	if (r < 0)
		return d->gone ? -ENODEV : -EPIPE;
	return r;
}

/* One URB: done (waiting to be reaped) or a bulk IN waiting for data. */
struct urb {
	UMockdevIoctlData *urb; /* the client's struct usbdevfs_urb (resolved) */
	UMockdevIoctlData *buf; /* its buffer */
	guint64 client_addr;    /* the client's pointer, for DISCARDURB */
};

struct client_state {
	GQueue done;
	GQueue waiting_in;
};

static struct client_state *client_state(UMockdevIoctlClient *client)
{
	struct client_state *c = g_object_get_data(G_OBJECT(client), "vusb-urbs");
	if (!c) {
		c = g_new0(struct client_state, 1);
		g_queue_init(&c->done);
		g_queue_init(&c->waiting_in);
		g_object_set_data(G_OBJECT(client), "vusb-urbs", c);
	}
	return c;
}

static void urb_free(gpointer p)
{
	struct urb *u = p;
	g_object_unref(u->urb);
	if (u->buf)
		g_object_unref(u->buf);
	g_free(u);
}

static void client_vanished(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer ud)
{
	(void)base;
	(void)ud;
	struct client_state *c = g_object_get_data(G_OBJECT(client), "vusb-urbs");
	if (c) {
		g_queue_clear_full(&c->done, urb_free);
		g_queue_clear_full(&c->waiting_in, urb_free);
		g_free(c);
		g_object_set_data(G_OBJECT(client), "vusb-urbs", NULL);
	}
}

static void urb_complete(struct client_state *c, struct urb *u, int r)
{
	struct usbdevfs_urb *urb = (void *)u->urb->data;
	urb->status = r < 0 ? r : 0;
	urb->actual_length = r < 0 ? 0 : r;
	g_queue_push_tail(&c->done, u);
}

/* Offer the waiting IN URBs their data again (after an OUT). */
static void retry_in(struct vusb_dev *d, struct client_state *c)
{
	GList *l = c->waiting_in.head;
	while (l) {
		GList *next = l->next;
		struct urb *u = l->data;
		struct usbdevfs_urb *urb = (void *)u->urb->data;
		int r = u->buf ? d->ops->bulk_in(d, urb->endpoint, u->buf->data, (int)u->buf->data_len)
			       : -EINVAL;
		if (r != -EAGAIN) {
			g_queue_delete_link(&c->waiting_in, l);
			urb_complete(c, u, r);
		} else {
			break; /* in order, as on one endpoint */
		}
		l = next;
	}
}

static int submit(struct vusb_dev *d, UMockdevIoctlClient *client, UMockdevIoctlData *arg,
		  UMockdevIoctlData *data)
{
	GError *err = NULL;
	struct usbdevfs_urb *urb = (void *)data->data;
	bool bulk = urb->type == USBDEVFS_URB_TYPE_BULK;
	bool in = urb->endpoint & 0x80;
	if (!(urb->type == USBDEVFS_URB_TYPE_CONTROL && !(urb->endpoint & 0x7f)) &&
	    !(bulk && (in ? d->ops->bulk_in != NULL : d->ops->bulk_out != NULL)))
		return -EINVAL;
	UMockdevIoctlData *buf = NULL;
	if (urb->buffer_length > 0) {
		buf = umockdev_ioctl_data_resolve(data, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer),
						  (gsize)urb->buffer_length, &err);
		if (!buf) {
			g_clear_error(&err);
			return -EFAULT;
		}
	}
	struct client_state *c = client_state(client);
	struct urb *u = g_new0(struct urb, 1);
	u->urb = g_object_ref(data);
	u->buf = buf; /* our reference moves into the URB */
	memcpy(&u->client_addr, arg->data, MIN(sizeof u->client_addr, (size_t)arg->data_len));

	int r;
	if (!bulk) {
		r = buf ? control(d, buf->data, (int)buf->data_len) : -EINVAL;
	} else if (urb->endpoint & 0x80) {
		r = buf ? d->ops->bulk_in(d, urb->endpoint, buf->data, (int)buf->data_len) : 0;
		if (r == -EAGAIN) {
			g_queue_push_tail(&c->waiting_in, u);
			return 0;
		}
	} else {
		r = d->ops->bulk_out(d, urb->endpoint, buf ? buf->data : NULL,
				     buf ? (int)buf->data_len : 0);
		if (r == 0)
			r = buf ? (int)buf->data_len : 0;
	}
	if (r == -ENODEV) {
		urb_free(u);
		return -ENODEV;
	}
	urb_complete(c, u, r);
	if (bulk && !(urb->endpoint & 0x80))
		retry_in(d, c);
	return 0;
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

	g_mutex_lock(lock);
	struct vusb_dev *d = find(node);
	bool reap = req == USBDEVFS_REAPURB || req == USBDEVFS_REAPURBNDELAY;
	struct client_state *c = g_object_get_data(G_OBJECT(client), "vusb-urbs");
	/* After an unplug, transfers already done may still be reaped (as
	 * with USBDEVFS_CAP_REAP_AFTER_DISCONNECT); anything else fails. */
	if ((!d || d->gone) && !(reap && c && !g_queue_is_empty(&c->done))) {
		g_mutex_unlock(lock);
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
		if (d->ops->set_interface && d->ops->set_interface(d, si->interface, si->altsetting) < 0) {
			res = -1;
			eno = EINVAL;
		}
		break;
	}
	case USBDEVFS_GETDRIVER:
		res = -1; /* no kernel driver bound */
		eno = ENODATA;
		break;
	case USBDEVFS_RESET:
		if (d->ops->reset)
			d->ops->reset(d);
		break;
	case USBDEVFS_SUBMITURB: {
		int r = submit(d, client, arg, data);
		if (r < 0) {
			res = -1;
			eno = -r;
		}
		break;
	}
	case USBDEVFS_REAPURB:
	case USBDEVFS_REAPURBNDELAY: {
		struct urb *u = g_queue_pop_head(&client_state(client)->done);
		if (!u) {
			res = -1;
			eno = EAGAIN;
			break;
		}
		umockdev_ioctl_data_set_ptr(data, 0, u->urb);
		urb_free(u);
		break;
	}
	case USBDEVFS_DISCARDURB: {
		/* Only a bulk IN still waiting for data can be discarded;
		 * everything else completed at submit. */
		guint64 addr = 0;
		memcpy(&addr, arg->data, MIN(sizeof addr, (size_t)arg->data_len));
		struct client_state *cs = client_state(client);
		res = -1;
		eno = EINVAL;
		for (GList *l = cs->waiting_in.head; l; l = l->next) {
			struct urb *u = l->data;
			if (u->client_addr == addr) {
				g_queue_delete_link(&cs->waiting_in, l);
				urb_complete(cs, u, -ENOENT);
				res = 0;
				eno = 0;
				break;
			}
		}
		break;
	}
	default:
		res = -1;
		eno = ENOTTY;
		break;
	}
out:
	if (data)
		g_object_unref(data);
	g_mutex_unlock(lock);
	umockdev_ioctl_client_complete(client, res, eno);
	return TRUE;
}

static char *attr(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static char *attr(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	return s;
}

void vusb_plug(struct vusb_dev *d)
{
	GError *err = NULL;
	d->busnum = 1;
	d->devnum = next_devnum++;
	snprintf(d->devnode, sizeof d->devnode, "/dev/bus/usb/%03d/%03d", d->busnum, d->devnum);
	/* Named from /sys/devices (umockdev checks a parent path against the
	 * real /sys, where usb1 may not exist). */
	char *name = g_strconcat("usb1/", d->port, NULL);
	const char *devpath = strchr(d->port, '-') ? strchr(d->port, '-') + 1 : d->port;
	char *dn = attr("%d", d->devnum), *dn3 = attr("%03d", d->devnum);
	char *vid = attr("%04x", d->vid), *pid = attr("%04x", d->pid), *bcd = attr("%04x", d->bcd);
	char *prod = attr("%x/%x/%x", d->vid, d->pid, d->bcd);
	char *speed = attr("%u", d->speed ? d->speed : 12);
	d->syspath = umockdev_testbed_add_device(
		tb, "usb", name, NULL,
		"busnum", "1", "devnum", dn, "speed", speed, "bConfigurationValue", "1",
		"bNumConfigurations", "1", "bDeviceClass", "00", "idVendor", vid, "idProduct", pid,
		"bcdDevice", bcd, "manufacturer", d->manufacturer, "product", d->product,
		"serial", d->serial, "devpath", devpath, "maxchild", "0", NULL,
		"DEVTYPE", "usb_device", "DEVNAME", d->devnode, "BUSNUM", "001", "DEVNUM", dn3,
		"PRODUCT", prod, "TYPE", "0/0/0", "ID_VENDOR_ID", vid, "ID_MODEL_ID", pid,
		"ID_SERIAL_SHORT", d->serial, NULL);
	g_free(name), g_free(dn), g_free(dn3), g_free(vid), g_free(pid), g_free(bcd);
	g_free(prod), g_free(speed);
	umockdev_testbed_set_attribute_binary(tb, d->syspath, "descriptors", d->desc,
					      (gint)d->desc_len);
	/* The node: a plain file, as umockdev makes for USB devices; opening
	 * it connects the client to our ioctl handler. */
	char *root = umockdev_testbed_get_root_dir(tb);
	char *node = g_strconcat(root, d->devnode, NULL);
	char *dir = g_path_get_dirname(node);
	g_mkdir_with_parents(dir, 0755);
	g_file_set_contents(node, "", 0, NULL);
	/* no_access: as without udev rules, a node the user may not open
	 * (mode 0; the command runs without CAP_DAC_OVERRIDE, so even root). */
	chmod(node, d->no_access ? 0 : 0666);
	g_free(dir);
	g_free(node);
	g_free(root);
	if (!umockdev_testbed_attach_ioctl(tb, d->devnode, handler, &err)) {
		g_printerr("vusb: cannot attach to %s: %s\n", d->devnode, err->message);
		g_clear_error(&err);
	}
	g_mutex_lock(lock);
	d->gone = false;
	g_ptr_array_add(devices, d);
	g_mutex_unlock(lock);
}

void vusb_unplug(struct vusb_dev *d)
{
	g_mutex_lock(lock);
	g_ptr_array_remove(devices, d);
	g_mutex_unlock(lock);
	umockdev_testbed_detach_ioctl(tb, d->devnode, NULL);
	umockdev_testbed_remove_device(tb, d->syspath);
}

void vusb_later(double seconds, GSourceFunc fn, gpointer data)
{
	GSource *s = g_timeout_source_new((guint)(seconds * 1000));
	g_source_set_callback(s, fn, data, NULL);
	g_source_attach(s, main_ctx);
	g_source_unref(s);
}

void vusb_init(GMutex *front_end_lock)
{
	lock = front_end_lock;
	devices = g_ptr_array_new();
	main_ctx = g_main_context_default();
	handler = umockdev_ioctl_base_new();
	g_signal_connect(handler, "handle-ioctl", G_CALLBACK(handle_ioctl), NULL);
	g_signal_connect(handler, "client-vanished", G_CALLBACK(client_vanished), NULL);
}

void vusb_bus_start(void)
{
	tb = umockdev_testbed_new();
	char *hub = umockdev_testbed_add_device(
		tb, "usb", "usb1", NULL, "busnum", "1", "devnum", "1", "speed", "480",
		"bConfigurationValue", "1", "bDeviceClass", "09", "idVendor", "1d6b",
		"idProduct", "0002", "maxchild", "4", NULL, "DEVTYPE", "usb_device", "DEVNAME",
		"/dev/bus/usb/001/001", "BUSNUM", "001", "DEVNUM", "001", NULL);
	static const uint8_t hub_desc[] = {
		18, 1, 0, 2, 9, 0, 1, 64, 0x6b, 0x1d, 2, 0, 0x15, 5, 3, 2, 1, 1,
		9, 2, 25, 0, 1, 1, 0, 0xE0, 0, 9, 4, 0, 0, 1, 9, 0, 0, 0, 7, 5, 0x81, 3, 4, 0, 12,
	};
	umockdev_testbed_set_attribute_binary(tb, hub, "descriptors", (guint8 *)hub_desc,
					      sizeof hub_desc);
	g_free(hub);
}

void vusb_bus_stop(void)
{
	g_object_unref(tb);
	tb = NULL;
}

static GMainLoop *loop;
static int child_status = -1;
static GPid child_pid;

static void child_exited(GPid pid, gint status, gpointer unused)
{
	(void)unused;
	g_spawn_close_pid(pid);
	child_status = status;
	g_main_loop_quit(loop);
}

static gboolean on_signal(gpointer sig)
{
	if (child_pid > 0)
		kill(child_pid, GPOINTER_TO_INT(sig));
	return G_SOURCE_CONTINUE;
}

static void drop_dac_override(gpointer unused)
{
	(void)unused;
	prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0);
	prctl(PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH, 0, 0, 0);
}

int vusb_run(char **cmd, const char *const *env_pairs, bool drop_dac, const char *who)
{
	/* The command runs under umockdev's preload, in the testbed. */
	char **env = g_get_environ();
	const char *pre = g_environ_getenv(env, "LD_PRELOAD");
	char *preload = pre && *pre ? g_strconcat("libumockdev-preload.so.0:", pre, NULL)
				    : g_strdup("libumockdev-preload.so.0");
	env = g_environ_setenv(env, "LD_PRELOAD", preload, TRUE);
	g_free(preload);
	for (; env_pairs && env_pairs[0]; env_pairs += 2)
		env = g_environ_setenv(env, env_pairs[0], env_pairs[1], TRUE);

	loop = g_main_loop_new(main_ctx, FALSE);
	GError *err = NULL;
	if (!g_spawn_async(NULL, cmd, env,
			   G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
				   G_SPAWN_CHILD_INHERITS_STDIN,
			   drop_dac ? drop_dac_override : NULL, NULL, &child_pid, &err)) {
		fprintf(stderr, "%s: cannot run %s: %s\n", who, cmd[0], err->message);
		g_clear_error(&err);
		g_strfreev(env);
		return 127;
	}
	g_strfreev(env);
	g_child_watch_add(child_pid, child_exited, NULL);
	g_unix_signal_add(SIGINT, on_signal, GINT_TO_POINTER(SIGINT));
	g_unix_signal_add(SIGTERM, on_signal, GINT_TO_POINTER(SIGTERM));
	g_main_loop_run(loop);
	if (WIFEXITED(child_status))
		return WEXITSTATUS(child_status);
	if (WIFSIGNALED(child_status))
		return 128 + WTERMSIG(child_status);
	return 70;
}
