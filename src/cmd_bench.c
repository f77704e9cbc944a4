/* flashkit bench: flash every board of a bench file at once (make
 * flash-bench). One make per board, all started together; their output
 * comes back through one pipe each and is written here, a whole line at a
 * time with the board's name in front, so lines never mix. A failure stops
 * nobody else. At the end: a table (name, board, programmer, result,
 * seconds), a JSON file for CI, and a non-zero exit if any board failed. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "attached.h"
#include "bench_file.h"
#include "commands.h"
#include "err.h"

#define LINE_MAX_OUT 4000 /* below PIPE_BUF: one write() stays whole */

static void help(FILE *f)
{
	fprintf(f,
		"usage: flashkit bench BENCHFILE [--flashfile FILE] [--only NAME,...] [--json OUT]\n"
		"                      [--boards IDS] [--make MAKE] [--mk FLASHKIT_MK] [--target T]\n"
		"                      [-- VAR=value...]\n"
		"\n"
		"Flash every board of BENCHFILE at once, one make per board (make -f FLASHKIT_MK\n"
		"BOARD=... PROGRAMMER=... SELECTOR FLASHFILE=... T, T flash-only by default).\n"
		"Every output line is the board's name, '|', and a whole line of its output.\n"
		"BENCHFILE, one board a line ('#' starts a comment):\n"
		"  NAME BOARD PROGRAMMER SERIAL=..|USB_PATH=..|PORT=.. [FLASHFILE=f] [VAR=value...]\n"
		"A FLASHFILE on the line is relative to the bench file's folder; --flashfile is the\n"
		"image of the lines without one.\n"
		"\n"
		"  --only a,b     only these boards\n"
		"  --json OUT     write the results as JSON (for CI)\n"
		"  --boards IDS   the board ids file: an unknown BOARD is an error at its line\n"
		"  -- VAR=value   passed to every make (V=1, FLASHKIT=...)\n"
		"\n"
		"Exit: 0 every board flashed; else the exit status of the first failed board in\n"
		"file order (69 not found, 74 flash failed, ...); 64 usage; 65 bad bench file.\n");
}

struct job {
	const struct bench_board *b;
	char flashfile[1024];
	pid_t pid;
	int fd;                 /* read end of its output, -1 at EOF */
	char buf[LINE_MAX_OUT + 1];
	size_t len;
	struct timespec t0;
	double seconds;
	int status;             /* exit status, -1 while running */
};

static double since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

static int width;

