#include "bench_file.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Board and programmer names as the board files spell them. */
static bool word_ok(const char *s, const char *extra)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr(extra, *s)))
			return false;
	return true;
}

/* VAR=value with VAR a make variable name in capitals. */
static bool var_ok(const char *s)
{
	const char *eq = strchr(s, '=');
	if (!eq || eq == s || (*s >= '0' && *s <= '9'))
		return false;
	for (const char *p = s; p < eq; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

static bool copy(char *dst, size_t n, const char *src)
{
	size_t l = strlen(src);
	if (l >= n)
		return false;
	memcpy(dst, src, l + 1);
	return true;
}

static int parse_line(struct bench *bn, char *line, size_t lineno, const char *name,
		      struct fk_err *e)
{
	char *hash = strchr(line, '#');
	if (hash)
		*hash = 0;
	char *w[4 + BENCH_MAX_VARS + 1];
	size_t nw = 0;
	for (char *save = NULL, *t = strtok_r(line, " \t\r", &save); t;
	     t = strtok_r(NULL, " \t\r", &save)) {
		if (nw == sizeof w / sizeof w[0])
			return fk_fail(e, FK_EDATA, "%s:%zu: too many words (at most %d VAR=value after the selector)",
				       name, lineno, BENCH_MAX_VARS);
		w[nw++] = t;
	}
	if (nw == 0)
		return 0;
	if (nw < 4)
		return fk_fail(e, FK_EDATA,
			       "%s:%zu: want 'NAME BOARD PROGRAMMER SERIAL=..|USB_PATH=..|PORT=.. [VAR=value...]', got %zu word%s",
			       name, lineno, nw, nw == 1 ? "" : "s");
	if (bn->n == BENCH_MAX_BOARDS)
		return fk_fail(e, FK_EDATA, "%s:%zu: more than %d boards", name, lineno, BENCH_MAX_BOARDS);
	struct bench_board *b = &bn->b[bn->n];
	memset(b, 0, sizeof *b);
	b->line = lineno;
	if (!word_ok(w[0], "_-.") || !copy(b->name, sizeof b->name, w[0]))
		return fk_fail(e, FK_EDATA, "%s:%zu: bad name '%s' (letters, digits, '_', '-', '.'; at most %zu)",
			       name, lineno, w[0], sizeof b->name - 1);
	if (!word_ok(w[1], "_-.") || !copy(b->board, sizeof b->board, w[1]))
		return fk_fail(e, FK_EDATA, "%s:%zu: bad BOARD '%s'", name, lineno, w[1]);
	if (!word_ok(w[2], "_-") || !copy(b->programmer, sizeof b->programmer, w[2]))
		return fk_fail(e, FK_EDATA, "%s:%zu: bad PROGRAMMER '%s'", name, lineno, w[2]);
	if ((strncmp(w[3], "SERIAL=", 7) && strncmp(w[3], "USB_PATH=", 9) &&
	     strncmp(w[3], "PORT=", 5)) ||
	    !strchr(w[3], '=')[1] || !copy(b->selector, sizeof b->selector, w[3]))
		return fk_fail(e, FK_EDATA,
			       "%s:%zu: the 4th word selects the board: SERIAL=..., USB_PATH=... or PORT=..., not '%s'",
			       name, lineno, w[3]);
	for (size_t i = 4; i < nw; i++) {
		if (!var_ok(w[i]))
			return fk_fail(e, FK_EDATA, "%s:%zu: '%s' is not VAR=value", name, lineno, w[i]);
		if (!strncmp(w[i], "FLASHFILE=", 10)) {
			if (!w[i][10] || !copy(b->flashfile, sizeof b->flashfile, w[i] + 10))
				return fk_fail(e, FK_EDATA, "%s:%zu: bad FLASHFILE", name, lineno);
			continue;
		}
		if (!strncmp(w[i], "BOARD=", 6) || !strncmp(w[i], "PROGRAMMER=", 11) ||
		    !strncmp(w[i], "SERIAL=", 7) || !strncmp(w[i], "USB_PATH=", 9) ||
		    !strncmp(w[i], "PORT=", 5))
			return fk_fail(e, FK_EDATA, "%s:%zu: '%s' given twice (it is a column)", name, lineno, w[i]);
		if (!copy(b->vars[b->nvars], sizeof b->vars[0], w[i]))
			return fk_fail(e, FK_EDATA, "%s:%zu: '%.40s...' too long", name, lineno, w[i]);
		b->nvars++;
	}
	for (size_t i = 0; i < bn->n; i++) {
		if (!strcmp(bn->b[i].name, b->name))
			return fk_fail(e, FK_EDATA, "%s:%zu: name '%s' already used on line %zu", name,
				       lineno, b->name, bn->b[i].line);
		if (!strcmp(bn->b[i].selector, b->selector) &&
		    !strcmp(bn->b[i].programmer, b->programmer))
			return fk_fail(e, FK_EDATA, "%s:%zu: %s is '%s' on line %zu too: one board, flashed twice at once",
				       name, lineno, b->selector, bn->b[i].name, bn->b[i].line);
	}
	bn->n++;
	return 0;
}

int bench_parse(struct bench *bn, const char *text, size_t len, const char *name,
		struct fk_err *e)
{
	bn->n = 0;
	char line[1024];
	size_t lineno = 0;
	for (size_t off = 0; off < len;) {
		const char *s = text + off;
		const char *nl = memchr(s, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - s) : len - off;
		off += ll + 1;
		lineno++;
		if (memchr(s, 0, ll))
			return fk_fail(e, FK_EDATA, "%s:%zu: NUL byte (not a text file?)", name, lineno);
		if (ll >= sizeof line)
			return fk_fail(e, FK_EDATA, "%s:%zu: line too long", name, lineno);
		memcpy(line, s, ll);
		line[ll] = 0;
		int rc = parse_line(bn, line, lineno, name, e);
		if (rc)
			return rc;
	}
	if (bn->n == 0)
		return fk_fail(e, FK_EDATA, "%s: no boards (one a line: NAME BOARD PROGRAMMER SERIAL=...)", name);
	return 0;
}
