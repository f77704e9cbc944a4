/* vstlink: run a command with a virtual ST-LINK on a umockdev USB bus.
 *
 *   vstlink [OPTIONS] -- COMMAND [ARGS...]
 *
 * The probe is wired to a virtual STM32 (tools/vboard/mcu) whose flash is a
 * file (--flash-file), so a test can compare it with the image; its event
 * log (--events) says what the probe and the core did. */
#include "vstlink.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "verdict.h"

GMutex vstlink_lock;

/* The chips of the boards OpenOCD flashes: what the DP and DBGMCU answer,
 * RAM and the flash layout. */
static const struct chip {
	const char *name, *family;
	uint32_t dev_id, dpidr, ram_size_kib, flash_kib;
	const char *layout;
} chips[] = {
	{ "stm32f401re", "stm32f4", 0x433, 0x2ba01477, 96, 512, "4*16K,1*64K,3*128K" },
	{ "stm32f405rg", "stm32f4", 0x413, 0x2ba01477, 128, 1024, "4*16K,1*64K,7*128K" },
	{ "stm32f407vg", "stm32f4", 0x413, 0x2ba01477, 128, 1024, "4*16K,1*64K,7*128K" },
	{ "stm32f446re", "stm32f4", 0x421, 0x2ba01477, 128, 512, "4*16K,1*64K,3*128K" },
	{ "stm32f767zi", "stm32f7", 0x451, 0x5ba02477, 512, 2048, "4*32K,1*128K,7*256K" },
	{ "stm32h743zi", "stm32h7", 0x450, 0x6ba02477, 128, 2048, "16*128K" },
	{ "stm32l476rg", "stm32l4", 0x415, 0x2ba01477, 96, 1024, "512*2K" },
	{ "stm32g071rb", "stm32g0", 0x460, 0x0bc11477, 36, 128, "64*2K" },
	{ "stm32c031c6", "stm32c0", 0x453, 0x0bc11477, 12, 32, "16*2K" },
};

static FILE *events;
static bool verbose;