/* One line out: "name | text\n" in a single write. */
static void emit(const char *name, const char *text, size_t len)
{
	char out[LINE_MAX_OUT + 128];
	if (len > LINE_MAX_OUT)
		len = LINE_MAX_OUT;
	int n = snprintf(out, sizeof out, "%-*s | %.*s\n", width, name, (int)len, text);
	if (n < 0)
		return;
	size_t l = (size_t)n < sizeof out ? (size_t)n : sizeof out - 1;
	for (size_t off = 0; off < l;) {
		ssize_t w = write(STDOUT_FILENO, out + off, l - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

/* Split what has arrived into lines; '\r' ends a line too (progress). */
static void drain(struct job *j, bool eof)
{
	size_t start = 0;
	for (size_t i = 0; i < j->len; i++)
		if (j->buf[i] == '\n' || j->buf[i] == '\r') {
			if (i > start)
				emit(j->b->name, j->buf + start, i - start);
			start = i + 1;
		}
	memmove(j->buf, j->buf + start, j->len - start);
	j->len -= start;
	if (j->len == LINE_MAX_OUT || (eof && j->len)) {
		emit(j->b->name, j->buf, j->len);
		j->len = 0;
	}
}

static pid_t start(struct job *j, const char *make, const char *mk, const char *target,
		   char **extra, int nextra)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	char *argv[32 + BENCH_MAX_VARS];
	char board[96], prog[64], file[1100];
	int a = 0;
	argv[a++] = (char *)make;
	argv[a++] = "--no-print-directory";
	argv[a++] = "-f";
	argv[a++] = (char *)mk;
	snprintf(board, sizeof board, "BOARD=%s", j->b->board);
	snprintf(prog, sizeof prog, "PROGRAMMER=%s", j->b->programmer);
	snprintf(file, sizeof file, "FLASHFILE=%s", j->flashfile);
	argv[a++] = board;
	argv[a++] = prog;
	argv[a++] = (char *)j->b->selector;
	argv[a++] = file;
	for (size_t i = 0; i < j->b->nvars; i++)
		argv[a++] = (char *)j->b->vars[i];
	for (int i = 0; i < nextra && a < 30 + BENCH_MAX_VARS; i++)
		argv[a++] = extra[i];
	argv[a++] = (char *)target;
	argv[a] = NULL;
	clock_gettime(CLOCK_MONOTONIC, &j->t0);
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		dup2(p[1], STDERR_FILENO);
		close(p[0]);
		close(p[1]);
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0)
			dup2(null, STDIN_FILENO);
		/* Each board's make is a make of its own, not a job of ours. */
		unsetenv("MAKEFLAGS");
		unsetenv("MFLAGS");
		execvp(make, argv);
		fprintf(stderr, "flashkit: bench: cannot run %s: %s\n", make, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	j->fd = p[0];
	j->status = -1;
	return pid;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static int write_json(const char *path, const char *bench, struct job *jobs, size_t n,
		      double total, struct fk_err *e)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return fk_fail(e, FK_EIO, "bench: cannot write %s: %s", path, strerror(errno));
	size_t failed = 0;
	for (size_t i = 0; i < n; i++)
		failed += jobs[i].status != 0;
	fprintf(f, "{\"bench\":");
	json_str(f, bench);
	fprintf(f, ",\"ok\":%s,\"boards_ok\":%zu,\"boards_failed\":%zu,\"seconds\":%.3f,\"boards\":[",
		failed ? "false" : "true", n - failed, failed, total);
	for (size_t i = 0; i < n; i++) {
		const struct job *j = &jobs[i];
		fprintf(f, "%s\n {\"name\":", i ? "," : "");
		json_str(f, j->b->name);
		fprintf(f, ",\"board\":");
		json_str(f, j->b->board);
		fprintf(f, ",\"programmer\":");
		json_str(f, j->b->programmer);
		fprintf(f, ",\"selector\":");
		json_str(f, j->b->selector);
		fprintf(f, ",\"flashfile\":");
		json_str(f, j->flashfile);
		fprintf(f, ",\"line\":%zu,\"result\":\"%s\",\"exit\":%d,\"seconds\":%.3f}", j->b->line,
			j->status ? "failed" : "ok", j->status, j->seconds);
	}
	fprintf(f, "\n]}\n");
	if (fclose(f) != 0)
		return fk_fail(e, FK_EIO, "bench: cannot write %s", path);
	return 0;
}

static bool in_only(const char *only, const char *name)
{
	if (!only)
		return true;
	size_t l = strlen(name);
	for (const char *p = only; *p;) {
		size_t k = strcspn(p, ", ");
		if (k == l && !strncmp(p, name, l))
			return true;
		p += k;
		p += strspn(p, ", ");
	}
	return false;
}

static int read_text(const char *path, char **text, size_t *len, struct fk_err *e)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return fk_fail(e, FK_ENOINPUT, "bench: %s: %s", path, strerror(errno));
	size_t cap = 65536;
	*text = malloc(cap);
	if (!*text) {
		fclose(f);
		return fk_fail(e, FK_EINTERNAL, "bench: out of memory");
	}
	*len = fread(*text, 1, cap, f);
	bool big = *len == cap;
	fclose(f);
	if (big)
		return fk_fail(e, FK_EDATA, "bench: %s: larger than 64 KiB; not a bench file?", path);
	return 0;
}

int cmd_bench(int argc, char **argv)
{
	struct fk_err e = { 0 };
	const char *file = NULL, *flashfile = NULL, *only = NULL, *json = NULL, *ids = NULL;
	const char *make = "make", *mk = NULL, *target = "flash-only";
	char **extra = NULL;
	int nextra = 0;
	static const char *const opts[] = { "--flashfile", "--only", "--json", "--boards",
					    "--make", "--mk", "--target" };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			help(stdout);
			return 0;
		}
		if (!strcmp(a, "--")) {
			extra = argv + i + 1;
			nextra = argc - i - 1;
			break;
		}
		int k = arg_value(argc, argv, &i, opts, 7, "bench", &v, &e);
		if (k == -2)
			return fk_report(&e);
		const char **dst[] = { &flashfile, &only, &json, &ids, &make, &mk, &target };
		if (k >= 0) {
			*dst[k] = *v ? v : NULL;
		} else if (a[0] != '-' && !file) {
			file = a;
		} else {
			fprintf(stderr, "flashkit: bench: unknown argument '%s' (see flashkit bench --help)\n", a);
			return FK_EUSAGE;
		}
	}
	if (!file || !mk || !make || !target) {
		fprintf(stderr, "flashkit: bench: give the bench file and --mk path/to/flashkit.mk (make flash-bench BENCH=bench.txt does)\n");
		return FK_EUSAGE;
	}
	char *text = NULL;
	size_t len = 0;
	static struct bench bn;
	if (read_text(file, &text, &len, &e) || bench_parse(&bn, text, len, file, &e)) {
		free(text);
		return fk_report(&e);
	}
	free(text);
	if (ids) {
		struct att_boards bs = { 0 };
		FILE *f = fopen(ids, "r");
		char buf[65536];
		size_t l = f ? fread(buf, 1, sizeof buf, f) : 0;
		if (f)
			fclose(f);
		if (f && att_boards_parse(&bs, buf, l, ids, &e) == 0) {
			for (size_t i = 0; i < bn.n; i++) {
				bool known = false;
				for (size_t k = 0; k < bs.n; k++)
					known |= !strcmp(bs.b[k].name, bn.b[i].board);
				if (!known) {
					att_boards_free(&bs);
					fk_fail(&e, FK_EDATA, "%s:%zu: unknown board '%s' (make list-boards)",
						file, bn.b[i].line, bn.b[i].board);
					return fk_report(&e);
				}
			}
		}
		att_boards_free(&bs);
	}
	if (only)
		for (const char *p = only; *p;) {
			size_t k = strcspn(p, ", ");
			bool found = false;
			for (size_t i = 0; i < bn.n; i++)
				found |= strlen(bn.b[i].name) == k && !strncmp(bn.b[i].name, p, k);
			if (k && !found) {
				fprintf(stderr, "flashkit: bench: ONLY names '%.*s', which is not in %s; its boards:",
					(int)k, p, file);
				for (size_t i = 0; i < bn.n; i++)
					fprintf(stderr, " %s", bn.b[i].name);
				fprintf(stderr, "\n");
				return FK_EUSAGE;
			}
			p += k;
			p += strspn(p, ", ");
		}

	static struct job jobs[BENCH_MAX_BOARDS];
	size_t n = 0;
	char dir[1024];
	snprintf(dir, sizeof dir, "%s", file);
	char *slash = strrchr(dir, '/');
	if (slash)
		slash[1] = 0;
	else
		dir[0] = 0;
	for (size_t i = 0; i < bn.n; i++) {
		if (!in_only(only, bn.b[i].name))
			continue;
		struct job *j = &jobs[n];
		memset(j, 0, sizeof *j);
		j->b = &bn.b[i];
		if (j->b->flashfile[0])
			snprintf(j->flashfile, sizeof j->flashfile, "%s%s",
				 j->b->flashfile[0] == '/' ? "" : dir, j->b->flashfile);
		else if (flashfile)
			snprintf(j->flashfile, sizeof j->flashfile, "%s", flashfile);
		else {
			fk_fail(&e, FK_EUSAGE, "%s:%zu: no image for '%s': add FLASHFILE=... to the line or give FLASHFILE=... to make",
				file, j->b->line, j->b->name);
			return fk_report(&e);
		}
		if ((int)strlen(j->b->name) > width)
			width = (int)strlen(j->b->name);
		n++;
	}

	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < n; i++) {
		jobs[i].pid = start(&jobs[i], make, mk, target, extra, nextra);
		if (jobs[i].pid < 0) {
			jobs[i].fd = -1;
			jobs[i].status = FK_EINTERNAL;
			emit(jobs[i].b->name, "flashkit: bench: cannot start make", 34);
		}
	}
	for (;;) {
		struct pollfd pfd[BENCH_MAX_BOARDS];
		size_t map[BENCH_MAX_BOARDS], np = 0;
		for (size_t i = 0; i < n; i++)
			if (jobs[i].fd >= 0) {
				pfd[np] = (struct pollfd){ .fd = jobs[i].fd, .events = POLLIN };
				map[np++] = i;
			}
		if (!np)
			break;
		if (poll(pfd, np, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (size_t k = 0; k < np; k++) {
			if (!pfd[k].revents)
				continue;
			struct job *j = &jobs[map[k]];
			ssize_t r = read(j->fd, j->buf + j->len, LINE_MAX_OUT - j->len);
			if (r < 0 && errno == EINTR)
				continue;
			if (r > 0) {
				j->len += (size_t)r;
				drain(j, false);
				continue;
			}
			drain(j, true);
			close(j->fd);
			j->fd = -1;
			int st = 0;
			while (waitpid(j->pid, &st, 0) < 0 && errno == EINTR)
				;
			j->seconds = since(&j->t0);
			j->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			char msg[128];
			int l = j->status ? snprintf(msg, sizeof msg, "== FAILED (exit %d) after %.2f s",
						     j->status, j->seconds)
					  : snprintf(msg, sizeof msg, "== ok in %.2f s", j->seconds);
			emit(j->b->name, msg, (size_t)l);
		}
	}
	double total = since(&t0);

	/* The summary: one write per line too. */
	size_t failed = 0;
	int rc = 0;
	char line[512];
	int l = snprintf(line, sizeof line, "\n%-*s  %-18s %-11s %-12s %8s\n", width < 4 ? 4 : width,
			 "NAME", "BOARD", "PROGRAMMER", "RESULT", "SECONDS");
	if (write(STDOUT_FILENO, line, (size_t)l) < 0)
		return FK_EIO;
	for (size_t i = 0; i < n; i++) {
		const struct job *j = &jobs[i];
		char res[32];
		if (j->status)
			snprintf(res, sizeof res, "FAILED (%d)", j->status);
		else
			snprintf(res, sizeof res, "ok");
		if (j->status && !rc)
			rc = j->status;
		failed += j->status != 0;
		l = snprintf(line, sizeof line, "%-*s  %-18s %-11s %-12s %8.2f\n", width < 4 ? 4 : width,
			     j->b->name, j->b->board, j->b->programmer, res, j->seconds);
		if (write(STDOUT_FILENO, line, (size_t)l) < 0)
			return FK_EIO;
	}
	l = snprintf(line, sizeof line, "%zu board%s: %zu ok, %zu failed, %.2f s in all\n", n,
		     n == 1 ? "" : "s", n - failed, failed, total);
	if (write(STDOUT_FILENO, line, (size_t)l) < 0)
		return FK_EIO;
	if (json && write_json(json, file, jobs, n, total, &e) != 0)
		return fk_report(&e);
	return rc;
}
