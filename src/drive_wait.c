#include "drive_wait.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "drive_copy.h"

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Is our copied file still in the directory at point? (It is gone once the
 * probe has re-enumerated: the drive is a fresh file system then.) */
static bool file_still_there(const char *point, const char *file)
{
	char path[2 * DRIVE_STR];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", point, file);
	return fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT;
}

static bool looks_like_probe_drive(const char *point)
{
	int fd = open(point, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	bool yes = drive_has_file(fd, "MBED.HTM", NULL, 0) || drive_has_file(fd, "DETAILS.TXT", NULL, 0) ||
		   drive_has_file(fd, "FAIL.TXT", NULL, 0);
	close(fd);
	return yes;
}

/* No mount table to watch: look at the directory five times a second. */
static int gentle_poll(const struct wait_opts *o, struct wait_result *r)
{
	long start = now_ms();
	for (;;) {
		long t = now_ms() - start;
		if (r->left_ms < 0 && !file_still_there(o->drive->point, o->file)) {
			r->left_ms = t;
			if (o->on_left)
				o->on_left(o->arg);
		}
		if (r->left_ms >= 0 && looks_like_probe_drive(o->drive->point)) {
			r->back_ms = t;
			r->back = *o->drive;
			r->outcome = WAIT_BACK;
			return 0;
		}
		if (t >= o->timeout_ms) {
			r->outcome = r->left_ms < 0 ? WAIT_NEVER_LEFT : WAIT_NOT_BACK;
			return 0;
		}
		if (o->on_tick)
			o->on_tick(o->arg, t, r->left_ms >= 0);
		struct timespec ts = { 0, 200 * 1000000L };
		nanosleep(&ts, NULL);
		r->wakeups++;
	}
}

/* One look at the mount table: has the drive left, is it back? Returns
 * 1 when it is back (r->back filled), 0 if not yet, -1 on a read error. */
static int look_at_table(const struct wait_opts *o, const struct drive_query *q,
			 struct mount_table *now, struct wait_result *r, bool *absent_seen, long t,
			 struct fk_err *e)
{
	const struct drive *d = o->drive;
	if (mount_table_read(now, o->mountinfo_fd, e) != 0)
		return -1;
	const struct mount_entry *m = mount_by_id(now, d->mount_id);
	bool same = m && m->major == d->major && m->minor == d->minor &&
		    strcmp(m->point, d->point) == 0;
	*absent_seen |= !m;
	if (!same && r->left_ms < 0) {
		r->left_ms = t;
		if (o->on_left)
			o->on_left(o->arg);
	}
	struct drive c[8];
	size_t n = drive_find(now, q, c, 8);
	int pick = -1;
	for (size_t i = 0; i < n && i < 8; i++) {
		/* A mount id of the table before the copy names another mount
		 * now when the kernel has recycled it: two drives re-mounting at
		 * once (flash-bench) swap their ids. Same id, other place or
		 * device: a fresh mount too. */
		const struct mount_entry *old = mount_by_id(o->before, c[i].mount_id);
		bool fresh = !old || old->major != c[i].major || old->minor != c[i].minor ||
			     strcmp(old->point, c[i].point) != 0;
		/* Mount ids are reused: the same id is the drive back only if
		 * it was seen gone, or our file has vanished (gone and back
		 * between two looks at the table). */
		bool reused = c[i].mount_id == d->mount_id &&
			      (*absent_seen || !file_still_there(c[i].point, o->file));
		if ((fresh || reused) && (pick < 0 || strcmp(c[i].point, d->point) == 0))
			pick = (int)i;
	}
	if (pick < 0)
		return 0;
	/* Left and came back between two looks at the table. */
	if (r->left_ms < 0) {
		r->left_ms = t;
		if (o->on_left)
			o->on_left(o->arg);
	}
	r->back = c[pick];
	r->back_ms = t;
	r->outcome = WAIT_BACK;
	return 1;
}

int drive_wait(const struct wait_opts *o, struct wait_result *r, struct fk_err *e)
{
	memset(r, 0, sizeof *r);
	r->left_ms = r->back_ms = -1;
	if (o->mountinfo_fd < 0)
		return gentle_poll(o, r);

	const struct drive *d = o->drive;
	struct drive_query q = *o->q;
	/* Once the serial is known it is the best way to recognise the drive,
	 * whatever name or mount point it comes back with. */
	if (d->serial[0])
		q.serial = d->serial;
	/* A drive given by directory (--drive) and no label: its own name. */
	const char *own[1] = { d->label };
	if ((!q.serial || !*q.serial) && q.nlabels == 0) {
		q.labels = own;
		q.nlabels = 1;
	}
	long start = now_ms(), deadline = start + o->timeout_ms, grace_end = -1;
	bool absent_seen = false;
	struct mount_table now = { 0 };
	int rc = 0;

	bool changed = true; /* the table may have changed: look again */
	for (;;) {
		long t = now_ms();
		if (changed) {
			int got = look_at_table(o, &q, &now, r, &absent_seen, t - start, e);
			if (got < 0) {
				rc = e->code;
				break;
			}
			if (got > 0)
				break;
		}
		/* Gone from the mount table: is the device back without a
		 * mount? A disconnected probe has no device node, so a link in
		 * /dev/disk means it re-enumerated; give the automounter
		 * mount_grace_ms before saying so. */
		bool present = false;
		if (r->left_ms >= 0) {
			present = drive_device_present(q.dev_disk, q.labels, q.nlabels, q.serial, r->dev,
						       sizeof r->dev);
			if (!present)
				grace_end = -1;
			else if (grace_end < 0)
				grace_end = t + o->mount_grace_ms;
		}
		if (grace_end >= 0 && t >= grace_end && present) {
			r->outcome = WAIT_NOT_MOUNTED;
			break;
		}
		if (t >= deadline) {
			if (r->left_ms < 0)
				r->outcome = WAIT_NEVER_LEFT;
			else
				r->outcome = present ? WAIT_NOT_MOUNTED : WAIT_NOT_BACK;
			break;
		}
		long until = deadline;
		if (grace_end >= 0 && grace_end < until)
			until = grace_end;
		/* While the drive is away, look at /dev/disk once a second:
		 * a device coming back unmounted changes no mount table. (An
		 * inotify watch would do it without the look, but closing one
		 * costs a ~15 ms RCU wait at exit, most of our reaction time.) */
		if (r->left_ms >= 0 && until > t + 1000)
			until = t + 1000;
		/* A countdown: wake at the next whole second of the wait. */
		if (o->on_tick) {
			o->on_tick(o->arg, t - start, r->left_ms >= 0);
			long next = start + ((t - start) / 1000 + 1) * 1000;
			if (next < until)
				until = next;
		}
		struct pollfd p = { .fd = o->mountinfo_fd, .events = POLLPRI };
		int k = poll(&p, 1, (int)(until - t > 0 ? until - t : 0));
		if (k < 0 && errno != EINTR) {
			rc = fk_fail(e, FK_EINTERNAL, "waiting for the drive: poll: %s", strerror(errno));
			break;
		}
		r->wakeups++;
		changed = k > 0 && (p.revents & (POLLPRI | POLLERR));
	}
	mount_table_free(&now);
	return rc;
}
