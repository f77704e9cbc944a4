/* ttyshim: LD_PRELOAD for the flash tool under test (stm32flash), giving
 * the virtual board's pseudo-terminal what a real UART has and a pty lacks.
 *
 * A Linux pty forces CS8, clears PARENB and answers TIOCMGET/TIOCMSET with
 * ENOTTY. stm32flash reads its settings back and gives up if parity did not
 * stick, and drives BOOT0/NRST through RTS/DTR. So, for the one terminal
 * named by VUART_TTY (any path to it: the device number is compared):
 *  - tcsetattr keeps the requested settings, tcgetattr returns them, and the
 *    framing (baud, bits, parity, stop bits) goes to the board, which garbles
 *    bytes sent with the wrong framing as a real USART would;
 *  - RTS/DTR are modelled (raised on open, dropped on close when HUPCL is
 *    set, as the kernel does) and every change goes to the board.
 * The board listens on the SOCK_SEQPACKET socket VUART_CTL and answers each
 * message after it has handled every byte written before it, so line
 * changes and data keep their order. Every other file is left alone. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#define MAX_FDS 8

struct tracked {
	int fd;               /* -1: free slot */
	bool have_req;
	struct termios req;   /* what the program asked for */
};

static struct tracked fds[MAX_FDS] = {
	{ -1, false, { 0 } }, { -1, false, { 0 } }, { -1, false, { 0 } }, { -1, false, { 0 } },
	{ -1, false, { 0 } }, { -1, false, { 0 } }, { -1, false, { 0 } }, { -1, false, { 0 } },
};
static int lines;          /* TIOCM_RTS | TIOCM_DTR as the program set them */
static int ctl = -1;       /* connection to the board */
static bool warned;

static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_close)(int);
static int (*real_ioctl)(int, unsigned long, ...);
static int (*real_tcsetattr)(int, int, const struct termios *);
static int (*real_tcgetattr)(int, struct termios *);

static void *sym(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);
	if (!p) {
		fprintf(stderr, "ttyshim: %s not found\n", name);
		abort();
	}
	return p;
}

__attribute__((constructor)) static void shim_init(void)
{
	real_open = sym("open");
	real_openat = sym("openat");
	real_close = sym("close");
	real_ioctl = sym("ioctl");
	real_tcsetattr = sym("tcsetattr");
	real_tcgetattr = sym("tcgetattr");
}

static struct tracked *find(int fd)
{
	if (fd < 0)
		return NULL;
	for (int i = 0; i < MAX_FDS; i++)
		if (fds[i].fd == fd)
			return &fds[i];
	return NULL;
}

/* Send one message to the board and wait for its "ok": the board applies
 * it only after the bytes already written, so order is kept. */
