/* vdrive: a virtual ST-LINK drive, and a runner that puts any command in
 * the world where that drive is plugged in.
 *
 *   vdrive run [options] -- COMMAND [ARGS...]
 *
 * Inside a private mount namespace (nothing reaches the host's mounts) a
 * tmpfs that names itself /dev/sdb is mounted at /media/USER/LABEL with
 * MBED.HTM and DETAILS.TXT, and /dev/disk/by-id and by-label hold its links.
 * A watcher (inotify) sees a .bin or .hex being written; when the writes
 * have gone idle it "programs" the file into a flash file of the board's
 * size, the drive disconnects (unmount, links gone) and after a delay comes
 * back as a fresh file system without the file, with FAIL.TXT in the probe's
 * words if the input was bad. Each mount appears whole (built detached with
 * fsopen/fsmount, then move_mount), as a real FAT volume does: whoever sees
 * the mount also sees its files. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vdrive_ns.h"
#include "vdrive_probe.h"
#include "verdict.h"
#include "vflash.h"

#define MAX_DRIVES 2

struct opts {
	uint32_t base, size;
	const char *layout;
	const char *label;
	const char *flash_file[MAX_DRIVES];
	const char *serial[MAX_DRIVES];
	const char *usb_path[MAX_DRIVES];
	char user[64];
	const char *mount_base;     /* "/media": drives at /media/USER/LABEL; else BASE/LABEL */
	double remount_delay, slow_delay, idle;
	bool never, slow, fail_next, two, no_automount, full, old_firmware;
	const char *log;
	bool verbose, quiet;
};

struct vdrv {
	int idx;
	char label[64];
	char point[512];
	char dev[32];               /* "/dev/sdb" */
	char by_id[256], by_label[256];
	char serial[64];
	struct vflash fl;
	int wd;
	bool mounted;
	bool fail_next;
	long program_at, remount_at; /* ms, -1 = not scheduled */
	char pending[256];
	char fail_text[512];
	unsigned remounts;
	uint64_t drive_bytes;
};

static struct opts O;
/* --run: after programming, the probe resets the target and the mcu model runs it. */
static struct vboard_run_opt RUN;
static struct vdrv D[MAX_DRIVES];
static int nd;
static int ifd = -1;

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One line in --log with a CLOCK_MONOTONIC time stamp (the benchmark reads
 * "attached" to time flashkit's reaction). */
static void logev(const struct vdrv *d, const char *ev)
{
	if (!O.log)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	FILE *f = fopen(O.log, "a");
	if (!f)
		return;
	fprintf(f, "%ld.%09ld %s %s\n", (long)ts.tv_sec, ts.tv_nsec, d->label, ev);
	fclose(f);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	if (O.quiet)
		return;
	/* One write per line: the command beside us writes to the same
	 * stderr, and its lines must not be cut in two by ours. */
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line + 8, sizeof line - 9, fmt, ap);
	va_end(ap);
	memcpy(line, "vdrive: ", 8);
	size_t len = 8 + (n < 0 ? 0 : (size_t)n < sizeof line - 9 ? (size_t)n : sizeof line - 10);
	line[len++] = '\n';
	if (write(2, line, len) < 0)
		return;
}

static int put_file(int dirfd, const char *name, const char *text)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static void links_add(struct vdrv *d)
{
	char target[64];
	snprintf(target, sizeof target, "../..%s", d->dev + 4); /* "../../sdb" */
	symlink(target, d->by_id);
	if (d->by_label[0])
		symlink(target, d->by_label);
}

static void links_remove(struct vdrv *d)
{
	unlink(d->by_id);
	if (d->by_label[0])
		unlink(d->by_label);
}

