#include "progress.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum progress_mode progress_mode_for(int fd)
{
	const char *m = getenv("FLASHKIT_PROGRESS");
	if (m && strcmp(m, "off") == 0)
		return PROGRESS_OFF;
	if (m && strcmp(m, "lines") == 0)
		return PROGRESS_LINES;
	if (m && strcmp(m, "tty") == 0)
		return PROGRESS_TTY;
	return isatty(fd) ? PROGRESS_TTY : PROGRESS_LINES;
}

void progress_init(struct progress *p, FILE *f, enum progress_mode mode)
{
	memset(p, 0, sizeof *p);
	p->f = f;
	p->mode = mode;
}

void progress_show(struct progress *p, bool milestone, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (p->mode == PROGRESS_OFF || (p->mode == PROGRESS_LINES && !milestone))
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (p->mode == PROGRESS_LINES) {
		fprintf(p->f, "%s\n", buf);
	} else {
		/* \r and erase-to-end-of-line: a shorter text leaves no tail behind. */
		fprintf(p->f, "\r%s\033[K", buf);
		p->open = true;
		p->width = strlen(buf);
	}
	fflush(p->f);
}

void progress_end(struct progress *p)
{
	if (p->mode == PROGRESS_TTY && p->open) {
		fputc('\n', p->f);
		fflush(p->f);
	}
	p->open = false;
}

void progress_clear(struct progress *p)
{
	if (p->mode == PROGRESS_TTY && p->open) {
		fputs("\r\033[K", p->f);
		fflush(p->f);
	}
	p->open = false;
}
