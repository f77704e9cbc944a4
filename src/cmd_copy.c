/* flashkit copy FILE --label L...: flash through an ST-LINK / DAPLink drive
 * and find out whether it worked. The probe programs the target once the
 * whole file has arrived, then drops off the bus and comes back; success is
 * "the drive left and came back, and there is no FAIL.TXT". */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "args.h"
#include "check.h"
#include "check_file.h"
#include "commands.h"
#include "drive_copy.h"
#include "drive_find.h"
#include "drive_wait.h"
#include "err.h"
#include "fileio.h"
#include "formats.h"
#include "image.h"
#include "progress.h"

#define MAX_LABELS 16
#define MAX_FOUND 16
#define DEFAULT_FLASH_BASE 0x08000000u
#define DEFAULT_MOUNT_GRACE_MS 10000

static void help(FILE *f)
{
	fprintf(f,
		"usage: flashkit copy FILE (--label LABEL)... [--serial SN] [--timeout SECONDS]\n"
		"                     [--flash BASE:SIZE] [--ram BASE:SIZE] [--protect BASE:SIZE]...\n"
		"                     [--address A] [--elf ELF] [--no-vectors] [--as bin|hex]\n"
		"                     [--drive DIR] [--progress|--no-progress]\n"
		"\n"
		"Flash FILE through the USB drive of an ST-LINK or DAPLink probe and wait for\n"
		"the result. FILE may be %s; it is copied as .bin or .hex.\n"
		"\n"
		"  --label LABEL    the drive's volume label, e.g. NODE_F401RE; give every label the\n"
		"                   board's probe may have (--label NODE_F401RE --label NOD_F401RE,\n"
		"                   or --label NODE_F401RE,NOD_F401RE)\n"
		"  --serial SN      the probe's USB serial number: picks one of several boards\n"
		"  --usb-path P     only the drive of the probe on USB port path P (\"1-2.3\"; for\n"
		"                   probes with equal serials; make list-attached shows it)\n"
		"  --drive DIR      copy into DIR instead of looking for the drive (a Windows drive\n"
		"                   letter under WSL, e.g. /mnt/d); DIR must hold MBED.HTM or DETAILS.TXT\n"
		"  --timeout S      seconds to wait for the drive to come back after the copy\n"
		"                   (default 20 + 15 per MiB of the file: 50 s for 2 MiB)\n"
		"  --mount-grace S  the drive is back as a device but not mounted for S seconds:\n"
		"                   stop and say so (default 10)\n"
		"  --progress, --no-progress   progress of the copy on stderr (default: on a\n"
		"                   terminal, for files of 256 KiB and more)\n"
		"  --flash/--ram/--protect BASE:SIZE, --address A, --elf ELF, --no-vectors\n"
		"                   the image check, exactly as 'flashkit check' runs it (same\n"
		"                   lines, exit 65), before the drive is looked for: nothing is\n"
		"                   copied when it fails. --address is the application address:\n"
		"                   a raw .bin goes there (default: the start of flash), a file\n"
		"                   with addresses must start there. Without --flash the file is\n"
		"                   only read, not checked\n"
		"  --as bin|hex     the format the probe takes (default: FILE's own if bin or hex,\n"
		"                   else bin; hex when the image does not start at the start of flash)\n"
		"\n"
		"The drive is looked for in the whole mount table (/media/$USER, /run/media/$USER,\n"
		"/mnt, ...) by label or, with --serial, through /dev/disk/by-id. With several\n"
		"matching drives nothing is copied: choose one with --serial. The file is written\n"
		"as FLASHKIT.BIN or FLASHKIT.HEX in the drive's root, front to back with fsync.\n"
		"Then flashkit waits (event-driven, no busy polling) for the drive to disconnect\n"
		"and come back. Success: it came back without FAIL.TXT.\n"
		"\n"
		"Exit: 0 flashed; 64 usage; 65 image fails the check; 66 FILE missing; 69 no\n"
		"drive, several drives, or the drive came back but was not mounted; 74 write\n"
		"error (e.g. drive full) or FAIL.TXT (its text is printed); 75 timeout: the drive did\n"
		"not come back (still programming, or needs a replug).\n",
		format_names());
}

struct copy_args {
	const char *path;
	const char *labels[MAX_LABELS];
	size_t nlabels;
	const char *serial;
	const char *usb_path;
	const char *drive_dir;
	double timeout_s;
	double grace_s;
	struct check_args ck;      /* --flash, --ram, --protect, --address, --elf, --no-vectors */
	const struct format *as;
	int progress;              /* -1 auto, 0 off, 1 on */
	char label_buf[1024];
	size_t label_used;
};

