#include "progress.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

bool progress_silent(void)
{
	const char *m = getenv("FLASHKIT_PROGRESS");
	return m && strcmp(m, "off") == 0;
}

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

/* Ctrl-C during an updating line: end the line first, so the shell's or make's
 * next words start on a line of their own; then die of the signal as before. */
static volatile sig_atomic_t line_open_fd = -1;

static void on_signal(int sig)
{
	if (line_open_fd >= 0) {
		ssize_t w = write(line_open_fd, "\n", 1);
		(void)w;
	}
	/* Ctrl-C reaches make too, and GNU make 4.3 reaps its children inside its
	 * own signal handler: a child that is already gone when that handler runs
	 * races with make's main wait(), and make stops with "wait: No child
	 * processes". Dying a moment later lets make's handler do the reaping. */
	struct timespec pause = { 0, 100 * 1000 * 1000 };
	nanosleep(&pause, NULL);
	signal(sig, SIG_DFL);
	raise(sig);
}

void progress_init(struct progress *p, FILE *f, enum progress_mode mode)
{
	memset(p, 0, sizeof *p);
	p->f = f;
	p->mode = mode;
	if (mode == PROGRESS_TTY) {
		struct sigaction sa = { .sa_handler = on_signal }, old;
		sigemptyset(&sa.sa_mask);
		/* Only where the signal would kill us anyway (not where ignored). */
		if (sigaction(SIGINT, NULL, &old) == 0 && old.sa_handler == SIG_DFL)
			sigaction(SIGINT, &sa, NULL);
		if (sigaction(SIGTERM, NULL, &old) == 0 && old.sa_handler == SIG_DFL)
			sigaction(SIGTERM, &sa, NULL);
	}
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
		line_open_fd = fileno(p->f);
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
	line_open_fd = -1;
}

void progress_clear(struct progress *p)
{
	if (p->mode == PROGRESS_TTY && p->open) {
		fputs("\r\033[K", p->f);
		fflush(p->f);
	}
	p->open = false;
	line_open_fd = -1;
}