static void vlog(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void vlog(const char *fmt, ...)
{
	va_list ap;
	if (events) {
		va_start(ap, fmt);
		vfprintf(events, fmt, ap);
		va_end(ap);
		fputc('\n', events);
		fflush(events);
	}
	if (verbose) {
		fputs("vstlink: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
}

static G_GNUC_NORETURN void usage(int code)
{
	fprintf(code ? stderr : stdout,
		"usage: vstlink [OPTIONS] -- COMMAND [ARGS...]\n"
		"Runs COMMAND with a virtual ST-LINK/V2-1 (0483:374b) on a umockdev USB bus,\n"
		"wired to a virtual STM32, and exits with COMMAND's status.\n\n"
		"  --chip NAME         the target: stm32f401re (default), stm32f405rg, stm32f407vg,\n"
		"                      stm32f446re, stm32f767zi, stm32h743zi, stm32l476rg,\n"
		"                      stm32g071rb, stm32c031c6\n"
		"  --flash-file PATH   keep the flash here (default: a temporary file)\n"
		"  --serial SN         the probe's USB serial (default 066DFF343339415043084126)\n"
		"  --v3                an STLINK-V3 (0483:374e, V3J7M2B3S1) instead\n"
		"  --firmware VER      firmware version it reports, e.g. V2J37M26\n"
		"  --voltage V         target voltage (default 3.25)\n"
		"  --slice N           instructions the core runs per probe command (default 20000)\n"
		"  --events FILE       log what the probe and the core did\n"
		"  --run SPEC          after OpenOCD is done, a core left running (reset run) runs on\n"
		"                      with the board's peripherals; the verdict is printed at the end\n"
		"                      (exit 65 when the image does not run; see mcu/verdict.h)\n"
		"  --fault F           no-power, swd-dead, rdp, old-firmware, unreliable[=BYTES[@KHZ]],\n"
		"                      access, no-probe, two-probes\n"
		"  --second SN         a second board of the same kind: another probe (serial SN, which\n"
		"                      may equal --serial; USB path 1-2) wired to its own chip\n"
		"  --second-flash-file PATH  that chip's flash (default: a temporary file)\n"
		"  -v                  log to stderr\n");
	exit(code);
}

struct faults {
	bool no_power, swd_dead, rdp, old_firmware, access, no_probe, two_probes;
	long unreliable_after;
	unsigned unreliable_khz;
};

static int parse_fault(struct faults *f, const char *s)
{
	if (strcmp(s, "no-power") == 0)
		f->no_power = true;
	else if (strcmp(s, "swd-dead") == 0)
		f->swd_dead = true;
	else if (strcmp(s, "rdp") == 0)
		f->rdp = true;
	else if (strcmp(s, "old-firmware") == 0)
		f->old_firmware = true;
	else if (strcmp(s, "access") == 0)
		f->access = true;
	else if (strcmp(s, "no-probe") == 0)
		f->no_probe = true;
	else if (strcmp(s, "two-probes") == 0)
		f->two_probes = true;
	else if (strncmp(s, "unreliable", 10) == 0 && (s[10] == 0 || s[10] == '=')) {
		/* unreliable[=BYTES[@KHZ]]: writes fail once BYTES were written,
		 * while the SWD clock is above KHZ (0: at any speed) */
		f->unreliable_after = 4096;
		f->unreliable_khz = 0;
		if (s[10] == '=') {
			char *end;
			f->unreliable_after = strtol(s + 11, &end, 0);
			if (*end == '@')
				f->unreliable_khz = (unsigned)strtoul(end + 1, &end, 0);
			if (*end)
				return -1;
		}
	} else
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *chip_name = "stm32f401re", *flash_file = NULL, *events_path = NULL;
	const char *serial = "066DFF343339415043084126", *firmware = NULL;
	const char *second = NULL, *second_flash = NULL;
	struct faults f = { .unreliable_after = -1 };
	struct vstlink_cfg cfg;
	struct vboard_run_opt run = { 0 };
	bool v3 = false;
	int i;

	vstlink_default_cfg(&cfg);
	if (argc < 2)
		usage(64);
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *o = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name) (strcmp(o, name) == 0 && v && (i++, 1))
		if (ARG("--chip"))
			chip_name = v;
		else if (ARG("--flash-file"))
			flash_file = v;
		else if (ARG("--serial"))
			serial = v;
		else if (ARG("--second"))
			second = v;
		else if (ARG("--second-flash-file"))
			second_flash = v;
		else if (ARG("--firmware"))
			firmware = v;
		else if (ARG("--voltage"))
			cfg.voltage = g_ascii_strtod(v, NULL);
		else if (ARG("--slice"))
			cfg.slice = strtoull(v, NULL, 0);
		else if (ARG("--events"))
			events_path = v;
		else if (ARG("--run")) {
			char m[256];
			if (vboard_run_option(&run, v, m, sizeof m) < 0) {
				fprintf(stderr, "vstlink: %s\n", m);
				return 64;
			}
		}
		else if (ARG("--fault")) {
			if (parse_fault(&f, v) < 0) {
				fprintf(stderr, "vstlink: unknown fault '%s' (see vstlink --help)\n", v);
				return 64;
			}
		} else if (strcmp(o, "--v3") == 0)
			v3 = true;
		else if (strcmp(o, "-v") == 0)
			verbose = true;
		else if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0)
			usage(0);
		else {
			fprintf(stderr, "vstlink: unknown option '%s' (see vstlink --help)\n", o);
			return 64;
		}
#undef ARG
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "vstlink: no command given: vstlink [OPTIONS] -- COMMAND...\n");
		return 64;
	}
	char **cmd = argv + i + 1;

	const struct chip *chip = NULL;
	for (size_t k = 0; k < G_N_ELEMENTS(chips); k++)
		if (strcmp(chips[k].name, chip_name) == 0)
			chip = &chips[k];
	if (!chip) {
		fprintf(stderr, "vstlink: unknown chip '%s' (see vstlink --help)\n", chip_name);
		return 64;
	}

	if (v3) {
		cfg.hw = 3, cfg.jtag = 7, cfg.msd = 2, cfg.bridge = 3, cfg.swim = 1;
		cfg.pid = 0x374e;
	}
	if (f.old_firmware && !firmware)
		firmware = v3 ? "V3J2M1" : "V2J17M4";
	if (firmware && vstlink_parse_version(&cfg, firmware) < 0) {
		fprintf(stderr, "vstlink: bad firmware version '%s' (want e.g. V2J37M26)\n", firmware);
		return 64;
	}
	cfg.old_firmware = f.old_firmware;
	cfg.dpidr = chip->dpidr;
	cfg.swd_dead = f.swd_dead;
	if (f.no_power)
		cfg.voltage = 0.0;
	cfg.unreliable_after = f.unreliable_after;
	cfg.unreliable_khz = f.unreliable_khz;

	if (events_path) {
		events = fopen(events_path, "a");
		if (!events) {
			fprintf(stderr, "vstlink: %s: %s\n", events_path, strerror(errno));
			return 66;
		}
	}

	char tmpdir[] = "/tmp/vstlink.XXXXXX";
	char *tmp_flash = NULL;
	if (!flash_file) {
		if (!mkdtemp(tmpdir)) {
			perror("vstlink: mkdtemp");
			return 70;
		}
		tmp_flash = g_build_filename(tmpdir, "flash.bin", NULL);
		flash_file = tmp_flash;
	}
	char msg[256];
	struct vflash flash;
	if (vflash_open(&flash, flash_file, 0x08000000, chip->layout, msg, sizeof msg) < 0) {
		fprintf(stderr, "vstlink: %s\n", msg);
		return 66;
	}
	struct mcu_config mc = { 0 };
	if (mcu_chip_init(&mc.chip, chip->family, chip->dev_id, 0x20000000,
			  chip->ram_size_kib * 1024, chip->flash_kib) < 0) {
		fprintf(stderr, "vstlink: the mcu model does not know the family %s\n", chip->family);
		return 70;
	}
	g_strlcpy(mc.chip.name, chip->name, sizeof mc.chip.name);
	mc.flash = &flash;
	mc.log = events;
	mc.rdp_level = f.rdp ? 1 : 0;
	mc.powered = cfg.voltage >= 1.0;
	struct mcu *mcu = mcu_new(&mc, msg, sizeof msg);
	if (!mcu) {
		fprintf(stderr, "vstlink: %s\n", msg);
		return 70;
	}

	if (run.set && vboard_attach(mcu, &run.spec, msg, sizeof msg) != 0) {
		fprintf(stderr, "vstlink: %s\n", msg);
		return 70;
	}

	/* --second: the same chip again, behind a probe of its own. */
	char tmpdir2[] = "/tmp/vstlink.XXXXXX";
	char *tmp_flash2 = NULL;
	struct vflash flash2;
	struct mcu *mcu2 = NULL;
	if (second) {
		if (!second_flash) {
			if (!mkdtemp(tmpdir2)) {
				perror("vstlink: mkdtemp");
				return 70;
			}
			tmp_flash2 = g_build_filename(tmpdir2, "flash.bin", NULL);
			second_flash = tmp_flash2;
		}
		if (vflash_open(&flash2, second_flash, 0x08000000, chip->layout, msg, sizeof msg) < 0) {
			fprintf(stderr, "vstlink: %s\n", msg);
			return 66;
		}
		struct mcu_config mc2 = mc;
		mc2.flash = &flash2;
		mc2.rdp_level = 0;
		mc2.powered = true;
		mcu2 = mcu_new(&mc2, msg, sizeof msg);
		if (!mcu2) {
			fprintf(stderr, "vstlink: %s\n", msg);
			return 70;
		}
	}

	char ver[32];
	vstlink_version_string(&cfg, ver, sizeof ver);
	vlog("stlink: probe %04x:%04x serial %s firmware %s, target %s%s%s%s", cfg.vid, cfg.pid,
	     serial, ver, chip->name, f.no_power ? " (not powered)" : "",
	     f.swd_dead ? " (SWD not answering)" : "", f.rdp ? " (RDP level 1)" : "");

	g_mutex_init(&vstlink_lock);
	vusb_init(&vstlink_lock);
	vusb_bus_start();

	struct vprobe probe = { 0 }, other = { 0 };
	g_strlcpy(probe.serial, serial, sizeof probe.serial);
	vstlink_init(&probe.st, &cfg, mcu, events);
	vstlink_usb_build(&probe);
	probe.usb.ops = &vstlink_usb_ops;
	probe.usb.port = "1-1";
	probe.usb.no_access = f.access;
	if (!f.no_probe) {
		vusb_plug(&probe.usb);
		vlog("stlink: plug %04x:%04x %s", cfg.vid, cfg.pid, probe.usb.devnode);
	}
	if (f.two_probes) {
		/* a second ST-LINK, with nothing wired to it */
		struct vstlink_cfg oc = cfg;
		oc.voltage = 0.0;
		g_strlcpy(other.serial, "0671FF555052836687163344", sizeof other.serial);
		vstlink_init(&other.st, &oc, mcu, NULL);
		vstlink_usb_build(&other);
		other.usb.ops = &vstlink_usb_ops;
		other.usb.port = "1-2";
		vusb_plug(&other.usb);
		vlog("stlink: plug %04x:%04x %s (second probe, serial %s)", cfg.vid, cfg.pid,
		     other.usb.devnode, other.serial);
	}

	struct vprobe board2 = { 0 };
	if (second) {
		struct vstlink_cfg c2 = cfg;
		c2.voltage = 3.25;
		c2.swd_dead = false;
		c2.unreliable_after = -1;
		g_strlcpy(board2.serial, second, sizeof board2.serial);
		vstlink_init(&board2.st, &c2, mcu2, events);
		vstlink_usb_build(&board2);
		board2.usb.ops = &vstlink_usb_ops;
		board2.usb.port = f.two_probes ? "1-3" : "1-2";
		vusb_plug(&board2.usb);
		vlog("stlink: plug %04x:%04x %s (second board, serial %s)", cfg.vid, cfg.pid,
		     board2.usb.devnode, board2.serial);
	}

	const char *env[] = { "VSTLINK_FLASH", flash_file, NULL };
	int rc = vusb_run(cmd, env, f.access, "vstlink");

	g_mutex_lock(&vstlink_lock);
	if (run.set && rc == 0 && !mcu_halted(mcu)) {
		/* OpenOCD left the core running (reset run): it runs on. */
		vboard_run_result(mcu, run.spec.ms, NULL, &run.last);
		run.ran = true;
		vlog("run: %s", run.last.verdict);
	}
	if (run.set)
		vboard_detach(mcu);
	struct mcu_status st;
	mcu_status(mcu, &st);
	vlog("stlink: done: %llu commands, %llu bytes written, %llu read",
	     (unsigned long long)probe.st.commands, (unsigned long long)probe.st.bytes_written,
	     (unsigned long long)probe.st.bytes_read);
	vlog("mcu: %u algorithm runs from RAM (the last at 0x%08x); flash programmed %llu bytes; "
	     "%llu instructions", st.algo_runs, st.algo_addr, (unsigned long long)st.flash_programmed,
	     (unsigned long long)st.instructions);
	mcu_free(mcu);
	vflash_close(&flash);
	if (mcu2) {
		mcu_free(mcu2);
		vflash_close(&flash2);
	}
	g_mutex_unlock(&vstlink_lock);
	vusb_bus_stop();
	if (tmp_flash) {
		unlink(tmp_flash);
		rmdir(tmpdir);
	}
	if (tmp_flash2) {
		unlink(tmp_flash2);
		rmdir(tmpdir2);
	}
	if (events)
		fclose(events);
	return vboard_run_finish(&run, rc, stdout);
}