static int add_labels(struct copy_args *a, const char *val, struct fk_err *e)
{
	/* One value may hold several labels, comma-separated (a FAT label has
	 * no commas, but may have spaces). Each is copied into label_buf. */
	for (const char *t = val; *t;) {
		size_t n = strcspn(t, ",");
		if (n) {
			if (a->nlabels == MAX_LABELS || a->label_used + n + 1 > sizeof a->label_buf)
				return fk_fail(e, FK_EUSAGE, "copy: too many --label values");
			char *l = a->label_buf + a->label_used;
			memcpy(l, t, n);
			l[n] = 0;
			a->label_used += n + 1;
			if (strchr(l, '/') || !strcmp(l, ".") || !strcmp(l, ".."))
				return bad_value(e, "copy", "--label", l, "a volume label such as NODE_F401RE");
			a->labels[a->nlabels++] = l;
		}
		t += n;
		t += strspn(t, ",");
	}
	return 0;
}

static int parse_args(struct copy_args *a, int argc, char **argv, struct fk_err *e)
{
	memset(a, 0, sizeof *a);
	a->progress = -1;
	a->timeout_s = -1;
	a->grace_s = DEFAULT_MOUNT_GRACE_MS / 1000.0;
	static const char *const opts[] = { "--label", "--serial", "--timeout", "--as", "--drive",
					    "--mount-grace", "--usb-path" };
	enum { O_LABEL, O_SERIAL, O_TIMEOUT, O_AS, O_DRIVE, O_GRACE, O_USBPATH, O_N };
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			help(stdout);
			return -1;
		}
		if (!strcmp(s, "--progress") || !strcmp(s, "--no-progress")) {
			a->progress = s[2] == 'p';
			continue;
		}
		/* The image check's options, taken exactly as 'check' takes them. */
		int took = check_arg(&a->ck, "copy", argc, argv, &i, e);
		if (took < 0)
			return e->code;
		if (took)
			continue;
		const char *val = NULL;
		int which = arg_value(argc, argv, &i, opts, O_N, "copy", &val, e);
		if (which == -2)
			return e->code;
		char *end;
		switch (which) {
		case O_LABEL:
			if (add_labels(a, val, e))
				return e->code;
			continue;
		case O_SERIAL:
			if (!*val || strchr(val, '/'))
				return bad_value(e, "copy", "--serial", val, "the probe's USB serial number");
			a->serial = val;
			continue;
		case O_USBPATH:
			a->usb_path = *val ? val : NULL;
			continue;
		case O_TIMEOUT:
		case O_GRACE: {
			double t = strtod(val, &end);
			if (end == val || *end || !(t > 0) || t > 86400)
				return bad_value(e, "copy", opts[which], val, "seconds, e.g. 30 or 0.5");
			*(which == O_TIMEOUT ? &a->timeout_s : &a->grace_s) = t;
			continue;
		}
		case O_AS:
			a->as = format_by_name(val);
			if (a->as != &fmt_bin && a->as != &fmt_ihex)
				return bad_value(e, "copy", "--as", val, "bin or hex (what the probe takes)");
			continue;
		case O_DRIVE:
			a->drive_dir = val;
			continue;
		default:
			break;
		}
		if (s[0] == '-' && s[1])
			return fk_fail(e, FK_EUSAGE, "copy: unknown option '%s' (see 'flashkit copy --help')", s);
		if (a->path)
			return fk_fail(e, FK_EUSAGE, "copy: one FILE at a time, got '%s' and '%s'", a->path, s);
		a->path = s;
	}
	if (!a->path)
		return fk_fail(e, FK_EUSAGE, "copy: no FILE given (see 'flashkit copy --help')");
	if (!a->nlabels && !a->serial && !a->drive_dir)
		return fk_fail(e, FK_EUSAGE,
			       "copy: say which drive: --label NODE_F401RE (the board's drive label), --serial SN or --drive DIR");
	return 0;
}

/* The bytes to put on the drive, and which format they are in. */
struct payload {
	uint8_t *data;
	size_t len;
	bool hex;
	bool converted;
};

