/* flashkit run: the quiet runner every programmer's recipe wraps its tool in.
 *
 *   flashkit run [--label TEXT] -- COMMAND [ARG]...
 *
 * Runs COMMAND (no shell) with its stdout and stderr captured together, shows
 * its progress on stderr while it runs (the last percent it printed, or TEXT
 * and the seconds so far when it prints none), and:
 *   - exit 0: nothing of the tool's output appears (its banner, its warnings);
 *   - failure: the tool's whole output, as a terminal would have shown it,
 *     goes to stderr, and run exits with the tool's exit code, so the recipe's
 *     "|| { hints; exit $rc; }" prints flashkit's hints after it;
 *   - killed by a signal (Ctrl-C): run dies of the same signal, quietly.
 * The progress line follows progress.h: one updating line on a terminal,
 * a few plain lines otherwise, nothing with FLASHKIT_PROGRESS=off (make -s).
 * V=1 in make leaves run out and shows the tool as it is (makefiles/kbuild.mk). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "err.h"
#include "progress.h"
#include "tool_output.h"

#define INDENT "          "

static void help(FILE *f)
{
	fprintf(f,
		"usage: flashkit run [--label TEXT] -- COMMAND [ARG]...\n"
		"\n"
		"Run a flashing tool (dfu-util, stm32flash, openocd) quietly: its output is\n"
		"kept, and shown only when it fails, followed by nothing else; it exits with\n"
		"the tool's exit code. While the tool runs, the percent it prints (\"Download\n"
		"[==  ] 45%%\", \"Wrote address ... (45.2%%)\") is shown on stderr, or TEXT and\n"
		"the elapsed seconds when it prints none (OpenOCD).\n"
		"\n"
		"  --label TEXT  what the step does, when the tool says nothing (default\n"
		"                \"working\")\n"
		"\n"
		"On a terminal the progress is one updating line; otherwise a few plain lines.\n"
		"FLASHKIT_PROGRESS=tty|lines|off chooses (make -s sets off).\n"
		"Exit: the tool's exit code; 64 usage; 69 COMMAND cannot be started; a tool\n"
		"killed by a signal kills run with the same signal.\n");
}

static volatile sig_atomic_t child_pid;

static void forward(int sig)
{
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct shown {
	char phase[24];
	int bucket;   /* pct / 25, for the plain-line milestones */
	long secs;
};

static void show(struct progress *p, struct shown *s, const struct tool_output *t,
		 const char *label, double elapsed)
{
	const char *phase = t->phase[0] ? t->phase : label;
	bool new_phase = strcmp(s->phase, phase) != 0;
	if (t->pct >= 0) {
		int bucket = (int)t->pct / 25;
		progress_show(p, new_phase || bucket != s->bucket, INDENT "%s %3.0f%%", phase, t->pct);
		s->bucket = bucket;
	} else {
		/* A step the tool names itself (OpenOCD's "** Verify Started **") is
		 * worth a line; our own label only once a second has passed, so a
		 * quick step (dfu-util's leave) leaves no line in a log. */
		bool worth = t->phase[0] ? new_phase : (long)elapsed >= 1 && s->secs < 1;
		progress_show(p, worth, INDENT "%s... %ld s", phase, (long)elapsed);
		s->bucket = -1;
		if (!worth)
			phase = s->phase; /* not shown yet: still new next time */
	}
	if (phase != s->phase)
		snprintf(s->phase, sizeof s->phase, "%s", phase);
	s->secs = (long)elapsed;
}

