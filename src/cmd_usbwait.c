/* flashkit usb-wait: wait (with a timeout) for a USB device such as the STM32
 * DFU bootloader to appear, or to go away. It reads sysfs, so it also sees a
 * device that dfu-util could not open, and says why: the user has no access
 * to the node (LIBUSB_ERROR_ACCESS, missing udev rules), several boards
 * match, or what is attached instead. Polls every 100 ms: enumeration takes
 * that long anyway, and sysfs needs no privileges or libusb. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "err.h"
#include "progress.h"
#include "usb_scan.h"

#define MAX_IDS 16
#define MAX_DEVS 128
#define MAX_TEXT 8

static void help(FILE *f)
{
	fprintf(f,
		"usage: flashkit usb-wait --device VID:PID [--device VID:PID]... [--serial SN]\n"
		"                         [--usb-path PATH]\n"
		"                         [--timeout SECONDS] [--gone] [--what TEXT]\n"
		"                         [--enter TEXT]... [--hint TEXT]... [--quiet]\n"
		"\n"
		"Wait until a USB device with one of the ids (and the serial number, if given)\n"
		"is attached and its node /dev/bus/usb/BBB/DDD can be opened; with --gone, wait\n"
		"until no such device is attached (e.g. after dfu-util's :leave).\n"
		"\n"
		"  --usb-path P  only the device on USB port path P (\"1-2.3\", as dfu-util -p)\n"
		"  --timeout S   give up after S seconds (default 30; 0 looks once)\n"
		"  --what TEXT   what the device is, for messages (\"the DFU bootloader\")\n"
		"  --enter TEXT  printed when the device is not there yet (how to attach it)\n"
		"  --hint TEXT   printed when the wait fails (power, jumpers, ...)\n"
		"\n"
		"On a timeout it lists what is attached instead (other DFU devices, devices in\n"
		"DFU run-time mode). A device that is there but whose node you cannot open is\n"
		"reported at once: that is dfu-util's LIBUSB_ERROR_ACCESS (udev rules).\n"
		"Exit: 0 ok, 64 usage, 69 not there within the timeout, or several boards,\n"
		"75 still there after the timeout (--gone), 77 no permission on its node.\n");
}

struct want {
	uint16_t vid[MAX_IDS], pid[MAX_IDS];
	unsigned nids;
	const char *serial;
	const char *path;   /* USB port path ("1-2.3"), NULL for any */
};