/* Build the file system detached, fill it, then move it into place. */
static int attach(struct vdrv *d)
{
	links_add(d);
	if (d->remounts > 0 && O.no_automount) {
		say("%s: back as %s, not mounted (fault no-automount)", d->label, d->dev);
		logev(d, "enumerated");
		return 0;
	}
	char size[32];
	snprintf(size, sizeof size, "%llu", (unsigned long long)d->drive_bytes);
	int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "source", d->dev, 0) != 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "size", size, 0) != 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) != 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) != 0) {
		fprintf(stderr, "vdrive: cannot create the drive's file system (fsopen/fsconfig, Linux >= 5.2): %s\n",
			strerror(errno));
		return -1;
	}
	int mfd = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	close(fs);
	if (mfd < 0) {
		fprintf(stderr, "vdrive: fsmount: %s\n", strerror(errno));
		return -1;
	}
	char details[512];
	snprintf(details, sizeof details,
		 "Version: V2J40M27\r\nBuild:   vdrive (flashkit virtual ST-LINK)\r\n"
		 "Unique ID: %s\r\nRemount count: %u\r\n",
		 d->serial, d->remounts);
	int rc = put_file(mfd, "MBED.HTM",
			  "<!-- mbed Microcontroller Website and Authentication Shortcut -->\r\n"
			  "<html><head><meta http-equiv=\"refresh\" content=\"0; "
			  "URL=https://os.mbed.com/platforms/ST-Nucleo-F401RE/\"/>"
			  "<title>mbed Website Shortcut</title></head><body></body></html>\r\n");
	rc |= put_file(mfd, "DETAILS.TXT", details);
	if (d->fail_text[0])
		rc |= put_file(mfd, "FAIL.TXT", d->fail_text);
	if (rc != 0)
		fprintf(stderr, "vdrive: %s: cannot write the drive's files: %s\n", d->label, strerror(errno));
	mkdir(d->point, 0755);
	/* The command may see the mount, finish and have us killed at once:
	 * hold SIGTERM until the event is logged (the benchmark reads it). */
	sigset_t term, old;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, &old);
	if (move_mount(mfd, "", AT_FDCWD, d->point, MOVE_MOUNT_F_EMPTY_PATH) != 0) {
		fprintf(stderr, "vdrive: move_mount %s: %s\n", d->point, strerror(errno));
		close(mfd);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return -1;
	}
	logev(d, "attached");
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(mfd);
	d->mounted = true;
	d->wd = inotify_add_watch(ifd, d->point, IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_TO);
	if (d->remounts)
		say("%s: back at %s%s", d->label, d->point, d->fail_text[0] ? " with FAIL.TXT" : "");
	return 0;
}

static void detach(struct vdrv *d)
{
	if (d->mounted) {
		inotify_rm_watch(ifd, d->wd);
		d->wd = -1;
	}
	links_remove(d);
	if (d->mounted && umount2(d->point, MNT_DETACH) != 0)
		fprintf(stderr, "vdrive: umount %s: %s\n", d->point, strerror(errno));
	rmdir(d->point);
	d->mounted = false;
	d->remounts++;
	logev(d, "detached");
}

static bool wanted_name(const char *n)
{
	size_t l = strlen(n);
	/* Old ST-LINK/V2-1 firmware takes only .bin: a .hex just sits there. */
	return n[0] != '.' && l > 4 &&
	       (!strcasecmp(n + l - 4, ".bin") || (!strcasecmp(n + l - 4, ".hex") && !O.old_firmware));
}

