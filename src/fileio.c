#define _POSIX_C_SOURCE 200809L
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int read_file(const char *path, uint8_t **buf, size_t *len, struct fk_err *e)
{
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fk_fail(e, FK_ENOINPUT, "%s: cannot open: %s", path, strerror(errno));

	struct stat st;
	size_t cap = 1 << 16;
	if (fstat(fd, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			close(fd);
			return fk_fail(e, FK_ENOINPUT, "%s: is a directory, not a firmware file", path);
		}
		if (S_ISREG(st.st_mode))
			cap = (size_t)st.st_size + 1;
	}
	uint8_t *p = malloc(cap);
	size_t n = 0;
	if (!p) {
		if (fd)
			close(fd);
		return fk_fail(e, FK_EINTERNAL, "%s: out of memory", path);
	}
	for (;;) {
		if (n == cap) {
			uint8_t *q = realloc(p, cap * 2);
			if (!q) {
				free(p);
				if (fd)
					close(fd);
				return fk_fail(e, FK_EINTERNAL, "%s: out of memory", path);
			}
			p = q;
			cap *= 2;
		}
		ssize_t r = read(fd, p + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;
			free(p);
			if (fd)
				close(fd);
			return fk_fail(e, FK_EIO, "%s: read error: %s", path, strerror(err));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (fd)
		close(fd);
	*buf = p;
	*len = n;
	return 0;
}

int outfile_open(struct outfile *o, const char *path, struct fk_err *e)
{
	memset(o, 0, sizeof *o);
	if (strcmp(path, "-") == 0) {
		o->fp = stdout;
		return 0;
	}
	o->path = strdup(path);
	size_t n = strlen(path) + 16;
	o->tmp = malloc(n);
	if (!o->path || !o->tmp) {
		outfile_abort(o);
		return fk_fail(e, FK_EINTERNAL, "out of memory");
	}
	/* Same directory, so rename() is atomic; hidden so a glob does not pick it up. */
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	snprintf(o->tmp, n, "%.*s.%s.XXXXXX", (int)dirlen, path, path + dirlen);
	int fd = mkostemp(o->tmp, O_CLOEXEC);
	if (fd < 0) {
		int err = errno;
		free(o->tmp);
		o->tmp = NULL;
		outfile_abort(o);
		return fk_fail(e, FK_EIO, "%s: cannot create output: %s", path, strerror(err));
	}
	/* mkostemp makes 0600; an artifact should get the usual umask'd mode. */
	mode_t um = umask(0);
	umask(um);
	fchmod(fd, 0666 & ~um);
	o->fp = fdopen(fd, "wb");
	if (!o->fp) {
		close(fd);
		outfile_abort(o);
		return fk_fail(e, FK_EIO, "%s: cannot create output: %s", path, strerror(errno));
	}
	/* Large buffer: writers emit many small records. */
	setvbuf(o->fp, NULL, _IOFBF, 1 << 16);
	return 0;
}

int outfile_commit(struct outfile *o, struct fk_err *e)
{
	if (!o->tmp) {
		if (fflush(o->fp) != 0)
			return fk_fail(e, FK_EIO, "writing to standard output: %s", strerror(errno));
		return 0;
	}
	int bad = ferror(o->fp) || fflush(o->fp) != 0;
	int err = errno;
	if (!bad && fsync(fileno(o->fp)) != 0 && errno != EINVAL) {
		bad = 1;
		err = errno;
	}
	if (fclose(o->fp) != 0 && !bad) {
		bad = 1;
		err = errno;
	}
	o->fp = NULL;
	if (bad) {
		outfile_abort(o);
		return fk_fail(e, FK_EIO, "%s: write error: %s", o->path ? o->path : "output",
			       strerror(err));
	}
	if (rename(o->tmp, o->path) != 0) {
		err = errno;
		fk_fail(e, FK_EIO, "%s: cannot rename into place: %s", o->path, strerror(err));
		outfile_abort(o);
		return FK_EIO;
	}
	free(o->tmp);
	o->tmp = NULL;
	free(o->path);
	o->path = NULL;
	return 0;
}

void outfile_abort(struct outfile *o)
{
	if (o->fp && o->fp != stdout)
		fclose(o->fp);
	o->fp = NULL;
	if (o->tmp) {
		unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
	}
	free(o->path);
	o->path = NULL;
}
