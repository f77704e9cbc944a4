/* Errors and exit codes (sysexits, as dfu-util uses them). The same codes are the
 * contract of every make target and programmer (docs/ci.md): scripts and farm
 * engines tell "board not there" from "flash failed" by them. */
#ifndef FK_ERR_H
#define FK_ERR_H

#include <stdarg.h>

enum {
	FK_OK = 0,
	FK_EUSAGE = 64,   /* bad command line */
	FK_EDATA = 65,    /* malformed input, or an image that fails a check */
	FK_ENOINPUT = 66, /* input file missing or unreadable */
	FK_EUNAVAIL = 69, /* device or drive not there (also after a wait) */
	FK_EINTERNAL = 70,
	FK_EIO = 74,      /* read/write failure */
	FK_ETIMEOUT = 75, /* the device was there but did not finish in time */
	FK_EVERIFY = 76,  /* what reads back differs from what was written */
	FK_EPERM = 77,    /* no permission on the device node (udev, plugdev, dialout) */
};

/* One error: a code and a one-line message ("FILE:LINE: what is wrong").
 * Library code fills it and returns the code; only main() prints it, so a
 * reader can be unit-tested and fuzzed without touching stderr. */
struct fk_err {
	int code;
	char msg[512];
};

/* Fill e (if not already set) and return code. */
int fk_fail(struct fk_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int fk_vfail(struct fk_err *e, int code, const char *fmt, va_list ap);

/* Print "flashkit: <msg>" to stderr and return e->code. */
int fk_report(const struct fk_err *e);

#endif
