/* Reading inputs and writing outputs so that a failure never leaves a
 * half-written file behind: outputs go to a temporary file in the same
 * directory and are renamed over the target only when complete. */
#ifndef FK_FILEIO_H
#define FK_FILEIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

/* Read all of path ("-" = stdin) into a malloc'd buffer. Missing or
 * unreadable: FK_ENOINPUT; read error: FK_EIO. */
int read_file(const char *path, uint8_t **buf, size_t *len, struct fk_err *e);

struct outfile {
	char *path;     /* final name */
	char *tmp;      /* temporary name, NULL when writing to stdout */
	FILE *fp;
};

/* Open a temporary file next to path ("-" = stdout). */
int outfile_open(struct outfile *o, const char *path, struct fk_err *e);
/* Flush, fsync and rename into place. On any error the temp file is removed. */
int outfile_commit(struct outfile *o, struct fk_err *e);
/* Remove the temporary file; safe to call after commit or twice. */
void outfile_abort(struct outfile *o);

#endif
