/* One status line for long steps (a tool writing, a wait with a countdown).
 *
 * On a terminal (stderr is a tty) the line is redrawn in place; otherwise only
 * the caller's milestones are printed, one plain line each, so a CI log shows a
 * few lines rather than hundreds of carriage returns; "off" prints nothing.
 * FLASHKIT_PROGRESS=tty|lines|off overrides the guess; the make plugin sets it
 * to off under make -s (makefiles/kbuild.mk), where nothing extra may appear. */
#ifndef FK_PROGRESS_H
#define FK_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

enum progress_mode { PROGRESS_OFF, PROGRESS_LINES, PROGRESS_TTY };

struct progress {
	enum progress_mode mode;
	FILE *f;
	bool open;    /* a tty line is drawn and not yet ended */
	size_t width; /* columns of the line drawn last */
};

/* FLASHKIT_PROGRESS=off (make -s): also leave out the notes that only say things
 * went well (check's OK line, copy's COPY/WAIT/OK lines, usb-wait's "found"). */
bool progress_silent(void);
/* The mode from FLASHKIT_PROGRESS, else tty when fd is a terminal, else lines. */
enum progress_mode progress_mode_for(int fd);
void progress_init(struct progress *p, FILE *f, enum progress_mode mode);
/* Show the text: redrawn on a tty; printed as a line in lines mode only when
 * milestone is set. */
void progress_show(struct progress *p, bool milestone, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* End the tty line (a newline), so the next output starts on a line of its own. */
void progress_end(struct progress *p);
/* Wipe the tty line (nothing of it stays on screen). */
void progress_clear(struct progress *p);

#endif