static int make_payload(struct copy_args *a, const struct image *img, struct payload *p,
			struct fk_err *e)
{
	uint8_t *raw;
	size_t rawlen;
	int rc = read_file(a->path, &raw, &rawlen, e);
	if (rc)
		return rc;
	const struct format *in = format_detect(raw, rawlen, a->path);
	uint32_t flash_base = a->ck.has_flash ? a->ck.c.flash_base : DEFAULT_FLASH_BASE;
	const struct format *out = a->as;
	if (!out) {
		out = in == &fmt_ihex ? &fmt_ihex : &fmt_bin;
		/* A .bin always lands at the start of flash on these probes. */
		if (out == &fmt_bin && image_lowest(img) != flash_base)
			out = &fmt_ihex;
	}
	if (out == &fmt_bin && image_lowest(img) != flash_base) {
		free(raw);
		return fk_fail(e, FK_EDATA,
			       "%s: starts at 0x%08x, but the probe writes a .bin at the start of flash (0x%08x): use --as hex",
			       a->path, image_lowest(img), flash_base);
	}
	p->hex = out == &fmt_ihex;
	if (in == out && !img->has_suffix) {
		p->data = raw;
		p->len = rawlen;
		return 0;
	}
	free(raw);
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	if (!fp)
		return fk_fail(e, FK_EINTERNAL, "out of memory");
	struct write_opts wo = { .fill = 0xFF };
	rc = out->write(img, fp, &wo, e);
	if (fclose(fp) != 0 && !rc)
		rc = fk_fail(e, FK_EINTERNAL, "converting %s: out of memory", a->path);
	if (rc) {
		free(buf);
		return rc;
	}
	p->data = (uint8_t *)buf;
	p->len = len;
	p->converted = true;
	return 0;
}

static bool is_wsl(void)
{
	if (access("/proc/sys/fs/binfmt_misc/WSLInterop", F_OK) == 0)
		return true;
	char buf[512] = "";
	int fd = open("/proc/sys/kernel/osrelease", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof buf - 1);
		buf[n > 0 ? n : 0] = 0;
		close(fd);
	}
	return strcasestr(buf, "microsoft") != NULL;
}

/* Mounts worth naming when the drive is not found: what a USB drive looks like. */
static bool removable_looking(const struct mount_entry *m)
{
	static const char *const fs[] = { "vfat", "msdos", "exfat", "fuseblk", "9p", "drvfs" };
	for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++)
		if (!strcmp(m->fstype, fs[i]))
			return strcmp(m->point, "/boot/efi") != 0;
	return !strncmp(m->point, "/media/", 7) || !strncmp(m->point, "/run/media/", 11) ||
	       !strncmp(m->point, "/Volumes/", 9);
}

static void append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	if (n + 1 >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

static void describe_wanted(const struct copy_args *a, char *buf, size_t len)
{
	buf[0] = 0;
	if (a->usb_path)
		append(buf, len, "on USB port %s ", a->usb_path);
	if (a->serial)
		append(buf, len, "with serial %s", a->serial);
	else
		for (size_t i = 0; i < a->nlabels; i++)
			append(buf, len, "%s%s", i ? (i + 1 == a->nlabels ? " or " : ", ") : "labelled ",
			       a->labels[i]);
}

static int no_drive(const struct copy_args *a, const struct mount_table *t,
		    const struct drive_query *q, struct fk_err *e)
{
	char wanted[256], found[1024] = "", dev[DRIVE_STR];
	describe_wanted(a, wanted, sizeof wanted);
	size_t nfound = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (!removable_looking(&t->m[i]) || strcmp(t->m[i].root, "/") != 0)
			continue;
		struct drive d;
		drive_describe(&t->m[i], q->dev_disk, &d);
		append(found, sizeof found, "%s%s at %s%s%s%s", nfound++ ? ", " : "", d.label, d.point,
		       d.serial[0] ? " (serial " : "", d.serial, d.serial[0] ? ")" : "");
	}
	if (drive_device_present(q->dev_disk, q->labels, q->nlabels, q->serial, dev, sizeof dev))
		return fk_fail(e, FK_EUNAVAIL,
			       "the drive %s is plugged in as %s but not mounted (no automounter: headless or KDE?): mount it with 'udisksctl mount -b %s' and run again",
			       wanted, dev, dev);
	return fk_fail(e, FK_EUNAVAIL,
		       "no ST-LINK drive %s is mounted (looked through all %zu mounts; found %s); is the board plugged in by its ST-LINK USB port and powered? if the drive shows up but is not mounted: udisksctl mount -b /dev/sdX%s",
		       wanted, t->n, nfound ? found : "no USB drives", is_wsl() ? "; this is WSL, which cannot see the drive as a disk: copy to its Windows drive letter with --drive /mnt/d (make: CPY2REMED_DRIVE=/mnt/d)" : "");
}