int cmd_run(int argc, char **argv)
{
	struct fk_err e = { 0 };
	const char *label = "working";
	int i = 1;

	for (; i < argc; i++) {
		const char *o = argv[i];
		if (strcmp(o, "--") == 0) {
			i++;
			break;
		} else if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
			help(stdout);
			return 0;
		} else if (strcmp(o, "--label") == 0 && i + 1 < argc) {
			label = argv[++i];
		} else if (strncmp(o, "--label=", 8) == 0) {
			label = o + 8;
		} else if (o[0] == '-') {
			fk_fail(&e, FK_EUSAGE, "run: unknown option '%s' (see flashkit run --help)", o);
			return fk_report(&e);
		} else {
			break;
		}
	}
	if (i >= argc) {
		fk_fail(&e, FK_EUSAGE, "run: no command given: flashkit run [--label TEXT] -- COMMAND [ARG]...");
		return fk_report(&e);
	}

	/* stdout and stderr apart: a tool's error message (stderr) that follows a
	 * progress bar it left without a newline (stdout) starts a line of its own
	 * in the kept output. */
	int fds[2], efds[2];
	if (pipe(fds) != 0 || pipe(efds) != 0) {
		fk_fail(&e, FK_EINTERNAL, "run: pipe: %s", strerror(errno));
		return fk_report(&e);
	}
	/* Ctrl-C reaches the tool as well (same process group): let it end first,
	 * then die of the same signal. TERM and HUP are passed on. */
	struct sigaction ign = { .sa_handler = SIG_IGN }, fwd = { .sa_handler = forward }, old_int,
			 old_quit;
	sigemptyset(&ign.sa_mask);
	sigemptyset(&fwd.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	sigaction(SIGTERM, &fwd, NULL);
	sigaction(SIGHUP, &fwd, NULL);

	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fk_fail(&e, FK_EINTERNAL, "run: fork: %s", strerror(errno));
		return fk_report(&e);
	}
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		dup2(fds[1], 1);
		dup2(efds[1], 2);
		close(fds[0]);
		close(fds[1]);
		close(efds[0]);
		close(efds[1]);
		execvp(argv[i], argv + i);
		fprintf(stderr, "flashkit: run: cannot start %s: %s\n", argv[i], strerror(errno));
		_exit(FK_EUNAVAIL);
	}
	child_pid = pid;
	close(fds[1]);
	close(efds[1]);

	struct progress p;
	progress_init(&p, stderr, progress_mode_for(2));
	struct tool_output t;
	tool_output_init(&t);
	struct shown s = { .bucket = -1, .secs = -1 };
	bool saw_pct = false;
	double start = now();
	bool oom = false;
	char buf[4096];

	struct pollfd pfd[2] = { { .fd = fds[0], .events = POLLIN }, { .fd = efds[0], .events = POLLIN } };
	int open_fds = 2, last = -1;
	while (open_fds > 0) {
		int r = poll(pfd, 2, 250);
		if (r < 0 && errno == EINTR)
			continue;
		double elapsed = now() - start;
		for (int k = 0; r > 0 && k < 2; k++) {
			if (pfd[k].fd < 0 || !(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(pfd[k].fd, buf, sizeof buf);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(pfd[k].fd);
				pfd[k].fd = -1;
				open_fds--;
				continue;
			}
			if (last >= 0 && last != k && !tool_output_break(&t))
				oom = true;
			last = k;
			if (!tool_output_feed(&t, buf, (size_t)n))
				oom = true;
		}
		saw_pct |= t.pct >= 0;
		if (t.changed || (t.pct < 0 && (long)elapsed != s.secs)) {
			show(&p, &s, &t, label, elapsed);
			t.changed = false;
		}
	}

	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	child_pid = 0;
	double took = now() - start;

	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		progress_clear(&p);
		tool_output_free(&t);
		signal(sig, SIG_DFL);
		sigaction(SIGINT, &old_int, NULL);
		raise(sig);
		return 128 + sig;
	}
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : FK_EINTERNAL;
	if (rc == 0) {
		/* On a terminal the line stays as a record when it said something
		 * (a percent, a step of a second or more); a blink is wiped. */
		if (p.mode == PROGRESS_TTY && (saw_pct || took >= 1)) {
			progress_show(&p, true, INDENT "done in %.1f s", took);
			progress_end(&p);
		} else {
			progress_clear(&p);
		}
	} else {
		progress_end(&p);
		if (t.dropped)
			fprintf(stderr, "[... the first %zu bytes of %s's output left out ...]\n",
				t.dropped, argv[i]);
		fputs(tool_output_log(&t), stderr);
		if (oom)
			fprintf(stderr, "flashkit: run: out of memory keeping %s's output\n", argv[i]);
		fflush(stderr);
	}
	tool_output_free(&t);
	return rc;
}
