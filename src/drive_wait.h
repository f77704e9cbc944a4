/* Waiting for a drive to leave and come back after a copy, without
 * busy-polling: poll() on /proc/self/mountinfo wakes with POLLPRI whenever
 * the mount table changes; while the drive is away, /dev/disk/by-id and
 * by-label are looked at once a second to see a device that came back but
 * was not mounted. Where there is no
 * mount table to watch (a Windows drive letter under WSL, given with
 * --drive) a gentle poll of the directory stands in. */
#ifndef FK_DRIVE_WAIT_H
#define FK_DRIVE_WAIT_H

#include "drive_find.h"
#include "err.h"

enum wait_outcome {
	WAIT_BACK,         /* left and came back: look for FAIL.TXT */
	WAIT_NEVER_LEFT,   /* timeout; the drive never disconnected */
	WAIT_NOT_BACK,     /* timeout; it left and never came back */
	WAIT_NOT_MOUNTED,  /* it re-enumerated (device present) but was not mounted */
};

struct wait_opts {
	int mountinfo_fd;                  /* open, read once before the copy; -1: gentle poll */
	const struct mount_table *before;  /* the table the drive was found in */
	const struct drive *drive;         /* the drive the file went to */
	const struct drive_query *q;       /* how to recognise it when it is back */
	const char *file;                  /* the name copied onto the drive */
	int timeout_ms;
	int mount_grace_ms;                /* device back but unmounted for this long: report it */
	void (*on_left)(void *arg);        /* called once when the drive goes away */
	/* Called about once a second while waiting (a countdown); NULL: no ticks. */
	void (*on_tick)(void *arg, long elapsed_ms, bool left);
	void *arg;
};

struct wait_result {
	enum wait_outcome outcome;
	struct drive back;                 /* WAIT_BACK: where it is now */
	char dev[DRIVE_STR];               /* WAIT_NOT_MOUNTED: the device node */
	long left_ms, back_ms;             /* since the wait began; -1 if not seen */
	unsigned wakeups;                  /* poll() returns, for the benchmark */
};

int drive_wait(const struct wait_opts *o, struct wait_result *r, struct fk_err *e);

#endif