static bool matches(const struct want *w, const struct usb_dev *u)
{
	for (unsigned i = 0; i < w->nids; i++)
		if (u->vid == w->vid[i] && u->pid == w->pid[i])
			return (!w->serial || strcmp(w->serial, u->serial) == 0) &&
			       (!w->path || strcmp(w->path, u->path) == 0);
	return false;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void describe(const struct usb_dev *u, char *buf, size_t len)
{
	snprintf(buf, len, "%04x:%04x%s%s%s%s%s (bus %u device %u, USB path %s)%s", u->vid, u->pid,
		 u->product[0] ? " '" : "", u->product, u->product[0] ? "'" : "",
		 u->serial[0] ? " serial " : "", u->serial, u->busnum, u->devnum, u->path,
		 u->dfu == USB_DFU_MODE	     ? (u->bcd_dfu == 0x011a ? ", DFU mode (DfuSe)" : ", DFU mode")
		 : u->dfu == USB_DFU_RUNTIME ? ", DFU run-time (an application that can be detached)"
					     : "");
}

static void print_lines(const char *const *text, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		fprintf(stderr, "%s\n", text[i]);
}

/* What is attached that is not what we wait for. */
static void list_instead(const struct usb_dev *devs, size_t n, const struct want *w)
{
	unsigned shown = 0;
	char buf[512];
	for (size_t i = 0; i < n; i++) {
		const struct usb_dev *u = &devs[i];
		if (u->dev_class == 0x09 || matches(w, u))
			continue; /* hubs are always there */
		describe(u, buf, sizeof buf);
		fprintf(stderr, "  attached instead: %s\n", buf);
		shown++;
	}
	for (size_t i = 0; i < n; i++) {
		const struct usb_dev *u = &devs[i];
		for (unsigned k = 0; k < w->nids; k++)
			if (w->serial && u->vid == w->vid[k] && u->pid == w->pid[k]) {
				describe(u, buf, sizeof buf);
				fprintf(stderr, "  (a board with another serial number is attached: %s)\n",
					buf);
			}
	}
	if (!shown)
		fprintf(stderr, "  nothing else is attached over USB (only hubs)\n");
}

/* The options that take a value: any other word is unknown, not "needs a value". */
static bool takes_value(const char *o)
{
	static const char *const names[] = { "--device", "--serial", "--usb-path", "--timeout",
					     "--what", "--enter", "--hint" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(o, names[i]) == 0)
			return true;
	return false;
}

int cmd_usb_wait(int argc, char **argv)
{
	struct fk_err e = { 0 };
	struct want w = { 0 };
	double timeout = 30;
	bool gone = false, quiet = false;
	const char *what = "the device";
	const char *enter[MAX_TEXT], *hint[MAX_TEXT];
	unsigned nenter = 0, nhint = 0;

	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
			help(stdout);
			return 0;
		} else if (strcmp(o, "--gone") == 0) {
			gone = true;
		} else if (strcmp(o, "--quiet") == 0 || strcmp(o, "-q") == 0) {
			quiet = true;
		} else if (!v && takes_value(o)) {
			fk_fail(&e, FK_EUSAGE, "usb-wait: %s needs a value (see flashkit usb-wait --help)", o);
			return fk_report(&e);
		} else if (strcmp(o, "--device") == 0) {
			if (w.nids == MAX_IDS || !usb_parse_id(v, &w.vid[w.nids], &w.pid[w.nids])) {
				fk_fail(&e, FK_EUSAGE, "usb-wait: bad --device '%s' (want VID:PID in hex, e.g. 0483:df11)", v);
				return fk_report(&e);
			}
			w.nids++;
			i++;
		} else if (strcmp(o, "--serial") == 0) {
			w.serial = *v ? v : NULL;
			i++;
		} else if (strcmp(o, "--usb-path") == 0) {
			w.path = *v ? v : NULL;
			i++;
		} else if (strcmp(o, "--timeout") == 0) {
			char *end;
			timeout = strtod(v, &end);
			if (end == v || *end || timeout < 0 || timeout > 86400) {
				fk_fail(&e, FK_EUSAGE, "usb-wait: bad --timeout '%s' (want seconds, e.g. 30)", v);
				return fk_report(&e);
			}
			i++;
		} else if (strcmp(o, "--what") == 0) {
			what = v;
			i++;
		} else if (strcmp(o, "--enter") == 0 || strcmp(o, "--hint") == 0) {
			bool is_enter = o[2] == 'e';
			if (*v && (is_enter ? nenter : nhint) < MAX_TEXT) {
				if (is_enter)
					enter[nenter++] = v;
				else
					hint[nhint++] = v;
			}
			i++;
		} else {
			fk_fail(&e, FK_EUSAGE, "usb-wait: unknown option '%s' (see flashkit usb-wait --help)", o);
			return fk_report(&e);
		}
	}
	if (!w.nids) {
		fk_fail(&e, FK_EUSAGE, "usb-wait: say which device: --device VID:PID (e.g. 0483:df11)");
		return fk_report(&e);
	}

	static struct usb_dev devs[MAX_DEVS];
	const char *sysdir = "/sys/bus/usb/devices";
	char id[64], buf[512];
	snprintf(id, sizeof id, "%04x:%04x%s%s", w.vid[0], w.pid[0], w.serial ? " serial " : "",
		 w.serial ? w.serial : "");
	double start = now();
	bool announced = false;
	/* The countdown: one updating line on a terminal, a line every 10 s
	 * otherwise, none with --quiet or FLASHKIT_PROGRESS=off (make -s). */
	struct progress pr;
	progress_init(&pr, stderr, quiet ? PROGRESS_OFF : progress_mode_for(2));
	long shown = -1;

	for (;;) {
		size_t n = 0;
		/* No sysfs USB directory: no USB device at all (yet). */
		if (usb_scan(sysdir, devs, MAX_DEVS, &n, &e) != 0)
			n = 0;
		const struct usb_dev *hit[MAX_DEVS];
		size_t nhit = 0;
		for (size_t i = 0; i < n; i++)
			if (matches(&w, &devs[i]))
				hit[nhit++] = &devs[i];
		double elapsed = now() - start;
		bool late = elapsed >= timeout;
		if (late || nhit)
			progress_clear(&pr);

		if (gone) {
			if (!nhit)
				return 0;
			if (late) {
				describe(hit[0], buf, sizeof buf);
				fprintf(stderr, "flashkit: %s is still attached after %g s: %s\n", what,
					timeout, buf);
				print_lines(hint, nhint);
				return FK_ETIMEOUT;
			}
		} else if (nhit > 1) {
			fprintf(stderr, "flashkit: %zu boards match %s; choose one by serial number "
					"(SERIAL=...) or, for equal serials, by USB port path (USB_PATH=...):\n", nhit, id);
			for (size_t i = 0; i < nhit; i++) {
				describe(hit[i], buf, sizeof buf);
				fprintf(stderr, "  %s\n", buf);
			}
			return FK_EUNAVAIL;
		} else if (nhit == 1) {
			const struct usb_dev *u = hit[0];
			describe(u, buf, sizeof buf);
			if (access(u->devnode, R_OK | W_OK) == 0) {
				if (!quiet && !progress_silent())
					fprintf(stderr, "flashkit: found %s: %s\n", what, buf);
				return 0;
			}
			if (errno == EACCES || errno == EPERM || errno == EROFS) {
				fprintf(stderr,
					"flashkit: found %s: %s, but you may not open %s, so dfu-util or OpenOCD would "
					"fail with LIBUSB_ERROR_ACCESS: install the udev rules (make "
					"udev-install, tools/udev; then replug the board) or add yourself to "
					"the group that owns the node (often plugdev); sudo is the last "
					"resort\n",
					what, buf, u->devnode);
				return FK_EPERM;
			}
			/* ENOENT: udev has not made the node yet; keep waiting. */
			if (late) {
				fprintf(stderr, "flashkit: found %s: %s, but its node %s did not appear "
						"(%s)\n", what, buf, u->devnode, strerror(errno));
				return FK_EUNAVAIL;
			}
		} else if (late) {
			fprintf(stderr, "flashkit: %s (%s) did not appear within %g s\n", what, id, timeout);
			list_instead(devs, n, &w);
			print_lines(hint, nhint);
			/* Never there: "not found" (69), like a missing drive or port; 75 is
			 * kept for a device that is there but does not finish (--gone). */
			return FK_EUNAVAIL;
		} else if (!announced && !quiet) {
			fprintf(stderr, "flashkit: waiting up to %g s for %s (%s)...\n", timeout, what, id);
			print_lines(enter, nenter);
			announced = true;
		}
		if (announced && !gone && (long)elapsed != shown) {
			shown = (long)elapsed;
			long left = (long)(timeout - elapsed + 0.999);
			progress_show(&pr, shown > 0 && shown % 10 == 0,
				      "  WAIT    %s (%s): %ld s left (Ctrl-C stops)", what, id, left);
		}
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}