static void program(struct vdrv *d)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", d->point, d->pending);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return; /* gone again, or not a file: nothing to program */
	}
	uint8_t *buf = malloc((size_t)st.st_size + 1);
	size_t len = 0;
	ssize_t r;
	while (buf && len < (size_t)st.st_size && (r = read(fd, buf + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)r;
	close(fd);
	bool hex = !strcasecmp(d->pending + strlen(d->pending) - 4, ".hex");
	struct probe_result res;
	if (d->fail_next) {
		memset(&res, 0, sizeof res);
		res.error = PROBE_MSG_RESET;
		res.type = "target";
		d->fail_next = false;
	} else if (!buf) {
		memset(&res, 0, sizeof res);
		res.error = PROBE_MSG_WRITE;
		res.type = "interface";
	} else {
		probe_program(&d->fl, buf, len, hex, &res);
	}
	free(buf);
	d->fail_text[0] = 0;
	if (res.ok) {
		say("%s: programmed %s: %zu bytes at 0x%08x..0x%08x, re-enumerating", d->label, d->pending,
		    res.bytes, res.low, res.high);
		logev(d, "programmed");
	} else {
		probe_fail_text(&res, d->fail_text, sizeof d->fail_text);
		say("%s: %s refused: %s", d->label, d->pending, res.error);
		logev(d, "failed");
	}
	d->pending[0] = 0;
	detach(d);
	if (O.never) {
		say("%s: never coming back (fault never-remount)", d->label);
		d->remount_at = -1;
	} else {
		d->remount_at = now_ms() + (long)((O.slow ? O.slow_delay : O.remount_delay) * 1000);
	}
	if (res.ok && RUN.set) {
		/* The probe resets the target: it boots from the flash base. The
		 * result goes to a file; the runner prints it at exit. */
		vboard_run_at(&RUN, &d->fl, O.base, "reset after programming", NULL, NULL);
		say("%s: target reset: %s", d->label, RUN.last.verdict);
	}
}

static struct vdrv *by_wd(int wd)
{
	for (int i = 0; i < nd; i++)
		if (D[i].mounted && D[i].wd == wd)
			return &D[i];
	return NULL;
}

static void watch_loop(void)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	for (;;) {
		long t = now_ms(), next = -1;
		for (int i = 0; i < nd; i++) {
			if (D[i].program_at >= 0 && (next < 0 || D[i].program_at < next))
				next = D[i].program_at;
			if (D[i].remount_at >= 0 && (next < 0 || D[i].remount_at < next))
				next = D[i].remount_at;
		}
		struct pollfd p = { .fd = ifd, .events = POLLIN };
		int k = poll(&p, 1, next < 0 ? -1 : (int)(next > t ? next - t : 0));
		if (k < 0 && errno != EINTR)
			_exit(1);
		if (k > 0) {
			ssize_t n = read(ifd, buf, sizeof buf);
			for (ssize_t off = 0; n > 0 && off < n;) {
				struct inotify_event *ev = (struct inotify_event *)(buf + off);
				off += (ssize_t)sizeof *ev + ev->len;
				struct vdrv *d = by_wd(ev->wd);
				if (!d || !ev->len || !wanted_name(ev->name))
					continue;
				if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) {
					snprintf(d->pending, sizeof d->pending, "%s", ev->name);
					d->program_at = now_ms() + (long)(O.idle * 1000);
				} else if ((ev->mask & IN_MODIFY) && !strcmp(ev->name, d->pending)) {
					d->program_at = now_ms() + (long)(O.idle * 1000);
				}
			}
		}
		t = now_ms();
		for (int i = 0; i < nd; i++) {
			if (D[i].program_at >= 0 && t >= D[i].program_at) {
				D[i].program_at = -1;
				program(&D[i]);
			}
			if (D[i].remount_at >= 0 && t >= D[i].remount_at) {
				D[i].remount_at = -1;
				attach(&D[i]);
			}
		}
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vdrive run [options] -- COMMAND [ARGS...]\n"
		"\n"
		"Run COMMAND in a private mount namespace where a virtual ST-LINK drive is\n"
		"plugged in (as root, or without root where user namespaces are allowed).\n"
		"\n"
		"  --board-flash BASE:SIZE   target flash (default 0x08000000:512K)\n"
		"  --layout L                sector layout, e.g. 4*16K,1*64K,3*128K (default uniform)\n"
		"  --label L                 volume label (default NODE_F401RE)\n"
		"  --flash-file PATH         the target's flash, kept in this file (required)\n"
		"  --flash-file2 PATH        the second drive's flash (two-drives; default PATH.2)\n"
		"  --serial SN, --serial2 SN USB serials (by-id links)\n"
		"  --usb-path P, --usb-path2 P  the probes' USB port paths: a small sysfs (the ST-LINK\n"
		"                            V2-1 0483:374b and the drive's block device under it) is\n"
		"                            made in the namespace and FLASHKIT_SYSFS names it\n"
		"  --user NAME               /media/NAME/LABEL (default $SUDO_USER, $USER or root)\n"
		"  --mount-base DIR          mount at DIR/LABEL instead (e.g. /mnt; a tmpfs covers DIR)\n"
		"  --remount-delay S         seconds off the bus after programming (default 0.3)\n"
		"  --slow-delay S            the same with --fault slow-remount (default 5)\n"
		"  --idle S                  quiet time after the last write before programming (default 0.05)\n"
		"  --fault F                 never-remount | slow-remount | fail-next | two-drives |\n"
		"                            no-automount | full | old-firmware (ignores .hex)\n"
		"                            (may be repeated)\n"
		"  --log FILE                append events with CLOCK_MONOTONIC time stamps\n"
		"  --run SPEC                after programming, run the image on the mcu model and print\n"
		"                            the verdict at the end (exit 65 when it does not run)\n"
		"  -q                        say nothing but errors; -v say more\n"
		"\n"
		"Exit: COMMAND's status; 69 if the drive cannot be set up; 64 usage.\n");
}

static bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);
	if (end == s)
		return false;
	if (*end == 'K' || *end == 'k')
		v *= 1024, end++;
	else if (*end == 'M' || *end == 'm')
		v *= 1024 * 1024, end++;
	if (*end)
		return false;
	*out = v;
	return true;
}

static int parse(int argc, char **argv, int *cmd)
{
	O.base = 0x08000000;
	O.size = 512 * 1024;
	O.label = "NODE_F401RE";
	O.serial[0] = "0671FF485550755187121723";
	O.serial[1] = "0672FF485550755187125544";
	O.remount_delay = 0.3;
	O.slow_delay = 5;
	O.mount_base = "/media";
	O.idle = 0.05;
	const char *u = getenv("SUDO_USER");
	if (!u || !*u)
		u = getenv("USER");
	if (!u || !*u || strchr(u, '/') || u[0] == '.')
		u = "root";
	snprintf(O.user, sizeof O.user, "%s", u);
	if (argc < 2 || strcmp(argv[1], "run") != 0) {
		usage(argc >= 2 && !strcmp(argv[1], "--help") ? stdout : stderr);
		return argc >= 2 && !strcmp(argv[1], "--help") ? 0 : 64;
	}
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--")) {
			*cmd = i + 1;
			break;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(a, "-q")) {
			O.quiet = true;
			continue;
		}
		if (!strcmp(a, "-v")) {
			O.verbose = true;
			continue;
		}
		if (!v) {
			fprintf(stderr, "vdrive: %s needs a value\n", a);
			return 64;
		}
		i++;
		if (!strcmp(a, "--board-flash")) {
			const char *c = strchr(v, ':');
			char b[32];
			uint64_t base, size;
			if (!c || (size_t)(c - v) >= sizeof b) {
				fprintf(stderr, "vdrive: --board-flash BASE:SIZE\n");
				return 64;
			}
			memcpy(b, v, (size_t)(c - v));
			b[c - v] = 0;
			if (!parse_size(b, &base) || !parse_size(c + 1, &size) || !size ||
			    base + size > 0x100000000ull) {
				fprintf(stderr, "vdrive: bad --board-flash %s\n", v);
				return 64;
			}
			O.base = (uint32_t)base;
			O.size = (uint32_t)size;
		} else if (!strcmp(a, "--layout")) {
			O.layout = v;
		} else if (!strcmp(a, "--label")) {
			if (strchr(v, '/') || !*v || strlen(v) > 11) {
				fprintf(stderr, "vdrive: --label: a FAT label of 1 to 11 characters, no '/'\n");
				return 64;
			}
			O.label = v;
		} else if (!strcmp(a, "--flash-file")) {
			O.flash_file[0] = v;
		} else if (!strcmp(a, "--flash-file2")) {
			O.flash_file[1] = v;
		} else if (!strcmp(a, "--serial") || !strcmp(a, "--serial2")) {
			if (strchr(v, '/') || strchr(v, '_') || strchr(v, '-') || !*v || strlen(v) > 60) {
				fprintf(stderr, "vdrive: %s: letters and digits only\n", a);
				return 64;
			}
			O.serial[a[8] == '2'] = v;
		} else if (!strcmp(a, "--usb-path") || !strcmp(a, "--usb-path2")) {
			if (!*v || strspn(v, "0123456789-.") != strlen(v) || strlen(v) > 30) {
				fprintf(stderr, "vdrive: %s: a USB port path such as 1-2.3\n", a);
				return 64;
			}
			O.usb_path[a[10] == '2'] = v;
		} else if (!strcmp(a, "--user")) {
			if (strchr(v, '/') || !*v || v[0] == '.') {
				fprintf(stderr, "vdrive: bad --user\n");
				return 64;
			}
			snprintf(O.user, sizeof O.user, "%s", v);
		} else if (!strcmp(a, "--remount-delay") || !strcmp(a, "--slow-delay") || !strcmp(a, "--idle")) {
			char *end;
			double s = strtod(v, &end);
			if (end == v || *end || s < 0 || s > 3600) {
				fprintf(stderr, "vdrive: %s SECONDS\n", a);
				return 64;
			}
			*(a[2] == 'r' ? &O.remount_delay : a[2] == 's' ? &O.slow_delay : &O.idle) = s;
		} else if (!strcmp(a, "--fault")) {
			if (!strcmp(v, "never-remount"))
				O.never = true;
			else if (!strcmp(v, "slow-remount"))
				O.slow = true;
			else if (!strcmp(v, "fail-next"))
				O.fail_next = true;
			else if (!strcmp(v, "two-drives"))
				O.two = true;
			else if (!strcmp(v, "no-automount"))
				O.no_automount = true;
			else if (!strcmp(v, "full"))
				O.full = true;
			else if (!strcmp(v, "old-firmware"))
				O.old_firmware = true;
			else {
				fprintf(stderr, "vdrive: unknown fault '%s' (never-remount, slow-remount, fail-next, two-drives, no-automount, full, old-firmware)\n", v);
				return 64;
			}
		} else if (!strcmp(a, "--mount-base")) {
			if (v[0] != '/' || strstr(v, "..") || strlen(v) > 200 || !strcmp(v, "/") ||
			    !strncmp(v, "/dev", 4) || !strncmp(v, "/proc", 5)) {
				fprintf(stderr, "vdrive: --mount-base: an absolute directory such as /mnt\n");
				return 64;
			}
			O.mount_base = v;
		} else if (!strcmp(a, "--log")) {
			O.log = v;
		} else if (!strcmp(a, "--run")) {
			char msg[256];
			if (vboard_run_option(&RUN, v, msg, sizeof msg) != 0) {
				fprintf(stderr, "vdrive: %s\n", msg);
				return 64;
			}
		} else {
			fprintf(stderr, "vdrive: unknown option '%s' (see vdrive --help)\n", a);
			return 64;
		}
	}
	if (!*cmd || *cmd >= argc) {
		fprintf(stderr, "vdrive: no command: vdrive run [options] -- COMMAND\n");
		return 64;
	}
	if (!O.flash_file[0]) {
		fprintf(stderr, "vdrive: --flash-file PATH is required (the virtual target's flash)\n");
		return 64;
	}
	return -1;
}

