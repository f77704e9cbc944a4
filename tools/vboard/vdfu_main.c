/* vdfu: run a command against a virtual STM32 ROM DFU bootloader.
 *
 *   vdfu run [options] -- CMD ARGS...
 *
 * Builds a umockdev testbed (a root hub and the board on bus 1), serves the
 * board's usbdevfs ioctls while CMD runs under libumockdev-preload, and
 * exits with CMD's status. Devices come and go as on a real bus: :leave
 * unplugs the bootloader (and, with --app, the application enumerates with
 * a DFU runtime interface), DFU_DETACH brings the bootloader back. */
#include "vdfu.h"

#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <umockdev.h>
#include <unistd.h>

struct vboard vb;

static UMockdevTestbed *tb;
static GMainLoop *loop;
static GMainContext *main_ctx;
static char *hub_syspath;
static int next_devnum = 2;
static int child_status = -1;
static GPid child_pid;
static struct vdev *boot_dev, *app_dev;
/* --other / --other-board: a second device on the bus that is not the board. */
static const char *other_serial = "OTHER0001", *other_product = "Some other DFU device";
static uint16_t other_vid = 0x1209, other_pid = 0x2003;

/* The families' memory as their ROM bootloaders describe it. */
static const struct family {
	const char *name, *mcu;
	const char *flash;     /* DfuSe layout of the internal flash */
	const char *single;    /* single-bank layout the ROM's page erase uses (F7 dual bank) */
	const char *opt;       /* option bytes alt */
	const char *otp;
} families[] = {
	{ "f4", "STM32F405/407 (1 MiB)", "/0x08000000/04*016Kg,01*064Kg,07*128Kg", NULL,
	  "@Option Bytes  /0x1FFFC000/01*016 e", "@OTP Memory /0x1FFF7800/01*512 e,01*016 e" },
	{ "f401", "STM32F401xE (512 KiB)", "/0x08000000/04*016Kg,01*064Kg,03*128Kg", NULL,
	  "@Option Bytes  /0x1FFFC000/01*016 e", "@OTP Memory /0x1FFF7800/01*512 e,01*016 e" },
	{ "f7", "STM32F767 dual bank (2 x 1 MiB)",
	  "/0x08000000/04*016Kg,01*064Kg,07*128Kg,04*016Kg,01*064Kg,07*128Kg", "4*32K,1*128K,7*256K",
	  "@Option Bytes  /0x1FFF0000/01*032 e", "@OTP Memory /0x1FF0F000/01*1Ke" },
	{ "f7-single", "STM32F767 single bank (2 MiB)", "/0x08000000/04*032Kg,01*128Kg,07*256Kg", NULL,
	  "@Option Bytes  /0x1FFF0000/01*032 e", "@OTP Memory /0x1FF0F000/01*1Ke" },
};

