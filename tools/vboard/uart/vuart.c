/* vuart: a virtual STM32 board whose ROM UART bootloader (AN3155) sits on
 * a pseudo-terminal, for the real stm32flash.
 *
 *   vuart [options]                 run the board; print PORT=... (sourceable with set -a) and wait
 *   vuart [options] -- CMD [ARG...] run the board around CMD, exit with its status
 *
 * CMD gets PORT (the terminal), VUART_TTY, VUART_CTL and VUART_SHIM, and a
 * PATH whose stm32flash runs the real one under the ttyshim (parity and
 * RTS/DTR for the pty). Nothing else runs under the shim. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "verdict.h"
#include "vuart_board.h"

#define MAX_CLIENTS 8

static const char usage[] =
	"usage: vuart [options] [-- CMD [ARG...]]\n"
	"  --flash FILE       flash contents (created erased if missing; default vuart-flash.bin)\n"
	"  --layout L         sectors, default 4*16K,1*64K,3*128K (STM32F401xE)\n"
	"  --base ADDR        flash base, default 0x08000000\n"
	"  --pid ID           GET_ID answer, default 0x433 (STM32F401xD/E); 0x431 = F411\n"
	"  --ram-size N       RAM bytes, default 0x18000\n"
	"  --wiring W         none (default: BOOT0 jumper, no reset line), inverted\n"
	"                     (RTS/DTR active low, the usual TTL cable) or direct\n"
	"  --boot0 high|low   BOOT0 jumper when --wiring none (default high)\n"
	"  --legacy-erase     offer ERASE 0x43 instead of EXTENDED ERASE 0x44\n"
	"  --max-baud N       fastest rate autobaud locks on (default 115200)\n"
	"  --fault F          no-answer | nack-write[=N] (refuse the Nth WRITE and later) |\n"
	"                     nack-go | write-protect | read-protect | bad-read (a flipped\n"
	"                     bit in every flash READ: verify fails)\n"
	"  --app-banner TEXT  what the application prints when it starts\n"
	"  --run SPEC         GO and NRST releases run the image on the mcu model (its console\n"
	"                     USART is this port); the verdict is printed at the end (exit 65\n"
	"                     when it does not run; see mcu/verdict.h)\n"
	"  --console-period MS  and again every MS milliseconds while it runs\n"
	"  --usb-dir DIR      show the port as a USB-serial adapter: DIR/serial/by-id/usb-FTDI_..._SN-if00-port0\n"
	"                     and a sysfs view DIR/sys (FLASHKIT_SERIAL_BY_ID and FLASHKIT_SYSFS\n"
	"                     are set for CMD); several vuarts may share DIR\n"
	"  --usb-serial SN    its USB serial (default VUART0001)\n"
	"  --usb-path P       its USB port path (default 1-9)\n"
	"  --link PATH        symlink to the terminal (PORT is then PATH)\n"
	"  --state FILE       board state, rewritten after every change\n"
	"  --log FILE         event log (default stderr)\n"
	"  --shim PATH        ttyshim.so (default: next to vuart)\n";

static void die(const char *fmt, const char *a)
{
	fprintf(stderr, "vuart: ");
	fprintf(stderr, fmt, a);
	fputc('\n', stderr);
	exit(64);
}

static unsigned long num(const char *s, const char *what)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (errno || end == s)
		die("bad number for %s", what);
	if (*end == 'K' || *end == 'k')
		v *= 1024, end++;
	if (*end)
		die("bad number for %s", what);
	return v;
}

static char tmpdir[PATH_MAX];
static char ctl_path[PATH_MAX + 8];
static char wrap_path[PATH_MAX + 32];
static char wrap_dir[PATH_MAX + 8];
static const char *link_path;

static void cleanup(void)
{
	if (link_path)
		unlink(link_path);
	if (ctl_path[0])
		unlink(ctl_path);
	if (wrap_path[0])
		unlink(wrap_path);
	if (wrap_dir[0])
		rmdir(wrap_dir);
	if (tmpdir[0])
		rmdir(tmpdir);
}

/* The first stm32flash on PATH, so the wrapper can run the real one. */
static int find_tool(const char *name, char *out, size_t outlen)
{
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		const char *end = strchr(path, ':');
		size_t len = end ? (size_t)(end - path) : strlen(path);
		snprintf(out, outlen, "%.*s/%s", (int)len, path, name);
		if (len && access(out, X_OK) == 0)
			return 0;
		path += len + (end ? 1 : 0);
	}
	return -1;
}

