#include "err.h"

#include <stdio.h>

int fk_vfail(struct fk_err *e, int code, const char *fmt, va_list ap)
{
	/* The first failure is the cause; later ones are consequences. */
	if (e && e->code == 0) {
		e->code = code;
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	}
	return code;
}

int fk_fail(struct fk_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fk_vfail(e, code, fmt, ap);
	va_end(ap);
	return code;
}

int fk_report(const struct fk_err *e)
{
	if (e->code != 0)
		fprintf(stderr, "flashkit: %s\n", e->msg[0] ? e->msg : "failed");
	return e->code;
}