void vdfu_event(const char *fmt, ...)
{
	va_list ap;
	if (vb.events) {
		va_start(ap, fmt);
		vfprintf(vb.events, fmt, ap);
		va_end(ap);
		fputc('\n', vb.events);
		fflush(vb.events);
	}
	if (vb.verbose) {
		fputs("vdfu: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
}

/* "/0x08000000/04*016Kg,01*064Kg" -> base and "04*016K,01*064K" for vflash. */
static int parse_dfuse_layout(const char *s, uint32_t *base, char *out, size_t outlen)
{
	if (*s == '@')
		s = strchr(s, '/');
	if (!s || *s != '/')
		return -1;
	char *end;
	*base = (uint32_t)strtoul(s + 1, &end, 0);
	if (*end != '/')
		return -1;
	size_t o = 0;
	for (const char *p = end + 1; *p && o + 1 < outlen; p++) {
		if ((*p >= '0' && *p <= '9') || *p == '*' || *p == ',' || *p == 'K' || *p == 'M')
			out[o++] = *p;
		else if (*p == ' ' || (*p >= 'a' && *p <= 'g') || *p == 'B')
			continue;
		else
			return -1;
	}
	out[o] = 0;
	return o ? 0 : -1;
}

static void add_ram_alt(const char *name)
{
	struct valt *a = &vb.alts[vb.nalts];
	char lay[128];
	struct vflash tmp;
	char msg[128];
	if (parse_dfuse_layout(name, &a->base, lay, sizeof lay) < 0 ||
	    vflash_parse_layout(&tmp, lay, msg, sizeof msg) < 0)
		return;
	g_strlcpy(a->name, name, sizeof a->name);
	a->size = tmp.size;
	a->writable = true;
	a->ram = g_malloc(a->size);
	memset(a->ram, 0xFF, a->size);
	vb.nalts++;
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
	/* --fault access: as without udev rules, a node the user may not
	 * open (the command also runs without CAP_DAC_OVERRIDE, for root). */
	chmod(node, vb.faults.access ? 0600 : 0666);
	if (vb.faults.access && chown(node, 65534, 65534) < 0)
		g_printerr("vdfu: chown %s: %s\n", node, g_strerror(errno));
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
	/* --fault access: even root must see the node's permissions. */
	prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0);
	prctl(PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH, 0, 0, 0);
}

static G_GNUC_NORETURN void usage(int code)
{
	fprintf(code ? stderr : stdout,
		"usage: vdfu run [OPTIONS] -- COMMAND [ARGS...]\n"
		"Runs COMMAND with a virtual STM32 ROM DFU bootloader (0483:df11) on a\n"
		"umockdev USB bus, and exits with COMMAND's status.\n\n"
		"  --family F          f4 (default), f401, f7 (dual bank), f7-single\n"
		"  --layout L          internal flash layout, e.g. /0x08000000/04*016Kg,01*064Kg,07*128Kg\n"
		"  --flash-file PATH   keep the flash here (default: a temporary file)\n"
		"  --serial SN         USB serial number (default 3574364C3034)\n"
		"  --appear-after S    the bootloader shows up S seconds late (a user pressing buttons;\n"
		"                      with --start app, the application leaves then)\n"
		"  --start dfu|app|none  what is on the bus at first (default dfu)\n"
		"  --app               the application enumerates with a DFU runtime interface\n"
		"  --other             also attach an unrelated DFU device (1209:2003)\n"
		"  --other-board SN    also attach another STM32 bootloader (0483:df11, serial SN)\n"
		"  --detach-delay S    seconds from detach/leave to re-enumeration (default 0.3)\n"
		"  --poll-ms N         bwPollTimeout for erase/program (default 5)\n"
		"  --events FILE       log what the board did (erase, leave, plug, ...)\n"
		"  --fault F           stall=BYTE, disconnect=BYTE, no-leave, no-detach, rdp, access\n"
		"  -v                  log to stderr\n");
	exit(code);
}

static int parse_fault(const char *f)
{
	if (strncmp(f, "stall=", 6) == 0)
		vb.faults.stall_at = strtol(f + 6, NULL, 0);
	else if (strncmp(f, "disconnect=", 11) == 0)
		vb.faults.disconnect_at = strtol(f + 11, NULL, 0);
	else if (strcmp(f, "no-leave") == 0)
		vb.faults.no_leave = true;
	else if (strcmp(f, "no-detach") == 0)
		vb.faults.no_detach = true;
	else if (strcmp(f, "rdp") == 0)
		vb.faults.rdp = true;
	else if (strcmp(f, "access") == 0)
		vb.faults.access = true;
	else
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *family = "f4", *layout = NULL, *flash_file = NULL, *start = "dfu";
	const char *events = NULL;
	double appear_after = 0;
	bool other = false;
	int i;

	vb.serial = "3574364C3034";
	vb.poll_ms = 5;
	vb.detach_delay = 0.3;
	vb.faults.stall_at = vb.faults.disconnect_at = -1;
	g_mutex_init(&vb.lock);

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		usage(argc < 2 ? 64 : 0);
	if (strcmp(argv[1], "run") != 0)
		usage(64);
	for (i = 2; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *o = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name) (strcmp(o, name) == 0 && v && (i++, 1))
		if (ARG("--family"))
			family = v;
		else if (ARG("--layout"))
			layout = v;
		else if (ARG("--flash-file"))
			flash_file = v;
		else if (ARG("--serial"))
			vb.serial = v;
		else if (ARG("--appear-after"))
			appear_after = g_ascii_strtod(v, NULL);
		else if (ARG("--start"))
			start = v;
		else if (ARG("--detach-delay"))
			vb.detach_delay = g_ascii_strtod(v, NULL);
		else if (ARG("--poll-ms"))
			vb.poll_ms = (unsigned)strtoul(v, NULL, 0);
		else if (ARG("--events"))
			events = v;
		else if (ARG("--fault")) {
			if (parse_fault(v) < 0) {
				fprintf(stderr, "vdfu: unknown fault '%s'\n", v);
				return 64;
			}
		} else if (strcmp(o, "--app") == 0)
			vb.app_usb = true;
		else if (strcmp(o, "--other") == 0)
			other = true;
		else if (ARG("--other-board")) {
			/* another STM32 in DFU mode: same ids, its own serial */
			other = true;
			other_vid = 0x0483, other_pid = 0xdf11;
			other_serial = v;
			other_product = "STM32  BOOTLOADER";
		}
		else if (strcmp(o, "-v") == 0)
			vb.verbose = true;
		else if (strcmp(o, "--help") == 0)
			usage(0);
		else {
			fprintf(stderr, "vdfu: unknown option '%s' (see vdfu --help)\n", o);
			return 64;
		}
#undef ARG
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "vdfu: no command given: vdfu run [OPTIONS] -- COMMAND...\n");
		return 64;
	}
	char **cmd = argv + i + 1;

	const struct family *fam = NULL;
	for (size_t k = 0; k < G_N_ELEMENTS(families); k++)
		if (strcmp(families[k].name, family) == 0)
			fam = &families[k];
	if (!fam) {
		fprintf(stderr, "vdfu: unknown family '%s' (f4, f401, f7, f7-single)\n", family);
		return 64;
	}

	/* Alt 0: internal flash. */
	struct valt *fa = &vb.alts[0];
	const char *flay = layout ? layout : fam->flash;
	char vlay[256];
	if (parse_dfuse_layout(flay, &fa->base, vlay, sizeof vlay) < 0) {
		fprintf(stderr, "vdfu: bad layout '%s' (want /0x08000000/04*016Kg,...)\n", flay);
		return 64;
	}
	snprintf(fa->name, sizeof fa->name, "@Internal Flash  %s", strchr(flay, '/'));
	fa->is_flash = true;
	vb.nalts = 1;

	char tmpdir[] = "/tmp/vdfu.XXXXXX";
	char *tmp_flash = NULL;
	if (!flash_file) {
		if (!mkdtemp(tmpdir)) {
			perror("vdfu: mkdtemp");
			return 70;
		}
		tmp_flash = g_build_filename(tmpdir, "flash.bin", NULL);
		flash_file = tmp_flash;
	}
	char msg[256];
	if (vflash_open(&vb.flash, flash_file, fa->base, vlay, msg, sizeof msg) < 0) {
		fprintf(stderr, "vdfu: %s\n", msg);
		return 66;
	}
	fa->size = vb.flash.size;
	vb.flash.read_protected = vb.faults.rdp;
	if (fam->single && !layout) {
		vb.dual_bank_erase_bug = true;
		vb.single_bank_layout = fam->single;
	}
	add_ram_alt(fam->opt);
	add_ram_alt(fam->otp);
	if (vb.alts[1].ram)
		vb.alts[1].ram[0] = vb.faults.rdp ? 0x00 : 0xAA; /* RDP byte */
	vdfu_dfuse_reset();

	if (events) {
		vb.events = fopen(events, "a");
		if (!vb.events) {
			fprintf(stderr, "vdfu: %s: %s\n", events, strerror(errno));
			return 66;
		}
	}

	main_ctx = g_main_context_default();
	loop = g_main_loop_new(main_ctx, FALSE);
	vdfu_usb_init();
	tb = umockdev_testbed_new();
	hub_syspath = umockdev_testbed_add_device(
		tb, "usb", "usb1", NULL, "busnum", "1", "devnum", "1", "speed", "480",
		"bConfigurationValue", "1", "bDeviceClass", "09", "idVendor", "1d6b",
		"idProduct", "0002", "maxchild", "4", NULL, "DEVTYPE", "usb_device", "DEVNAME",
		"/dev/bus/usb/001/001", "BUSNUM", "001", "DEVNUM", "001", NULL);
	static const uint8_t hub_desc[] = {
		18, 1, 0, 2, 9, 0, 1, 64, 0x6b, 0x1d, 2, 0, 0x15, 5, 3, 2, 1, 1,
		9, 2, 25, 0, 1, 1, 0, 0xE0, 0, 9, 4, 0, 0, 1, 9, 0, 0, 0, 7, 5, 0x81, 3, 4, 0, 12,
	};
	umockdev_testbed_set_attribute_binary(tb, hub_syspath, "descriptors", (guint8 *)hub_desc,
					      sizeof hub_desc);

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
	} else if (strcmp(start, "none") != 0) {
		fprintf(stderr, "vdfu: --start takes dfu, app or none\n");
		return 64;
	}

	/* The command runs under umockdev's preload, in the testbed. */
	char **env = g_get_environ();
	const char *pre = g_environ_getenv(env, "LD_PRELOAD");
	char *preload = pre && *pre ? g_strconcat("libumockdev-preload.so.0:", pre, NULL)
				    : g_strdup("libumockdev-preload.so.0");
	env = g_environ_setenv(env, "LD_PRELOAD", preload, TRUE);
	env = g_environ_setenv(env, "VDFU_FLASH", flash_file, TRUE);
	g_free(preload);

	GError *err = NULL;
	if (!g_spawn_async(NULL, cmd, env,
			   G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
				   G_SPAWN_CHILD_INHERITS_STDIN,
			   vb.faults.access ? drop_dac_override : NULL, NULL, &child_pid, &err)) {
		fprintf(stderr, "vdfu: cannot run %s: %s\n", cmd[0], err->message);
		g_clear_error(&err);
		g_object_unref(tb);
		return 127;
	}
	g_strfreev(env);
	g_child_watch_add(child_pid, child_exited, NULL);
	g_unix_signal_add(SIGINT, on_signal, GINT_TO_POINTER(SIGINT));
	g_unix_signal_add(SIGTERM, on_signal, GINT_TO_POINTER(SIGTERM));
	g_main_loop_run(loop);

	g_mutex_lock(&vb.lock);
	vflash_close(&vb.flash);
	g_mutex_unlock(&vb.lock);
	g_object_unref(tb); /* removes the testbed directory */
	if (tmp_flash) {
		unlink(tmp_flash);
		rmdir(tmpdir);
	}
	if (vb.events)
		fclose(vb.events);
	if (WIFEXITED(child_status))
		return WEXITSTATUS(child_status);
	if (WIFSIGNALED(child_status))
		return 128 + WTERMSIG(child_status);
	return 70;
}
