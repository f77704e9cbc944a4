#include "tool_output.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tool_output_init(struct tool_output *t)
{
	memset(t, 0, sizeof *t);
	t->pct = -1;
}

void tool_output_free(struct tool_output *t)
{
	free(t->log);
	t->log = NULL;
}

static bool log_put(struct tool_output *t, char c)
{
	if (t->len + 2 > t->cap) {
		if (t->cap >= TOOL_LOG_MAX) {
			/* Keep the newer half, from a line start: the end of a failing
			 * run says why it failed. */
			size_t cut = t->len / 2;
			char *nl = memchr(t->log + cut, '\n', t->len - cut);
			cut = nl ? (size_t)(nl - t->log) + 1 : cut;
			memmove(t->log, t->log + cut, t->len - cut);
			t->len -= cut;
			t->line_start = t->line_start > cut ? t->line_start - cut : 0;
			t->dropped += cut;
		} else {
			size_t cap = t->cap ? t->cap * 2 : 4096;
			char *p = realloc(t->log, cap);
			if (!p)
				return false;
			t->log = p;
			t->cap = cap;
		}
	}
	t->log[t->len++] = c;
	t->log[t->len] = '\0';
	return true;
}

/* The first letters of a segment, lower case ("Download\t[=" -> "download"). */
static void first_word(const char *s, size_t n, char *w, size_t wlen)
{
	size_t i = 0, k = 0;
	while (i < n && !isalpha((unsigned char)s[i]))
		i++;
	while (i < n && isalpha((unsigned char)s[i]) && k + 1 < wlen)
		w[k++] = (char)tolower((unsigned char)s[i++]);
	w[k] = '\0';
}

/* A tool's word for a step, as the line shows it ("Download" -> "writing"). */
static const char *phase_name(const char *word)
{
	static const struct { const char *prefix, *name; } map[] = {
		{ "erase", "erasing" }, { "erasing", "erasing" },
		{ "download", "writing" }, { "wrote", "writing" }, { "writ", "writing" },
		{ "program", "writing" }, { "flash", "writing" },
		{ "upload", "reading" }, { "read", "reading" },
		{ "verif", "verifying" }, { "reset", "resetting" },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strncmp(word, map[i].prefix, strlen(map[i].prefix)) == 0)
			return map[i].name;
	return NULL;
}

bool tool_progress_parse(const char *seg, size_t n, char *phase, size_t phaselen, double *pct)
{
	char word[24];
	/* The last number directly followed by '%'. */
	for (size_t i = n; i-- > 0;) {
		if (seg[i] != '%' || i == 0 || !isdigit((unsigned char)seg[i - 1]))
			continue;
		size_t b = i;
		while (b > 0 && (isdigit((unsigned char)seg[b - 1]) || seg[b - 1] == '.'))
			b--;
		char num[16];
		size_t len = i - b < sizeof num - 1 ? i - b : sizeof num - 1;
		memcpy(num, seg + b, len);
		num[len] = '\0';
		double v = strtod(num, NULL);
		if (v < 0 || v > 100)
			return false;
		first_word(seg, n, word, sizeof word);
		const char *name = phase_name(word);
		snprintf(phase, phaselen, "%s", name ? name : word[0] ? word : "progress");
		*pct = v;
		return true;
	}
	/* OpenOCD: "** Programming Started **", "** Verify Started **", ... */
	if (n > 6 && memcmp(seg, "** ", 3) == 0) {
		first_word(seg, n, word, sizeof word);
		const char *name = phase_name(word);
		if (name) {
			snprintf(phase, phaselen, "%s", name);
			*pct = -1;
			return true;
		}
	}
	/* stm32flash: "Erasing memory" before its "Wrote address" lines. */
	if (n >= 14 && memcmp(seg, "Erasing memory", 14) == 0) {
		snprintf(phase, phaselen, "erasing");
		*pct = -1;
		return true;
	}
	return false;
}

static void segment_done(struct tool_output *t)
{
	char phase[sizeof t->phase];
	double pct;
	if (t->seglen && tool_progress_parse(t->seg, t->seglen, phase, sizeof phase, &pct)) {
		if (strcmp(phase, t->phase) != 0 || pct != t->pct) {
			memcpy(t->phase, phase, sizeof phase);
			t->pct = pct;
			t->changed = true;
		}
	}
	t->seglen = 0;
}

bool tool_output_feed(struct tool_output *t, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = buf[i];
		if (t->cr_pending && c != '\n') {
			/* A redraw: the terminal would overwrite the line. */
			t->len = t->line_start;
			if (t->log)
				t->log[t->len] = '\0';
		}
		t->cr_pending = false;
		if (c == '\r') {
			t->cr_pending = true;
			segment_done(t);
			continue;
		}
		if (c == '\n') {
			segment_done(t);
			if (!log_put(t, c))
				return false;
			t->line_start = t->len;
			continue;
		}
		if (t->seglen < sizeof t->seg)
			t->seg[t->seglen++] = c;
		if (!log_put(t, c))
			return false;
	}
	/* A tool flushes each update whole: read the partial segment now rather
	 * than when the next update starts. Parsing it again later is harmless. */
	if (t->seglen) {
		size_t keep = t->seglen;
		char copy[sizeof t->seg];
		memcpy(copy, t->seg, keep);
		segment_done(t);
		memcpy(t->seg, copy, keep);
		t->seglen = keep;
	}
	return true;
}

bool tool_output_break(struct tool_output *t)
{
	if (t->len > t->line_start || t->cr_pending) {
		t->cr_pending = false;
		return tool_output_feed(t, "\n", 1);
	}
	return true;
}

const char *tool_output_log(struct tool_output *t)
{
	if (t->len && t->log[t->len - 1] != '\n')
		log_put(t, '\n');
	return t->log ? t->log : "";
}