static int setup_drive(int i, char *msg, size_t msglen)
{
	struct vdrv *d = &D[i];
	memset(d, 0, sizeof *d);
	d->idx = i;
	d->wd = -1;
	d->program_at = d->remount_at = -1;
	d->fail_next = O.fail_next;
	snprintf(d->label, sizeof d->label, "%s", O.label);
	/* udisks mounts a second drive of the same label at LABEL1. */
	if (!strcmp(O.mount_base, "/media"))
		snprintf(d->point, sizeof d->point, "/media/%s/%s%s", O.user, O.label, i ? "1" : "");
	else
		snprintf(d->point, sizeof d->point, "%s/%s%s", O.mount_base, O.label, i ? "1" : "");
	snprintf(d->dev, sizeof d->dev, "/dev/sd%c", 'b' + i);
	snprintf(d->serial, sizeof d->serial, "%s", O.serial[i]);
	snprintf(d->by_id, sizeof d->by_id, "/dev/disk/by-id/usb-MBED_microcontroller_%s-0:0", d->serial);
	/* by-label holds one link per label; udev keeps one of the two, and
	 * escapes what is not plain (a space is \x20). */
	if (i == 0) {
		size_t w = (size_t)snprintf(d->by_label, sizeof d->by_label, "/dev/disk/by-label/");
		for (const char *c = O.label; *c && w + 5 < sizeof d->by_label; c++) {
			if (strchr("#+-.:=@_", *c) || (*c >= '0' && *c <= '9') ||
			    (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z'))
				d->by_label[w++] = *c;
			else
				w += (size_t)snprintf(d->by_label + w, 5, "\\x%02x", (unsigned char)*c);
		}
		d->by_label[w] = 0;
	}
	d->drive_bytes = O.full ? 8192 : (uint64_t)O.size + 256 * 1024;
	char path[1024];
	if (i == 0 || O.flash_file[1])
		snprintf(path, sizeof path, "%s", O.flash_file[i]);
	else
		snprintf(path, sizeof path, "%s.2", O.flash_file[0]);
	char layout[64];
	if (!O.layout) {
		/* Uniform sectors, at most VFLASH_MAX_SECTORS of them. */
		uint32_t s = 1024;
		while (O.size / s > VFLASH_MAX_SECTORS || O.size % s)
			s *= 2;
		if (O.size % s) {
			snprintf(msg, msglen, "flash size %u has no uniform layout; give --layout", O.size);
			return -1;
		}
		snprintf(layout, sizeof layout, "%u*%uK", O.size / s, s / 1024);
	}
	char m[256];
	if (vflash_open(&d->fl, path, O.base, O.layout ? O.layout : layout, m, sizeof m) != 0) {
		snprintf(msg, msglen, "flash file %.200s: %.200s", path, m);
		return -1;
	}
	if (d->fl.size != O.size) {
		snprintf(msg, msglen, "--layout %s adds up to %u bytes, --board-flash says %u", O.layout,
			 d->fl.size, O.size);
		return -1;
	}
	return 0;
}

static int put_attr(const char *dir, const char *name, const char *val)
{
	char p[1024];
	snprintf(p, sizeof p, "%.900s/%.100s", dir, name);
	FILE *f = fopen(p, "w");
	if (!f)
		return -1;
	fprintf(f, "%s\n", val);
	return fclose(f);
}

static int mkdir_p(const char *path)
{
	char p[1024];
	snprintf(p, sizeof p, "%s", path);
	for (char *c = p + 1; *c; c++)
		if (*c == '/') {
			*c = 0;
			if (mkdir(p, 0755) && errno != EEXIST)
				return -1;
			*c = '/';
		}
	return mkdir(p, 0755) && errno != EEXIST ? -1 : 0;
}

/* --usb-path: where the probes sit on USB, as sysfs would say it, in a tree
 * of our own on the namespace's /dev tmpfs (the host's sysfs is left alone):
 * bus/usb/devices/P is the ST-LINK V2-1 (0483:374b, its serial), and
 * class/block/sdX leads to the drive's block device under it. FLASHKIT_SYSFS
 * tells flashkit to read this tree instead of /sys. */
static int fake_sysfs(void)
{
	const char *root = "/dev/.vdrive-sys";
	char d[1024], l[1024], t[1024];
	for (int i = 0; i < nd; i++) {
		const char *p = O.usb_path[i];
		if (!p)
			continue;
		const char *dev = strrchr(D[i].dev, '/') + 1;
		snprintf(d, sizeof d, "%s/devices/usb1/%s/%s:1.1/host%d/block/%s", root, p, p, i, dev);
		if (mkdir_p(d) != 0)
			return -1;
		snprintf(d, sizeof d, "%s/devices/usb1/%s", root, p);
		if (put_attr(d, "idVendor", "0483") || put_attr(d, "idProduct", "374b") ||
		    put_attr(d, "serial", D[i].serial) || put_attr(d, "busnum", "1") ||
		    put_attr(d, "product", "STM32 STLink") ||
		    put_attr(d, "devnum", i ? "6" : "5"))
			return -1;
		snprintf(l, sizeof l, "%s/bus/usb/devices", root);
		snprintf(t, sizeof t, "%s/class/block", root);
		if (mkdir_p(l) || mkdir_p(t))
			return -1;
		snprintf(l, sizeof l, "%s/bus/usb/devices/%s", root, p);
		snprintf(t, sizeof t, "../../../devices/usb1/%s", p);
		if (symlink(t, l) && errno != EEXIST)
			return -1;
		snprintf(l, sizeof l, "%s/class/block/%s", root, dev);
		snprintf(t, sizeof t, "../../devices/usb1/%s/%s:1.1/host%d/block/%s", p, p, i, dev);
		if (symlink(t, l) && errno != EEXIST)
			return -1;
		setenv("FLASHKIT_SYSFS", root, 1);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int cmd = 0;
	int rc = parse(argc, argv, &cmd);
	if (rc >= 0)
		return rc;
	char msg[512];
	nd = O.two ? 2 : 1;
	for (int i = 0; i < nd; i++)
		if (setup_drive(i, msg, sizeof msg) != 0) {
			fprintf(stderr, "vdrive: %s\n", msg);
			return 64;
		}
	if (ns_enter(msg, sizeof msg) != 0 || ns_setup(O.mount_base, strcmp(O.mount_base, "/media") ? NULL : O.user, O.verbose, msg, sizeof msg) != 0) {
		fprintf(stderr, "vdrive: %s\n", msg);
		return 69;
	}
	ifd = inotify_init1(IN_CLOEXEC);
	if (ifd < 0) {
		fprintf(stderr, "vdrive: inotify: %s\n", strerror(errno));
		return 69;
	}
	for (int i = 0; i < nd; i++)
		if (attach(&D[i]) != 0)
			return 69;
	if (fake_sysfs() != 0) {
		fprintf(stderr, "vdrive: --usb-path: cannot build the sysfs view: %s\n", strerror(errno));
		return 69;
	}
	if (O.verbose)
		for (int i = 0; i < nd; i++)
			say("%s at %s (%s, serial %s), flash %s", D[i].label, D[i].point, D[i].dev, D[i].serial,
			    O.flash_file[i] ? O.flash_file[i] : "(second)");
	fflush(NULL);
	/* Ctrl-C goes to the whole process group: let the command (make) end in
	 * its own way and the watcher keep the drive alive meanwhile, then clean
	 * up and die of the same signal, like system(3). Dying at once would leave
	 * make without its drive and, as a session leader, hang it up. */
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	pid_t watcher = fork();
	if (watcher < 0) {
		perror("vdrive: fork");
		return 69;
	}
	if (watcher == 0) {
		/* Die with the runner rather than outlive it. */
		watch_loop();
		_exit(0);
	}
	pid_t child = fork();
	if (child < 0) {
		perror("vdrive: fork");
		kill(watcher, SIGTERM);
		return 69;
	}
	if (child == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		execvp(argv[cmd], argv + cmd);
		fprintf(stderr, "vdrive: cannot run %s: %s\n", argv[cmd], strerror(errno));
		_exit(127);
	}
	int st = 0;
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	kill(watcher, SIGTERM);
	waitpid(watcher, NULL, 0);
	for (int i = 0; i < nd; i++)
		vflash_close(&D[i].fl);
	if (WIFSIGNALED(st)) {
		int sig = WTERMSIG(st);
		if (sig == SIGINT || sig == SIGQUIT) {
			signal(sig, SIG_DFL);
			raise(sig);
		}
		return 128 + sig;
	}
	return vboard_run_finish(&RUN, WEXITSTATUS(st), stdout);
}