/* A tiny stm32flash in front of the real one: only the tool under test
 * runs with the shim preloaded. */
static void write_wrapper(const char *shim)
{
	char real[PATH_MAX + 16];
	if (find_tool("stm32flash", real, sizeof real) < 0)
		return; /* tests that need it say so */
	snprintf(wrap_dir, sizeof wrap_dir, "%s/bin", tmpdir);
	snprintf(wrap_path, sizeof wrap_path, "%s/stm32flash", wrap_dir);
	if (mkdir(wrap_dir, 0755) < 0)
		die("mkdir %s failed", wrap_dir);
	FILE *f = fopen(wrap_path, "w");
	if (!f)
		die("cannot write %s", wrap_path);
	fprintf(f, "#!/bin/sh\nLD_PRELOAD='%s'${LD_PRELOAD:+:$LD_PRELOAD} exec '%s' \"$@\"\n",
		shim, real);
	fclose(f);
	chmod(wrap_path, 0755);
}

static void default_shim(char *out, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n < 0)
		n = 0;
	exe[n] = 0;
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = 0;
	snprintf(out, len, "%s/ttyshim.so", exe);
}

/* Handle one message from the shim. */
static void control(struct board *b, const char *msg)
{
	int r, d, bits, stop;
	unsigned baud;
	char par;
	if (sscanf(msg, "lines %d %d", &r, &d) == 2) {
		board_set_lines(b, r, d);
	} else if (sscanf(msg, "framing %u %d %c %d", &baud, &bits, &par, &stop) == 4) {
		struct framing f = { baud, bits, par, stop };
		board_set_framing(b, &f);
	}
}

static void flush_tx(struct board *b, int master)
{
	size_t off = 0;
	while (off < b->tx_len) {
		ssize_t n = write(master, b->tx + off, b->tx_len - off);
		if (n <= 0)
			break; /* the host is not reading: a real UART drops too */
		off += (size_t)n;
	}
	b->tx_len = 0;
}

static void drain_rx(struct board *b, int master)
{
	uint8_t buf[4096];
	for (;;) {
		ssize_t n = read(master, buf, sizeof buf);
		if (n <= 0)
			return;
		for (ssize_t i = 0; i < n; i++) {
			board_rx(b, buf[i]);
			if (b->tx_len > sizeof b->tx / 2)
				flush_tx(b, master);
		}
		flush_tx(b, master);
	}
}

static void put_attr(const char *dir, const char *name, const char *val)
{
	char p[PATH_MAX + 64];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (!f)
		die("cannot write %s", p);
	fprintf(f, "%s\n", val);
	fclose(f);
}

static void mkdir_p(const char *path)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s", path);
	for (char *c = p + 1; *c; c++)
		if (*c == '/') {
			*c = 0;
			mkdir(p, 0755);
			*c = '/';
		}
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		die("cannot create %s", p);
}

static char view_link[PATH_MAX + 128];

static void unlink_view(void)
{
	unlink(view_link);
}

/* --usb-dir: the pty as a USB-serial adapter looks to flashkit list and to
 * SERIAL= / USB_PATH= selection: a by-id link (FTDI naming) to the pty, and
 * a sysfs tree in which class/tty/<pty number> sits under USB device P
 * (0403:6001, serial SN). Nothing outside DIR is touched. */
