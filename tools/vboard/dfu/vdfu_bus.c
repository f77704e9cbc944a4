/* vdfu: devices coming and going on the shared virtual bus (tools/vboard/usb),
 * as on a real bus: :leave unplugs the ROM
 * bootloader (and, with --app, the application enumerates with a DFU run-time
 * interface), DFU_DETACH brings the bootloader back with a new address.
 * Everything here runs on the main thread; umockdev's worker thread (the
 * ioctl handler) asks for changes through the vdfu_schedule_* calls. */
#include "vdfu.h"

#include <string.h>

static struct vdev *boot_dev, *app_dev;
/* --other / --other-board: a second device on the bus that is not the board. */
static const char *other_serial = "OTHER0001", *other_product = "Some other DFU device";
static uint16_t other_vid = 0x1209, other_pid = 0x2003;

static bool other_full; /* --other-flash-file: the other is a second board */

void vdfu_bus_other_board(const char *serial, bool full)
{
	other_full = full;
	/* another STM32 in DFU mode: same ids, its own serial */
	other_vid = 0x0483, other_pid = 0xdf11;
	other_serial = serial;
	other_product = "STM32  BOOTLOADER";
}

static struct vdev *add_device_on(enum vdev_kind kind, int board)
{
	struct vdev *d = g_new0(struct vdev, 1);
	struct vusb_dev *u = &d->usb;
	d->kind = kind;
	d->board = board;
	/* The second board's descriptors come from its own alts and serial. */
	if (board) {
		g_mutex_lock(&vb.lock);
		vdfu_swap_board();
	}
	switch (kind) {
	case VDEV_BOOT:
		u->vid = 0x0483, u->pid = 0xdf11, u->bcd = 0x2200;
		u->manufacturer = "STMicroelectronics";
		u->product = "STM32  BOOTLOADER";
		u->serial = vb.serial;
		break;
	case VDEV_APP:
		u->vid = 0x0483, u->pid = 0x5740, u->bcd = 0x0200;
		u->manufacturer = "Bitcraze AB";
		u->product = "Crazyflie 2.1 (virtual application)";
		u->serial = vb.serial;
		break;
	case VDEV_OTHER:
		u->vid = other_vid, u->pid = other_pid, u->bcd = 0x0100;
		u->manufacturer = "Other Vendor";
		u->product = other_product;
		u->serial = other_serial;
		break;
	}
	u->port = kind == VDEV_OTHER || board ? "1-2" : "1-1";
	u->speed = 12;
	u->ops = &vdfu_usb_ops;
	/* --fault access: as without udev rules, a node the user may not open. */
	u->no_access = vb.faults.access;
	vdfu_usb_build_descriptors(d);
	if (board) {
		vdfu_swap_board();
		g_mutex_unlock(&vb.lock);
	}
	vusb_plug(u);
	vdfu_event("plug %04x:%04x %s (%s)", u->vid, u->pid, u->devnode,
		   board ? "second board's bootloader" : kind == VDEV_BOOT ? "bootloader"
		   : kind == VDEV_APP ? "application" : "other");
	return d;
}

static struct vdev *add_device(enum vdev_kind kind)
{
	return add_device_on(kind, 0);
}

/* The second board: its bootloader comes back after a reset or detach;
 * after :leave it runs its application (no USB of its own). */
static gboolean plug_other(gpointer unused)
{
	(void)unused;
	g_mutex_lock(&vb.lock);
	vdfu_swap_board();
	vdfu_dfuse_reset();
	vb.dl_bytes = 0;
	vb.leave_addr_set = false;
	vdfu_swap_board();
	g_mutex_unlock(&vb.lock);
	add_device_on(VDEV_BOOT, 1);
	return G_SOURCE_REMOVE;
}

static void remove_device(struct vdev *d)
{
	if (!d)
		return;
	vusb_unplug(&d->usb);
	vdfu_event("unplug %04x:%04x %s", d->usb.vid, d->usb.pid, d->usb.devnode);
	if (d == boot_dev)
		boot_dev = NULL;
	if (d == app_dev)
		app_dev = NULL;
	/* Clients may still hold the node: leak the small struct rather
	 * than race with umockdev's thread. */
}

static void later(double seconds, GSourceFunc fn, gpointer data)
{
	vusb_later(seconds, fn, data);
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
static gint leaves_pending;

static gboolean do_leave(gpointer p)
{
	struct vdev *d = p;
	g_atomic_int_dec_and_test(&leaves_pending);
	if (d->board) {
		remove_device(d);
		return G_SOURCE_REMOVE;
	}
	uint32_t at = vb.leave_addr_set ? vb.leave_addr : vb.alts[0].base;
	remove_device(d);
	if (vb.run.set) {
		/* The chip runs the image: the verdict says whether it started. */
		g_mutex_lock(&vb.lock);
		int k = vboard_run_at(&vb.run, &vb.flash, at, ":leave", NULL, NULL);
		g_mutex_unlock(&vb.lock);
		vdfu_event("leave 0x%08x: %s%s", at, k == VB_RUNNING ? "application started: " : "",
			   vb.run.last.verdict);
		if (k == VB_RUNNING && vb.app_usb)
			later(vb.detach_delay, plug_app, NULL);
		return G_SOURCE_REMOVE;
	}
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
	if (((struct vdev *)p)->board) {
		later(vb.detach_delay, plug_other, NULL);
		return G_SOURCE_REMOVE;
	}
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
	if (((struct vdev *)p)->board) {
		later(vb.detach_delay, plug_other, NULL);
		return G_SOURCE_REMOVE;
	}
	later(vb.detach_delay, plug_boot, NULL);
	return G_SOURCE_REMOVE;
}

/* From umockdev's thread: a short delay lets the client reap its last
 * transfer before the node disappears, as on a real bus. */
void vdfu_schedule_leave(struct vdev *d)
{
	g_atomic_int_inc(&leaves_pending);
	later(0.05, do_leave, d);
}

/* The command may end right after its :leave request (dfu-util alone does):
 * let the chip leave and run before the board goes away. */
void vdfu_bus_settle(void)
{
	while (g_atomic_int_get(&leaves_pending) > 0)
		g_main_context_iteration(g_main_context_default(), TRUE);
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
	vusb_bus_start();
	if (other && other_full)
		plug_other(NULL);
	else if (other)
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
	vusb_bus_stop();
}
