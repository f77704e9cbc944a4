/* What a flashing tool (dfu-util, stm32flash, OpenOCD) prints, kept for when it
 * fails, and read for its progress while it runs (flashkit run).
 *
 * The log keeps what a terminal would have shown: a line redrawn with \r
 * ("Download [===   ] 45%") keeps only its last state, so a failed 1 MiB
 * download shows a few lines, not thousands of updates. Progress is read from
 * each line or \r-segment: the last "NN%" or "NN.NN%" in it, named by its first
 * word (dfu-util's "Erase"/"Download", stm32flash's "Wrote"), and OpenOCD's
 * "** Programming Started **" style markers, which carry no percent. */
#ifndef FK_TOOL_OUTPUT_H
#define FK_TOOL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#define TOOL_LOG_MAX (1u << 20)  /* beyond this the oldest half is dropped */

struct tool_output {
	char *log;
	size_t len, cap, line_start, dropped;
	bool cr_pending;      /* a \r seen: redraw unless \n follows */
	char seg[256];        /* the current line or \r-segment */
	size_t seglen;
	/* The latest progress read: phase ("writing", "erasing", ...) and percent
	 * (-1: the phase has none). changed is set whenever either moves. */
	char phase[24];
	double pct;
	bool changed;
};

void tool_output_init(struct tool_output *t);
void tool_output_free(struct tool_output *t);
/* Take n bytes of the tool's output. Returns false when out of memory. */
bool tool_output_feed(struct tool_output *t, const char *buf, size_t n);
/* The output switches streams (stdout to stderr or back): end a line left
 * open, so what follows starts on a line of its own. */
bool tool_output_break(struct tool_output *t);
/* The log as text (NUL-terminated; ends with a newline unless empty). */
const char *tool_output_log(struct tool_output *t);

/* One segment (no \r or \n in it): true when it says something about progress.
 * pct is -1 when it names a phase without a percent. */
bool tool_progress_parse(const char *seg, size_t n, char *phase, size_t phaselen, double *pct);

#endif