static void usb_view(const char *dir, const char *sn, const char *path, const char *pty)
{
	char d[PATH_MAX + 128], l[PATH_MAX + 128], t[PATH_MAX + 128];
	/* sysfs names a device with '/' in its name with '!': pts!3 for /dev/pts/3. */
	char tty[64];
	snprintf(tty, sizeof tty, "%.60s", pty + 5);
	for (char *c = tty; *c; c++)
		if (*c == '/')
			*c = '!';
	snprintf(d, sizeof d, "%.3000s/serial/by-id", dir);
	mkdir_p(d);
	snprintf(view_link, sizeof view_link, "%.3000s/usb-FTDI_FT232R_USB_UART_%.64s-if00-port0", d, sn);
	unlink(view_link);
	if (symlink(pty, view_link) < 0)
		die("cannot create %.3000s", view_link);
	atexit(unlink_view);
	snprintf(d, sizeof d, "%.3000s/sys/devices/usb1/%.64s/%.64s:1.0/tty/%.64s", dir, path, path, tty);
	mkdir_p(d);
	snprintf(d, sizeof d, "%.3000s/sys/devices/usb1/%.64s", dir, path);
	put_attr(d, "idVendor", "0403");
	put_attr(d, "idProduct", "6001");
	put_attr(d, "serial", sn);
	put_attr(d, "product", "FT232R USB UART");
	put_attr(d, "busnum", "1");
	put_attr(d, "devnum", "9");
	snprintf(d, sizeof d, "%.3000s/sys/class/tty", dir);
	mkdir_p(d);
	snprintf(l, sizeof l, "%.3000s/%.64s", d, tty);
	snprintf(t, sizeof t, "../../devices/usb1/%.3000s/%.64s:1.0/tty/%.64s", path, path, tty);
	unlink(l);
	if (symlink(t, l) < 0)
		die("cannot create %.3000s", l);
	snprintf(d, sizeof d, "%.3000s/sys/bus/usb/devices", dir);
	mkdir_p(d);
	snprintf(l, sizeof l, "%.3000s/%.64s", d, path);
	snprintf(t, sizeof t, "../../../devices/usb1/%.3000s", path);
	unlink(l);
	if (symlink(t, l) < 0)
		die("cannot create %.3000s", l);
	snprintf(d, sizeof d, "%.3000s/sys", dir);
	setenv("FLASHKIT_SYSFS", d, 1);
	snprintf(d, sizeof d, "%.3000s/serial/by-id", dir);
	setenv("FLASHKIT_SERIAL_BY_ID", d, 1);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "flash", required_argument, 0, 'f' }, { "layout", required_argument, 0, 'L' },
		{ "base", required_argument, 0, 'B' }, { "pid", required_argument, 0, 'p' },
		{ "ram-size", required_argument, 0, 'r' }, { "wiring", required_argument, 0, 'w' },
		{ "boot0", required_argument, 0, '0' }, { "legacy-erase", no_argument, 0, 'e' },
		{ "max-baud", required_argument, 0, 'm' }, { "fault", required_argument, 0, 'F' },
		{ "app-banner", required_argument, 0, 'a' }, { "link", required_argument, 0, 'l' },
		{ "run", required_argument, 0, 'R' },
		{ "state", required_argument, 0, 's' }, { "log", required_argument, 0, 'g' },
		{ "shim", required_argument, 0, 'S' }, { "help", no_argument, 0, 'h' },
		{ "console-period", required_argument, 0, 'P' }, { "usb-dir", required_argument, 0, 'U' },
		{ "usb-serial", required_argument, 0, 'N' }, { "usb-path", required_argument, 0, 'Q' },
		{ 0, 0, 0, 0 },
	};
	const char *flash_path = "vuart-flash.bin", *layout = "4*16K,1*64K,3*128K";
	const char *log_path = NULL, *fault = NULL;
	char shim[PATH_MAX + 16] = "";
	uint32_t base = 0x08000000;
	struct vp_config cfg = { .pid = 0x433, .version = 0x31, .ram_base = 0x20000000,
				 .ram_size = 0x18000 };
	static struct board b;
	int console_ms = 0;
	const char *usb_dir = NULL, *usb_serial = "VUART0001", *usb_path = "1-9";
	b.max_baud = 115200;
	b.boot0_jumper = true;

	int c;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': flash_path = optarg; break;
		case 'L': layout = optarg; break;
		case 'B': base = (uint32_t)num(optarg, "--base"); break;
		case 'p': cfg.pid = (uint16_t)num(optarg, "--pid"); break;
		case 'r': cfg.ram_size = (uint32_t)num(optarg, "--ram-size"); break;
		case 'w':
			if (!strcmp(optarg, "none")) b.wiring = WIRE_NONE;
			else if (!strcmp(optarg, "inverted")) b.wiring = WIRE_INVERTED;
			else if (!strcmp(optarg, "direct")) b.wiring = WIRE_DIRECT;
			else die("--wiring is none, inverted or direct, not '%s'", optarg);
			break;
		case '0':
			if (strcmp(optarg, "high") && strcmp(optarg, "low"))
				die("--boot0 is high or low, not '%s'", optarg);
			b.boot0_jumper = !strcmp(optarg, "high");
			break;
		case 'e': cfg.legacy_erase = true; break;
		case 'm': b.max_baud = (unsigned)num(optarg, "--max-baud"); break;
		case 'F': fault = optarg; break;
		case 'a': b.app_banner = optarg; break;
		case 'R': {
			static struct vboard_run_opt run;
			char m[256];
			if (vboard_run_option(&run, optarg, m, sizeof m) != 0)
				die("%s", m);
			b.run = &run;
			break;
		}
		case 'l': link_path = optarg; break;
		case 's': b.state_path = optarg; break;
		case 'g': log_path = optarg; break;
		case 'S': snprintf(shim, sizeof shim, "%s", optarg); break;
		case 'P': console_ms = (int)num(optarg, "--console-period"); break;
		case 'U': usb_dir = optarg; break;
		case 'N': usb_serial = optarg; break;
		case 'Q': usb_path = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 64;
		}
	}
	char **cmd = optind < argc ? argv + optind : NULL;

	b.log = stderr;
	if (log_path && !(b.log = fopen(log_path, "a")))
		die("cannot open log %s", log_path);
	setvbuf(b.log, NULL, _IOLBF, 0);

	static struct vflash flash;
	char msg[256];
	if (vflash_open(&flash, flash_path, base, layout, msg, sizeof msg) < 0)
		die("%s", msg);
	if (fault) {
		if (!strcmp(fault, "no-answer")) b.no_answer = true;
		else if (!strcmp(fault, "write-protect")) flash.write_protected = true;
		else if (!strcmp(fault, "read-protect")) flash.read_protected = true;
		else if (!strcmp(fault, "nack-go")) cfg.nack_go = true;
		else if (!strcmp(fault, "bad-read")) cfg.bad_read = true;
		else if (!strcmp(fault, "nack-write")) cfg.nack_write_from = 1;
		else if (!strncmp(fault, "nack-write=", 11))
			cfg.nack_write_from = (uint32_t)num(fault + 11, "--fault nack-write=N");
		else die("--fault is no-answer, nack-write[=N], nack-go, write-protect, read-protect or bad-read, "
			 "not '%s'", fault);
	}
	static uint8_t ram[1 << 20];
	if (cfg.ram_size > sizeof ram)
		die("%s", "--ram-size is at most 1M");
	vp_init(&b.proto, &cfg, &flash, ram);

	/* The terminal: we keep a slave open so the master never sees a hangup
	 * while the tool is not connected, and start it raw. */
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
		die("%s", "cannot create a pseudo-terminal");
	const char *slave_name = ptsname(master);
	char slave_path[PATH_MAX];
	snprintf(slave_path, sizeof slave_path, "%s", slave_name);
	int slave = open(slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct termios t;
	if (slave < 0 || tcgetattr(slave, &t) < 0)
		die("cannot open %s", slave_path);
	cfmakeraw(&t);
	t.c_cflag |= HUPCL;
	cfsetspeed(&t, B115200);
	tcsetattr(slave, TCSANOW, &t);
	fcntl(master, F_SETFL, O_NONBLOCK);

	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s/vuart.XXXXXX", tmp);
	if (!mkdtemp(tmpdir))
		die("cannot create a directory in %s", tmp);
	atexit(cleanup);
	snprintf(ctl_path, sizeof ctl_path, "%s/ctl", tmpdir);
	int lsock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(ctl_path) >= sizeof sa.sun_path)
		die("control socket path too long: %s", ctl_path);
	strcpy(sa.sun_path, ctl_path);
	if (lsock < 0 || bind(lsock, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lsock, 4) < 0)
		die("cannot listen on %s", ctl_path);

	if (!shim[0])
		default_shim(shim, sizeof shim);
	if (access(shim, R_OK) < 0)
		die("shim %s not found (build it, or give --shim)", shim);
	write_wrapper(shim);

	const char *port = slave_path;
	if (link_path) {
		unlink(link_path);
		if (symlink(slave_path, link_path) < 0)
			die("cannot create the link %s", link_path);
		port = link_path;
	}

	if (usb_dir)
		usb_view(usb_dir, usb_serial, usb_path, slave_path);

	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGCHLD);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	int sfd = signalfd(-1, &sigs, SFD_CLOEXEC);

	board_power_on(&b);
	flush_tx(&b, master);

	setenv("PORT", port, 1);
	setenv("VUART_TTY", port, 1);
	setenv("VUART_CTL", ctl_path, 1);
	setenv("VUART_SHIM", shim, 1);
	if (wrap_dir[0]) {
		char path[PATH_MAX * 4];
		snprintf(path, sizeof path, "%s:%s", wrap_dir, getenv("PATH") ? getenv("PATH") : "");
		setenv("PATH", path, 1);
	}

	pid_t child = -1;
	if (cmd) {
		child = fork();
		if (child == 0) {
			sigprocmask(SIG_UNBLOCK, &sigs, NULL);
			execvp(cmd[0], cmd);
			fprintf(stderr, "vuart: cannot run %s: %s\n", cmd[0], strerror(errno));
			_exit(127);
		}
	} else {
		printf("PORT=%s\nVUART_TTY=%s\nVUART_CTL=%s\nVUART_SHIM=%s\nVUART_PATH=%s\n# ready\n",
		       port, port, ctl_path, shim, wrap_dir);
		fflush(stdout);
	}

	int clients[MAX_CLIENTS];
	int nclients = 0;
	int status = 0;
	for (;;) {
		struct pollfd pfd[3 + MAX_CLIENTS];
		int n = 0;
		pfd[n++] = (struct pollfd){ .fd = master, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = lsock, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		for (int i = 0; i < nclients; i++)
			pfd[n++] = (struct pollfd){ .fd = clients[i], .events = POLLIN };
		int pr = poll(pfd, (nfds_t)n, console_ms > 0 ? console_ms : -1);
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pr == 0) {
			board_console_tick(&b);
			flush_tx(&b, master);
			continue;
		}
		if (pfd[0].revents & POLLIN)
			drain_rx(&b, master);
		if (pfd[1].revents & POLLIN) {
			int cfd = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
			if (cfd >= 0 && nclients < MAX_CLIENTS)
				clients[nclients++] = cfd;
			else if (cfd >= 0)
				close(cfd);
		}
		for (int i = 0; i < nclients; i++) {
			if (!pfd[3 + i].revents)
				continue;
			char m[128];
			ssize_t len = recv(clients[i], m, sizeof m - 1, MSG_DONTWAIT);
			if (len > 0) {
				m[len] = 0;
				/* Bytes written before the change belong to the old state. */
				drain_rx(&b, master);
				control(&b, m);
				flush_tx(&b, master);
				send(clients[i], "ok", 2, MSG_NOSIGNAL);
			} else if (len == 0 || (errno != EAGAIN && errno != EINTR)) {
				close(clients[i]);
				clients[i] = clients[--nclients];
				pfd[3 + i] = pfd[3 + nclients];
				i--;
			}
		}
		if (pfd[2].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof si) != sizeof si)
				continue;
			if (si.ssi_signo == SIGCHLD) {
				int st;
				if (child > 0 && waitpid(child, &st, WNOHANG) == child) {
					status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
					break;
				}
			} else {
				if (child > 0)
					kill(child, (int)si.ssi_signo);
				else
					break;
			}
		}
	}
	board_write_state(&b);
	vflash_close(&flash);
	return b.run ? vboard_run_finish(b.run, status, stdout) : status;
}
