/* Writing one file onto a drive that has been identified, and reading what
 * the probe leaves there (FAIL.TXT). Everything goes through a directory fd
 * of the drive's root that was checked to be on the drive's file system, and
 * names are opened with O_NOFOLLOW: no symlink or path trick can send the
 * data anywhere else. */
#ifndef FK_DRIVE_COPY_H
#define FK_DRIVE_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drive_find.h"
#include "err.h"

/* Open the drive's root directory without following any symlink, and make
 * sure it is the root of the mount that was found (same device numbers).
 * Returns an fd or -1 with e filled (FK_EUNAVAIL). */
int drive_open_dir(const struct drive *d, struct fk_err *e);

/* Progress: called after each chunk has reached the drive. */
typedef void (*copy_progress_fn)(size_t done, size_t total, void *arg);

/* Create name in dirfd (replacing a leftover of the same name), write data
 * in chunks of chunk bytes with fdatasync after each so the probe receives
 * the file front to back, then fsync the file and the directory. On failure
 * the partial file is removed; ENOSPC gets its own hint. */
int drive_copy(int dirfd, const char *drive_name, const char *name, const uint8_t *data,
	       size_t len, size_t chunk, copy_progress_fn progress, void *arg, struct fk_err *e);

/* Does a file of this name exist in dirfd (case-insensitive, as on FAT)?
 * Fills actual with the name as stored when found. */
bool drive_has_file(int dirfd, const char *name, char *actual, size_t actual_len);

/* Read FAIL.TXT (any case) into text as one line: CR/LF pairs become "; ",
 * control characters are dropped. Returns true if the file is there. */
bool drive_read_fail(int dirfd, char *text, size_t len);

/* "FLASHKIT.BIN" or "FLASHKIT.HEX": a fixed 8.3 name, so no part of the
 * destination comes from user input. */
const char *drive_dest_name(bool hex);

#endif