static int several(const struct copy_args *a, const struct drive *c, size_t n, struct fk_err *e)
{
	char wanted[256], list[1536] = "";
	describe_wanted(a, wanted, sizeof wanted);
	for (size_t i = 0; i < n && i < MAX_FOUND; i++)
		append(list, sizeof list, "%s%s at %s (serial %s)", i ? "; " : "", c[i].label, c[i].point,
		       c[i].serial[0] ? c[i].serial : "unknown");
	return fk_fail(e, FK_EUNAVAIL, "%zu drives %s: %s; not guessing: choose one with --serial SN (make: SERIAL=SN), or for equal serials --usb-path (make: USB_PATH=, see make list-attached)",
		       n, wanted, list);
}

/* --drive DIR: the mount it is the root of, else a plain directory that is
 * watched by polling (a Windows drive letter under WSL). */
static int drive_from_dir(const struct copy_args *a, const struct mount_table *t, struct drive *d,
			  bool *use_mountinfo, struct fk_err *e)
{
	char real[PATH_MAX];
	if (!realpath(a->drive_dir, real))
		return fk_fail(e, FK_EUNAVAIL, "--drive %s: %s", a->drive_dir, strerror(errno));
	struct stat st;
	if (strlen(real) >= sizeof d->point)
		return fk_fail(e, FK_EUSAGE, "--drive %s: path too long", a->drive_dir);
	if (stat(real, &st) != 0 || !S_ISDIR(st.st_mode))
		return fk_fail(e, FK_EUNAVAIL, "--drive %s: not a directory", a->drive_dir);
	*use_mountinfo = false;
	memset(d, 0, sizeof *d);
	for (size_t i = t->n; i-- > 0;)
		if (!strcmp(t->m[i].point, real)) {
			drive_describe(&t->m[i], "/dev/disk", d);
			*use_mountinfo = strcmp(d->fstype, "9p") != 0 && strcmp(d->fstype, "drvfs") != 0;
			break;
		}
	if (!*use_mountinfo) {
		memcpy(d->point, real, strlen(real) + 1);
		const char *b = strrchr(d->point, '/');
		memcpy(d->label, b && b[1] ? b + 1 : d->point, strlen(b && b[1] ? b + 1 : d->point) + 1);
		d->major = major(st.st_dev);
		d->minor = minor(st.st_dev);
	}
	int fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool probe = fd >= 0 && (drive_has_file(fd, "MBED.HTM", NULL, 0) ||
				 drive_has_file(fd, "DETAILS.TXT", NULL, 0));
	if (fd >= 0)
		close(fd);
	if (!probe)
		return fk_fail(e, FK_EUNAVAIL,
			       "--drive %s: no MBED.HTM or DETAILS.TXT there, so not an ST-LINK/DAPLink drive; refusing to copy into it",
			       a->drive_dir);
	return 0;
}

struct progress_state {
	struct progress p;
	bool copy_on;    /* the copy's percent (--progress, or a big file) */
	int last;
	const struct drive *d;
	double timeout_s;
};

static void progress(size_t done, size_t total, void *arg)
{
	struct progress_state *ps = arg;
	if (!ps->copy_on)
		return;
	int pct = (int)(done * 100 / (total ? total : 1));
	progress_show(&ps->p, pct / 25 != ps->last / 25 || done == total || ps->last < 0,
		      "  COPY    %3d%%  %zu/%zu KiB", pct, done >> 10, total >> 10);
	if (done == total)
		progress_end(&ps->p);
	ps->last = pct;
}

/* The countdown while the probe programs: one updating line on a terminal,
 * a line every 10 s otherwise. */
static void on_tick(void *arg, long elapsed_ms, bool left)
{
	struct progress_state *ps = arg;
	long left_s = (long)(ps->timeout_s - elapsed_ms / 1000.0 + 0.5);
	if (left_s < 0)
		left_s = 0;
	long secs = elapsed_ms / 1000;
	if (secs == ps->last)
		return;
	ps->last = (int)secs;
	progress_show(&ps->p, secs > 0 && secs % 10 == 0, "          %s: %s, %ld s left",
		      ps->d->label, left ? "away, the probe is programming" : "waiting for the probe to take the file",
		      left_s);
}

static void on_left(void *arg)
{
	struct progress_state *ps = arg;
	const struct drive *d = ps->d;
	progress_clear(&ps->p);
	if (!progress_silent())
	printf("  WAIT    %s disconnected: the probe is programming; waiting for the drive to come back\n",
	       d->label);
	fflush(stdout);
}

