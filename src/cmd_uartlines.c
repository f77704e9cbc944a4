/* flashkit uart-lines PORT SEQ: set a serial port's RTS and DTR step by step
 * and leave them so (HUPCL cleared: closing does not drop them). make term
 * uses it on a non-inverting RTS->BOOT0 / DTR->NRST adapter: opening any
 * port raises both lines, which there means BOOT0 high with NRST released;
 * "-rts,-dtr,dtr" then resets the chip with BOOT0 low so the application
 * runs, and the terminal opened next finds NRST already released. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "err.h"

static void help(FILE *f)
{
	fprintf(f,
		"usage: flashkit uart-lines PORT SEQ\n"
		"\n"
		"Open the serial port PORT, clear HUPCL (the lines stay as set when the port\n"
		"closes), and apply SEQ: comma-separated steps rts, -rts, dtr, -dtr (raise or\n"
		"lower the line; '&' joins two changes into one step), 50 ms apart, in\n"
		"stm32flash's -i notation. Example: -rts,-dtr,dtr (BOOT0 low, reset pulse on a\n"
		"non-inverting adapter).\n"
		"Exit: 0 ok, 64 usage, 69 PORT cannot be opened, 74 the lines cannot be set.\n");
}

static int step(int fd, const char *s, size_t n)
{
	int set = 0, clr = 0;
	for (size_t i = 0; i < n;) {
		size_t k = i;
		while (k < n && s[k] != '&')
			k++;
		const char *w = s + i;
		size_t l = k - i;
		bool neg = l && w[0] == '-';
		if (neg)
			w++, l--;
		int bit = l == 3 && !strncmp(w, "rts", 3) ? TIOCM_RTS
			: l == 3 && !strncmp(w, "dtr", 3) ? TIOCM_DTR
							  : 0;
		if (!bit)
			return -1;
		*(neg ? &clr : &set) |= bit;
		i = k + 1;
	}
	if ((set && ioctl(fd, TIOCMBIS, &set) < 0) || (clr && ioctl(fd, TIOCMBIC, &clr) < 0))
		return -2;
	return 0;
}

int cmd_uart_lines(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		help(stdout);
		return 0;
	}
	if (argc != 3) {
		/* One line, as every other subcommand says a usage mistake. */
		fprintf(stderr, "flashkit: uart-lines: give PORT and SEQ, e.g. flashkit uart-lines "
				"/dev/ttyUSB0 -rts,-dtr,dtr (see 'flashkit uart-lines --help')\n");
		return FK_EUSAGE;
	}
	const char *port = argv[1], *seq = argv[2];
	int fd = open(port, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "flashkit: uart-lines: cannot open %s: %s\n", port, strerror(errno));
		return errno == EACCES ? 77 : FK_EUNAVAIL;
	}
	struct termios t;
	if (tcgetattr(fd, &t) == 0) {
		t.c_cflag &= ~(tcflag_t)HUPCL;
		tcsetattr(fd, TCSANOW, &t);
	}
	int rc = 0;
	for (const char *p = seq; *p;) {
		size_t n = strcspn(p, ",");
		int r = step(fd, p, n);
		if (r == -1) {
			fprintf(stderr, "flashkit: uart-lines: bad step '%.*s' (rts, -rts, dtr, -dtr)\n", (int)n, p);
			rc = FK_EUSAGE;
			break;
		}
		if (r == -2) {
			fprintf(stderr, "flashkit: uart-lines: %s: cannot set RTS/DTR: %s\n", port, strerror(errno));
			rc = FK_EIO;
			break;
		}
		p += n;
		if (*p == ',') {
			p++;
			nanosleep(&(struct timespec){ 0, 50 * 1000000L }, NULL);
		}
	}
	close(fd);
	return rc;
}