static void tell(const char *fmt, ...)
{
	char msg[128], reply[16];
	va_list ap;

	if (ctl < 0) {
		const char *path = getenv("VUART_CTL");
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		if (!path || strlen(path) >= sizeof sa.sun_path)
			goto fail;
		strcpy(sa.sun_path, path);
		ctl = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (ctl < 0)
			goto fail;
		/* A board that stopped answering must not hang the tool. */
		struct timeval tv = { .tv_sec = 5 };
		setsockopt(ctl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		if (connect(ctl, (struct sockaddr *)&sa, sizeof sa) < 0) {
			real_close(ctl);
			ctl = -1;
			goto fail;
		}
	}
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (send(ctl, msg, (size_t)n, MSG_NOSIGNAL) != n || recv(ctl, reply, sizeof reply, 0) <= 0) {
		real_close(ctl);
		ctl = -1;
		goto fail;
	}
	return;
fail:
	if (!warned)
		fprintf(stderr, "ttyshim: virtual board not reachable (VUART_CTL=%s): lines and "
			"framing are not modelled\n", getenv("VUART_CTL") ? getenv("VUART_CTL") : "");
	warned = true;
}

static void tell_lines(void)
{
	tell("lines %d %d", !!(lines & TIOCM_RTS), !!(lines & TIOCM_DTR));
}

static unsigned baud_of(speed_t s)
{
	static const struct { speed_t s; unsigned b; } t[] = {
		{ B1200, 1200 }, { B2400, 2400 }, { B4800, 4800 }, { B9600, 9600 },
		{ B19200, 19200 }, { B38400, 38400 }, { B57600, 57600 }, { B115200, 115200 },
		{ B230400, 230400 }, { B460800, 460800 }, { B500000, 500000 },
		{ B576000, 576000 }, { B921600, 921600 }, { B1000000, 1000000 },
		{ B1500000, 1500000 }, { B2000000, 2000000 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (t[i].s == s)
			return t[i].b;
	return 0;
}

static void tell_framing(const struct termios *t)
{
	int bits = (t->c_cflag & CSIZE) == CS5 ? 5 : (t->c_cflag & CSIZE) == CS6 ? 6 :
		   (t->c_cflag & CSIZE) == CS7 ? 7 : 8;
	char parity = !(t->c_cflag & PARENB) ? 'N' : (t->c_cflag & PARODD) ? 'O' : 'E';
	tell("framing %u %d %c %d", baud_of(cfgetospeed(t)), bits, parity,
	     (t->c_cflag & CSTOPB) ? 2 : 1);
}

static bool is_target(int fd)
{
	static dev_t want;
	static int state; /* 0 unknown, 1 have want, -1 nothing to track */
	struct stat st;

	if (state == 0) {
		const char *p = getenv("VUART_TTY");
		state = (p && stat(p, &st) == 0 && S_ISCHR(st.st_mode)) ? 1 : -1;
		if (state == 1)
			want = st.st_rdev;
	}
	return state == 1 && fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == want;
}

static int opened(int fd)
{
	if (fd < 0 || !is_target(fd))
		return fd;
	for (int i = 0; i < MAX_FDS; i++) {
		if (fds[i].fd == -1) {
			fds[i].fd = fd;
			fds[i].have_req = false;
			/* Opening a serial port raises DTR and RTS. */
			lines |= TIOCM_RTS | TIOCM_DTR;
			tell_lines();
			break;
		}
	}
	return fd;
}

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t m = mode_arg(flags, ap);
	va_end(ap);
	return opened(real_open(path, flags, m));
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t m = mode_arg(flags, ap);
	va_end(ap);
	return opened(real_open(path, flags, m));
}

int openat(int dir, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t m = mode_arg(flags, ap);
	va_end(ap);
	return opened(real_openat(dir, path, flags, m));
}

int openat64(int dir, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t m = mode_arg(flags, ap);
	va_end(ap);
	return opened(real_openat(dir, path, flags, m));
}

int close(int fd)
{
	struct tracked *t = find(fd);
	if (t) {
		struct termios cur;
		/* The kernel drops DTR and RTS on the last close when HUPCL is set. */
		if (real_tcgetattr(fd, &cur) == 0 && (cur.c_cflag & HUPCL)) {
			lines &= ~(TIOCM_RTS | TIOCM_DTR);
			tell_lines();
		}
		t->fd = -1;
	}
	return real_close(fd);
}

int tcsetattr(int fd, int act, const struct termios *tio)
{
	struct tracked *t = find(fd);
	int rc = real_tcsetattr(fd, act, tio);
	if (t && rc == 0) {
		t->req = *tio;
		t->have_req = true;
		tell_framing(tio);
	}
	return rc;
}

int tcgetattr(int fd, struct termios *tio)
{
	struct tracked *t = find(fd);
	int rc = real_tcgetattr(fd, tio);
	if (t && rc == 0 && t->have_req) {
		/* What a real UART would report: the settings as requested, with
		 * the pty's own HUPCL (it may be changed with stty). */
		tcflag_t hup = tio->c_cflag & HUPCL;
		*tio = t->req;
		tio->c_cflag = (tio->c_cflag & ~(tcflag_t)HUPCL) | hup;
	}
	return rc;
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);

	if (find(fd)) {
		int *v = arg;
		switch (req) {
		case TIOCMGET:
			/* DSR, CTS and CD: a board that is powered and listening. */
			*v = lines | TIOCM_DSR | TIOCM_CTS | TIOCM_CD;
			return 0;
		case TIOCMSET:
			lines = *v & (TIOCM_RTS | TIOCM_DTR);
			tell_lines();
			return 0;
		case TIOCMBIS:
			lines |= *v & (TIOCM_RTS | TIOCM_DTR);
			tell_lines();
			return 0;
		case TIOCMBIC:
			lines &= ~(*v & (TIOCM_RTS | TIOCM_DTR));
			tell_lines();
			return 0;
		}
	}
	return real_ioctl(fd, req, arg);
}
