/* vdfu: the virtual USB bus. A umockdev testbed with a root hub and the board
 * on bus 1; devices come and go as on a real bus: :leave unplugs the ROM
 * bootloader (and, with --app, the application enumerates with a DFU run-time
 * interface), DFU_DETACH brings the bootloader back with a new address.
 * Everything here runs on the main thread; umockdev's worker thread (the
 * ioctl handler) asks for changes through the vdfu_schedule_* calls. */
#include "vdfu.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <umockdev.h>
#include <unistd.h>

static UMockdevTestbed *tb;
static GMainContext *main_ctx;
static int next_devnum = 2;
static struct vdev *boot_dev, *app_dev;
/* --other / --other-board: a second device on the bus that is not the board. */
static const char *other_serial = "OTHER0001", *other_product = "Some other DFU device";
static uint16_t other_vid = 0x1209, other_pid = 0x2003;

void vdfu_bus_other_board(const char *serial)
{
	/* another STM32 in DFU mode: same ids, its own serial */
	other_vid = 0x0483, other_pid = 0xdf11;
	other_serial = serial;
	other_product = "STM32  BOOTLOADER";
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

static struct vdev *add_device(enum vdev_kind kind)
{
	struct vdev *d = g_new0(struct vdev, 1);
	d->kind = kind;
	d->busnum = 1;
	d->devnum = next_devnum++;
	snprintf(d->devnode, sizeof d->devnode, "/dev/bus/usb/%03d/%03d", d->busnum, d->devnum);
	switch (kind) {
	case VDEV_BOOT:
		d->vid = 0x0483, d->pid = 0xdf11, d->bcd = 0x2200;
		d->manufacturer = "STMicroelectronics";
		d->product = "STM32  BOOTLOADER";
		d->serial = vb.serial;
		break;
	case VDEV_APP:
		d->vid = 0x0483, d->pid = 0x5740, d->bcd = 0x0200;
		d->manufacturer = "Bitcraze AB";
		d->product = "Crazyflie 2.1 (virtual application)";
		d->serial = vb.serial;
		break;
	case VDEV_OTHER:
		d->vid = other_vid, d->pid = other_pid, d->bcd = 0x0100;
		d->manufacturer = "Other Vendor";
		d->product = other_product;
		d->serial = other_serial;
		break;
	}
	vdfu_usb_build_descriptors(d);

	/* Named from /sys/devices (umockdev checks a parent path against the
	 * real /sys, where usb1 may not exist). */
	const char *name = kind == VDEV_OTHER ? "usb1/1-2" : "usb1/1-1";
	char *dn = attr("%d", d->devnum), *dn3 = attr("%03d", d->devnum);
	char *vid = attr("%04x", d->vid), *pid = attr("%04x", d->pid), *bcd = attr("%04x", d->bcd);
	char *prod = attr("%x/%x/%x", d->vid, d->pid, d->bcd);
	d->syspath = umockdev_testbed_add_device(
		tb, "usb", name, NULL,
		"busnum", "1", "devnum", dn, "speed", "12", "bConfigurationValue", "1",
		"bNumConfigurations", "1", "bDeviceClass", "00", "idVendor", vid, "idProduct", pid,
		"bcdDevice", bcd, "manufacturer", d->manufacturer, "product", d->product,
		"serial", d->serial, "devpath", name + 7, "maxchild", "0", NULL,
		"DEVTYPE", "usb_device", "DEVNAME", d->devnode, "BUSNUM", "001", "DEVNUM", dn3,
		"PRODUCT", prod, "TYPE", "0/0/0", "ID_VENDOR_ID", vid, "ID_MODEL_ID", pid,
		"ID_SERIAL_SHORT", d->serial, NULL);
	g_free(dn), g_free(dn3), g_free(vid), g_free(pid), g_free(bcd), g_free(prod);
	umockdev_testbed_set_attribute_binary(tb, d->syspath, "descriptors", d->desc,
					      (gint)d->desc_len);
	/* The node: a plain file, as umockdev makes for USB devices; opening
	 * it connects the client to our ioctl handler. */
	char *root = umockdev_testbed_get_root_dir(tb);
	char *node = g_strconcat(root, d->devnode, NULL);
	char *dir = g_path_get_dirname(node);
	g_mkdir_with_parents(dir, 0755);
	g_file_set_contents(node, "", 0, NULL);
	/* --fault access: as without udev rules, a node the user may not open
	 * (mode 0; the command runs without CAP_DAC_OVERRIDE, so even root). */
	chmod(node, vb.faults.access ? 0 : 0666);
	g_free(dir);
	g_free(node);
	g_free(root);
	vdfu_usb_attach(tb, d);
	vdfu_usb_register(d);
	vdfu_event("plug %04x:%04x %s (%s)", d->vid, d->pid, d->devnode,
		   kind == VDEV_BOOT ? "bootloader" : kind == VDEV_APP ? "application" : "other");
	return d;
}

static void remove_device(struct vdev *d)
{
	if (!d)
		return;
	vdfu_usb_unregister(d);
	umockdev_testbed_detach_ioctl(tb, d->devnode, NULL);
	umockdev_testbed_remove_device(tb, d->syspath);
	vdfu_event("unplug %04x:%04x %s", d->vid, d->pid, d->devnode);
	if (d == boot_dev)
		boot_dev = NULL;
	if (d == app_dev)
		app_dev = NULL;
	/* Clients may still hold the node: leak the small struct rather
	 * than race with umockdev's thread. */
}

static void later(double seconds, GSourceFunc fn, gpointer data)
{
	GSource *s = g_timeout_source_new((guint)(seconds * 1000));
	g_source_set_callback(s, fn, data, NULL);
	g_source_attach(s, main_ctx);
	g_source_unref(s);
}

static gboolean plug_boot(gpointer unused)
{
	(void)unused;
	g_mutex_lock(&vb.lock);
	vdfu_dfuse_reset();
	vb.dl_bytes = 0;
	vb.leave_addr_set = false;
	g_mutex_unlock(&vb.lock);
	boot_dev = add_device(VDEV_BOOT);
	return G_SOURCE_REMOVE;
}

static gboolean plug_app(gpointer unused)
{
	(void)unused;
	app_dev = add_device(VDEV_APP);
	return G_SOURCE_REMOVE;
}

/* After :leave: the bootloader drops off the bus and jumps to the image. */
static gboolean do_leave(gpointer p)
{
	struct vdev *d = p;
	uint32_t at = vb.leave_addr_set ? vb.leave_addr : vb.alts[0].base;
	remove_device(d);
	uint8_t vec[8];
	g_mutex_lock(&vb.lock);
	bool ok = vflash_read(&vb.flash, at, vec, 8) == VF_OK;
	g_mutex_unlock(&vb.lock);
	uint32_t sp = vec[0] | vec[1] << 8 | vec[2] << 16 | (uint32_t)vec[3] << 24;
	uint32_t pc = vec[4] | vec[5] << 8 | vec[6] << 16 | (uint32_t)vec[7] << 24;
	if (ok && (sp & 0xFFF00000u) == 0x20000000u && (pc & 1)) {
		vdfu_event("leave 0x%08x: application started (sp 0x%08x, reset 0x%08x)", at, sp, pc);
		if (vb.app_usb)
			later(vb.detach_delay, plug_app, NULL);
	} else {
		vdfu_event("leave 0x%08x: no valid vector table there, the chip faults", at);
	}
	return G_SOURCE_REMOVE;
}

static gboolean do_detach(gpointer p)
{
	remove_device(p);
	vdfu_event("detach: rebooting into the ROM bootloader");
	later(vb.detach_delay, plug_boot, NULL);
	return G_SOURCE_REMOVE;
}

static gboolean enter_dfu_by_hand(gpointer unused)
{
	(void)unused;
	remove_device(app_dev);
	vdfu_event("button: rebooting into the ROM bootloader");
	return plug_boot(NULL);
}

static gboolean do_unplug(gpointer p)
{
	remove_device(p);
	return G_SOURCE_REMOVE;
}

static gboolean do_reset_to_boot(gpointer p)
{
	remove_device(p);
	later(vb.detach_delay, plug_boot, NULL);
	return G_SOURCE_REMOVE;
}

/* From umockdev's thread: a short delay lets the client reap its last
 * transfer before the node disappears, as on a real bus. */
void vdfu_schedule_leave(struct vdev *d)
{
	later(0.05, do_leave, d);
}

void vdfu_schedule_detach(struct vdev *d)
{
	later(0.05, do_detach, d);
}

void vdfu_schedule_unplug(struct vdev *d)
{
	later(0.0, do_unplug, d);
}

void vdfu_schedule_reset_to_boot(struct vdev *d)
{
	later(0.05, do_reset_to_boot, d);
}

void vdfu_bus_start(const char *start, double appear_after, bool other)
{
	main_ctx = g_main_context_default();
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

	if (other)
		add_device(VDEV_OTHER);
	if (strcmp(start, "app") == 0) {
		app_dev = add_device(VDEV_APP);
		vb.app_usb = true;
		if (appear_after > 0) /* the user enters DFU by hand */
			later(appear_after, enter_dfu_by_hand, NULL);
	} else if (strcmp(start, "dfu") == 0) {
		if (appear_after > 0)
			later(appear_after, plug_boot, NULL);
		else
			boot_dev = add_device(VDEV_BOOT);
	}
}

void vdfu_bus_stop(void)
{
	g_object_unref(tb);
	tb = NULL;
}