static int run(struct copy_args *a, struct fk_err *e)
{
	/* The same check as 'flashkit check' (check_file.h), before the drive is
	 * looked for: a .bin without --address goes to the start of flash,
	 * where the probe writes it. Without --flash only the file is read. */
	struct image img;
	image_init(&img);
	a->ck.has_bin_base = true;
	a->ck.bin_base = a->ck.has_flash ? a->ck.c.flash_base : DEFAULT_FLASH_BASE;
	int rc = check_file(a->path, &a->ck, &img, e);
	if (rc) {
		image_free(&img);
		return rc;
	}
	struct payload p = { 0 };
	rc = make_payload(a, &img, &p, e);
	uint32_t crc = image_crc32(&img);
	size_t imgbytes = image_total(&img);
	image_free(&img);
	if (rc)
		return rc;

	/* The mount table: opened now and kept open, so that poll() reports
	 * every change from here on, the drive's departure included. */
	int mfd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	struct mount_table before = { 0 };
	if (mfd >= 0 && (rc = mount_table_read(&before, mfd, e)) != 0)
		goto out;
	if (mfd < 0 && !a->drive_dir) {
		rc = fk_fail(e, FK_EUNAVAIL, "cannot read the mount table /proc/self/mountinfo: %s (is /proc mounted?); or give the drive with --drive DIR",
			     strerror(errno));
		goto out;
	}
	const char *sysfs = getenv("FLASHKIT_SYSFS");
	struct drive_query q = { .labels = a->labels, .nlabels = a->nlabels, .serial = a->serial,
				 .dev_disk = "/dev/disk", .usb_path = a->usb_path,
				 .sysfs = sysfs && *sysfs ? sysfs : "/sys" };
	struct drive found[MAX_FOUND];
	struct drive *d = &found[0];
	bool use_mountinfo = mfd >= 0;
	if (a->drive_dir) {
		bool mi = false;
		if ((rc = drive_from_dir(a, &before, d, &mi, e)) != 0)
			goto out;
		use_mountinfo = use_mountinfo && mi;
	} else {
		size_t n = drive_find(&before, &q, found, MAX_FOUND);
		if (n == 0) {
			rc = no_drive(a, &before, &q, e);
			goto out;
		}
		if (n > 1) {
			rc = several(a, found, n, e);
			goto out;
		}
	}

	int dirfd = drive_open_dir(d, e);
	if (dirfd < 0) {
		rc = e->code;
		goto out;
	}
	const char *name = drive_dest_name(p.hex);
	/* Our copy in the other format from an earlier run that the probe never
	 * took (old firmware ignores .hex) would only take space: remove it. */
	struct stat old;
	const char *other = drive_dest_name(!p.hex);
	if (fstatat(dirfd, other, &old, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(old.st_mode))
		unlinkat(dirfd, other, 0);
	struct statvfs vfs;
	if (fstatvfs(dirfd, &vfs) == 0 && vfs.f_frsize) {
		/* Our leftover from an earlier copy will be replaced, so it counts as free. */
		uint64_t reuse = fstatat(dirfd, name, &old, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(old.st_mode)
					 ? (uint64_t)old.st_blocks * 512 : 0;
		uint64_t avail = (uint64_t)vfs.f_bavail * vfs.f_frsize + reuse;
		if (avail < p.len) {
			close(dirfd);
			rc = fk_fail(e, FK_EIO,
				     "%s: No space left on device: %zu bytes to copy, %llu free at %s (earlier copies the probe never took fill it; a known ST-LINK firmware problem): unplug and replug the board, or update the ST-LINK firmware",
				     d->label, p.len, (unsigned long long)avail, d->point);
			goto out;
		}
	}
	if (!progress_silent())
	printf("  COPY    %s -> %s/%s (%s%s%s, %zu bytes%s)\n", a->path, d->point, name, d->label,
	       d->serial[0] ? ", serial " : "", d->serial, p.len,
	       p.converted ? (p.hex ? ", converted to hex" : ", converted to bin") : "");
	fflush(stdout);
	struct progress_state ps = { .last = -1, .d = d };
	progress_init(&ps.p, stderr, a->progress == 0 ? PROGRESS_OFF : progress_mode_for(2));
	if (a->progress == 1 && ps.p.mode == PROGRESS_OFF)
		ps.p.mode = PROGRESS_LINES;
	ps.copy_on = a->progress == 1 || (a->progress < 0 && p.len >= 256 * 1024);
	rc = drive_copy(dirfd, d->label, name, p.data, p.len, 64 * 1024, progress, &ps, e);
	close(dirfd);
	if (rc)
		goto out;

	double timeout = a->timeout_s > 0 ? a->timeout_s : 20.0 + 15.0 * (double)p.len / (1 << 20);
	if (!progress_silent())
	printf("  WAIT    %s: waiting for the probe to take the file, program the board and bring the drive back (up to %.0f s)\n",
	       d->label, timeout);
	fflush(stdout);
	struct wait_opts wo = {
		.mountinfo_fd = use_mountinfo ? mfd : -1,
		.before = &before,
		.drive = d,
		.q = &q,
		.file = name,
		.timeout_ms = (int)(timeout * 1000),
		.mount_grace_ms = (int)(a->grace_s * 1000),
		.on_left = on_left,
		.on_tick = ps.p.mode == PROGRESS_OFF ? NULL : on_tick,
		.arg = &ps,
	};
	struct wait_result r;
	ps.timeout_s = timeout;
	ps.last = -1;
	rc = drive_wait(&wo, &r, e);
	progress_clear(&ps.p);
	if (rc != 0)
		goto out;
	switch (r.outcome) {
	case WAIT_NEVER_LEFT:
		if (p.hex)
			rc = fk_fail(e, FK_ETIMEOUT,
				     "%s did not disconnect within %.0f s of the copy, so the probe did not take %s (still on the drive): old ST-LINK firmware cannot take .hex: use --as bin (make: CPY2REMED_FILE_TYPE=bin) or update the ST-LINK firmware (STSW-LINK007)",
				     d->label, timeout, name);
		else
			rc = fk_fail(e, FK_ETIMEOUT,
				     "%s did not disconnect within %.0f s of the copy, so the probe did not take %s (still on the drive): is it an ST-LINK/DAPLink drive? unplug and replug the board, update the ST-LINK firmware, or raise --timeout",
				     d->label, timeout, name);
		goto out;
	case WAIT_NOT_BACK:
		rc = fk_fail(e, FK_ETIMEOUT,
			     "%s disconnected (the probe took the file) but did not come back within %.0f s: the board may still be programming (raise --timeout) or may need a replug; then look for FAIL.TXT on the drive",
			     d->label, timeout);
		goto out;
	case WAIT_NOT_MOUNTED:
		rc = fk_fail(e, FK_EUNAVAIL,
			     "%s came back as %s but nothing mounted it (automounting off: headless or KDE?), so the result is unknown: mount it with 'udisksctl mount -b %s' and look for FAIL.TXT",
			     d->label, r.dev[0] ? r.dev : "a block device", r.dev[0] ? r.dev : "/dev/sdX");
		goto out;
	case WAIT_BACK:
		break;
	}
	int bfd = drive_open_dir(&r.back, e);
	if (bfd < 0) {
		rc = fk_fail(e, FK_EUNAVAIL, "%s came back at %s but cannot be read, so the result is unknown",
			     r.back.label, r.back.point);
		goto out;
	}
	char fail[1024];
	bool failed = drive_read_fail(bfd, fail, sizeof fail);
	close(bfd);
	if (failed) {
		bool hexish = p.hex && strcasestr(fail, "hex");
		/* The image passed the check before the copy: a FAIL.TXT now is the
		 * probe failing to program (flash failed, 74), not a bad image. */
		rc = fk_fail(e, FK_EIO, "%s: programming FAILED, the probe's FAIL.TXT says: %s%s", r.back.label,
			     fail, hexish ? " (old ST-LINK firmware cannot take .hex: try --as bin)" : "");
		goto out;
	}
	if (!progress_silent())
	printf("  OK      %s came back without FAIL.TXT after %.2f s: %s flashed (%zu bytes of image, CRC32 0x%08x)\n",
	       r.back.label, r.back_ms / 1000.0, a->path, imgbytes, crc);
	rc = 0;
out:
	free(p.data);
	mount_table_free(&before);
	if (mfd >= 0)
		close(mfd);
	return rc;
}

int cmd_copy(int argc, char **argv)
{
	struct fk_err e = { 0 };
	struct copy_args a;
	int rc = parse_args(&a, argc, argv, &e);
	if (rc < 0)
		return 0;
	if (rc)
		return fk_report(&e);
	rc = run(&a, &e);
	/* A failed check has printed its lines already, and left e empty. */
	return rc && e.code ? fk_report(&e) : rc;
}
