#include "drive_copy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

const char *drive_dest_name(bool hex)
{
	return hex ? "FLASHKIT.HEX" : "FLASHKIT.BIN";
}

int drive_open_dir(const struct drive *d, struct fk_err *e)
{
	/* openat2 refuses a symlink anywhere in the path; older kernels get
	 * O_NOFOLLOW on the last component, and the device check below. */
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, d->point, &how, sizeof how);
	if (fd < 0 && (errno == ENOSYS || errno == E2BIG))
		fd = open(d->point, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		int err = errno;
		fk_fail(e, err == ELOOP ? FK_EDATA : FK_EUNAVAIL,
			       "%s: cannot open the drive at %s: %s%s", d->label, d->point, strerror(err),
			       err == ELOOP ? " (a symlink in the path: refusing to write through it)"
					    : "");
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || major(st.st_dev) != d->major || minor(st.st_dev) != d->minor) {
		close(fd);
		fk_fail(e, FK_EUNAVAIL,
			"%s: %s is no longer the drive that was found (device changed); run again",
			d->label, d->point);
		return -1;
	}
	return fd;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int copy_error(struct fk_err *e, const char *drive_name, const char *name, int err)
{
	if (err == ENOSPC || err == EDQUOT)
		return fk_fail(e, FK_EIO,
			       "%s: No space left on device while writing %s: the drive is full of earlier copies the probe never took (a known ST-LINK firmware problem): unplug and replug the board, or update the ST-LINK firmware",
			       drive_name, name);
	if (err == EROFS)
		return fk_fail(e, FK_EIO, "%s: the drive is mounted read-only; remount it read-write",
			       drive_name);
	return fk_fail(e, FK_EIO, "%s: writing %s failed: %s (drive unplugged?)", drive_name, name,
		       strerror(err));
}

int drive_copy(int dirfd, const char *drive_name, const char *name, const uint8_t *data,
	       size_t len, size_t chunk, copy_progress_fn progress, void *arg, struct fk_err *e)
{
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(dirfd, name, flags, 0644);
	if (fd < 0 && errno == EEXIST) {
		/* A copy the probe never took (or a file of that name): replace
		 * it; O_EXCL makes sure the new file is ours, not a link. */
		if (unlinkat(dirfd, name, 0) != 0 && errno != ENOENT)
			return copy_error(e, drive_name, name, errno);
		fd = openat(dirfd, name, flags, 0644);
	}
	if (fd < 0)
		return copy_error(e, drive_name, name, errno);
	if (chunk == 0)
		chunk = 64 * 1024;
	int err = 0;
	for (size_t done = 0; done < len;) {
		size_t n = len - done < chunk ? len - done : chunk;
		/* fdatasync per chunk: the page cache would otherwise write the
		 * file out in any order, and a probe that programs as the
		 * sectors arrive would flash a scrambled image. */
		if (write_all(fd, data + done, n) != 0 || fdatasync(fd) != 0) {
			err = errno;
			break;
		}
		done += n;
		if (progress)
			progress(done, len, arg);
	}
	if (!err && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && !err)
		err = errno;
	if (err) {
		unlinkat(dirfd, name, 0);
		return copy_error(e, drive_name, name, err);
	}
	/* The directory entry too, so the probe sees the file's final size. */
	if (fsync(dirfd) != 0 && errno != EINVAL && errno != EROFS)
		return copy_error(e, drive_name, name, errno);
	return 0;
}

bool drive_has_file(int dirfd, const char *name, char *actual, size_t actual_len)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return false;
	}
	bool found = false;
	struct dirent *de;
	while (!found && (de = readdir(d)))
		if (strcasecmp(de->d_name, name) == 0) {
			found = true;
			if (actual)
				snprintf(actual, actual_len, "%s", de->d_name);
		}
	closedir(d);
	return found;
}

bool drive_read_fail(int dirfd, char *text, size_t len)
{
	char name[256];
	if (len == 0 || !drive_has_file(dirfd, "FAIL.TXT", name, sizeof name))
		return false;
	text[0] = 0;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(text, len, "(FAIL.TXT is there but cannot be read: %s)", strerror(errno));
		return true;
	}
	char raw[2048];
	ssize_t n = read(fd, raw, sizeof raw - 1);
	close(fd);
	if (n < 0)
		n = 0;
	size_t w = 0;
	bool sep = false;
	for (ssize_t i = 0; i < n && w + 3 < len; i++) {
		unsigned char c = (unsigned char)raw[i];
		if (c == '\r' || c == '\n') {
			sep = w > 0;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			continue;
		if (sep) {
			text[w++] = ';';
			text[w++] = ' ';
			sep = false;
		}
		text[w++] = (char)c;
	}
	text[w] = 0;
	if (w == 0)
		snprintf(text, len, "(FAIL.TXT is empty)");
	return true;
}
