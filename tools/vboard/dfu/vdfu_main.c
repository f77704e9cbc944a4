/* vdfu: run a command against a virtual STM32 ROM DFU bootloader.
 *
 *   vdfu run [options] -- CMD ARGS...
 *
 * This file: options, the families' memory, the command's life; the bus
 * (devices coming and going) is vdfu_bus.c.
 * Builds a umockdev testbed (a root hub and the board on bus 1), serves the
 * board's usbdevfs ioctls while CMD runs under libumockdev-preload, and
 * exits with CMD's status. Devices come and go as on a real bus: :leave
 * unplugs the bootloader (and, with --app, the application enumerates with
 * a DFU runtime interface), DFU_DETACH brings the bootloader back. */
#include "vdfu.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct vboard vb, vb2;

void vdfu_swap_board(void)
{
	/* The lock comes first and stays where it is: it is held now. */
	static struct vboard tmp;
	size_t off = offsetof(struct vboard, flash);
	memcpy((char *)&tmp + off, (char *)&vb + off, sizeof vb - off);
	memcpy((char *)&vb + off, (char *)&vb2 + off, sizeof vb - off);
	memcpy((char *)&vb2 + off, (char *)&tmp + off, sizeof vb - off);
}


/* The families' memory as their ROM bootloaders describe it. */
static const struct family {
	const char *name, *mcu;
	const char *flash;     /* DfuSe layout of the internal flash */
	const char *single;    /* single-bank layout the ROM's page erase uses (F7 dual bank) */
	const char *opt;       /* option bytes alt */
	const char *otp;
} families[] = {
	{ "f4", "STM32F405/407 (1 MiB)", "/0x08000000/04*016Kg,01*064Kg,07*128Kg", NULL,
	  "@Option Bytes  /0x1FFFC000/01*016 e", "@OTP Memory /0x1FFF7800/01*512 e,01*016 e" },
	{ "f401", "STM32F401xE (512 KiB)", "/0x08000000/04*016Kg,01*064Kg,03*128Kg", NULL,
	  "@Option Bytes  /0x1FFFC000/01*016 e", "@OTP Memory /0x1FFF7800/01*512 e,01*016 e" },
	{ "f7", "STM32F767 dual bank (2 x 1 MiB)",
	  "/0x08000000/04*016Kg,01*064Kg,07*128Kg,04*016Kg,01*064Kg,07*128Kg", "4*32K,1*128K,7*256K",
	  "@Option Bytes  /0x1FFF0000/01*032 e", "@OTP Memory /0x1FF0F000/01*1Ke" },
	{ "f7-single", "STM32F767 single bank (2 MiB)", "/0x08000000/04*032Kg,01*128Kg,07*256Kg", NULL,
	  "@Option Bytes  /0x1FFF0000/01*032 e", "@OTP Memory /0x1FF0F000/01*1Ke" },
};

void vdfu_event(const char *fmt, ...)
{
	va_list ap;
	if (vb.events) {
		va_start(ap, fmt);
		vfprintf(vb.events, fmt, ap);
		va_end(ap);
		fputc('\n', vb.events);
		fflush(vb.events);
	}
	if (vb.verbose) {
		fputs("vdfu: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
}

/* "/0x08000000/04*016Kg,01*064Kg" -> base and "04*016K,01*064K" for vflash. */
static int parse_dfuse_layout(const char *s, uint32_t *base, char *out, size_t outlen)
{
	if (*s == '@')
		s = strchr(s, '/');
	if (!s || *s != '/')
		return -1;
	char *end;
	*base = (uint32_t)strtoul(s + 1, &end, 0);
	if (*end != '/')
		return -1;
	size_t o = 0;
	for (const char *p = end + 1; *p && o + 1 < outlen; p++) {
		if ((*p >= '0' && *p <= '9') || *p == '*' || *p == ',' || *p == 'K' || *p == 'M')
			out[o++] = *p;
		else if (*p == ' ' || (*p >= 'a' && *p <= 'g') || *p == 'B')
			continue;
		else
			return -1;
	}
	out[o] = 0;
	return o ? 0 : -1;
}

static void add_ram_alt(const char *name)
{
	struct valt *a = &vb.alts[vb.nalts];
	char lay[128];
	struct vflash tmp;
	char msg[128];
	if (parse_dfuse_layout(name, &a->base, lay, sizeof lay) < 0 ||
	    vflash_parse_layout(&tmp, lay, msg, sizeof msg) < 0)
		return;
	g_strlcpy(a->name, name, sizeof a->name);
	a->size = tmp.size;
	a->writable = true;
	a->ram = g_malloc(a->size);
	memset(a->ram, 0xFF, a->size);
	vb.nalts++;
}

static G_GNUC_NORETURN void usage(int code)
{
	fprintf(code ? stderr : stdout,
		"usage: vdfu run [OPTIONS] -- COMMAND [ARGS...]\n"
		"Runs COMMAND with a virtual STM32 ROM DFU bootloader (0483:df11) on a\n"
		"umockdev USB bus, and exits with COMMAND's status.\n\n"
		"  --family F          f4 (default), f401, f7 (dual bank), f7-single\n"
		"  --layout L          internal flash layout, e.g. /0x08000000/04*016Kg,01*064Kg,07*128Kg\n"
		"  --flash-file PATH   keep the flash here (default: a temporary file)\n"
		"  --serial SN         USB serial number (default 3574364C3034)\n"
		"  --appear-after S    the bootloader shows up S seconds late (a user pressing buttons;\n"
		"                      with --start app, the application leaves then)\n"
		"  --start dfu|app|none  what is on the bus at first (default dfu)\n"
		"  --app               the application enumerates with a DFU runtime interface\n"
		"  --other             also attach an unrelated DFU device (1209:2003)\n"
		"  --other-board SN    also attach another STM32 bootloader (0483:df11, serial SN)\n"
		"  --other-flash-file PATH  ... as a second board of the same kind: its own flash\n"
		"                      here, its own DFU state, USB path 1-2 (no faults, no --run)\n"
		"  --detach-delay S    seconds from detach/leave to re-enumeration (default 0.3)\n"
		"  --poll-ms N         bwPollTimeout for erase/program (default 5)\n"
		"  --events FILE       log what the board did (erase, leave, plug, ...)\n"
		"  --run SPEC          :leave runs the image on the mcu model; the verdict is printed\n"
		"                      at the end (exit 65 when it does not run; see mcu/verdict.h)\n"
		"  --fault F           stall=BYTE, disconnect=BYTE, no-leave, leave-no-status,\n"
		"                      no-detach, rdp, access\n"
		"  -v                  log to stderr\n");
	exit(code);
}

static int parse_fault(const char *f)
{
	if (strncmp(f, "stall=", 6) == 0)
		vb.faults.stall_at = strtol(f + 6, NULL, 0);
	else if (strncmp(f, "disconnect=", 11) == 0)
		vb.faults.disconnect_at = strtol(f + 11, NULL, 0);
	else if (strcmp(f, "no-leave") == 0)
		vb.faults.no_leave = true;
	else if (strcmp(f, "leave-no-status") == 0)
		vb.faults.leave_no_status = true;
	else if (strcmp(f, "no-detach") == 0)
		vb.faults.no_detach = true;
	else if (strcmp(f, "rdp") == 0)
		vb.faults.rdp = true;
	else if (strcmp(f, "access") == 0)
		vb.faults.access = true;
	else
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *family = "f4", *layout = NULL, *flash_file = NULL, *start = "dfu";
	const char *events = NULL;
	double appear_after = 0;
	bool other = false;
	const char *other_flash = NULL, *other_sn = NULL;
	int i;

	vb.serial = "3574364C3034";
	vb.poll_ms = 5;
	vb.detach_delay = 0.3;
	vb.faults.stall_at = vb.faults.disconnect_at = -1;
	g_mutex_init(&vb.lock);

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		usage(argc < 2 ? 64 : 0);
	if (strcmp(argv[1], "run") != 0)
		usage(64);
	for (i = 2; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *o = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name) (strcmp(o, name) == 0 && v && (i++, 1))
		if (ARG("--family"))
			family = v;
		else if (ARG("--layout"))
			layout = v;
		else if (ARG("--flash-file"))
			flash_file = v;
		else if (ARG("--serial"))
			vb.serial = v;
		else if (ARG("--appear-after"))
			appear_after = g_ascii_strtod(v, NULL);
		else if (ARG("--start"))
			start = v;
		else if (ARG("--detach-delay"))
			vb.detach_delay = g_ascii_strtod(v, NULL);
		else if (ARG("--poll-ms"))
			vb.poll_ms = (unsigned)strtoul(v, NULL, 0);
		else if (ARG("--events"))
			events = v;
		else if (ARG("--run")) {
			char msg[256];
			if (vboard_run_option(&vb.run, v, msg, sizeof msg) < 0) {
				fprintf(stderr, "vdfu: %s\n", msg);
				return 64;
			}
		}
		else if (ARG("--fault")) {
			if (parse_fault(v) < 0) {
				fprintf(stderr, "vdfu: unknown fault '%s'\n", v);
				return 64;
			}
		} else if (strcmp(o, "--app") == 0)
			vb.app_usb = true;
		else if (strcmp(o, "--other") == 0)
			other = true;
		else if (ARG("--other-flash-file"))
			other_flash = v;
		else if (ARG("--other-board")) {
			other = true;
			other_sn = v;
			vdfu_bus_other_board(v, false);
		}
		else if (strcmp(o, "-v") == 0)
			vb.verbose = true;
		else if (strcmp(o, "--help") == 0)
			usage(0);
		else {
			fprintf(stderr, "vdfu: unknown option '%s' (see vdfu --help)\n", o);
			return 64;
		}
#undef ARG
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "vdfu: no command given: vdfu run [OPTIONS] -- COMMAND...\n");
		return 64;
	}
	char **cmd = argv + i + 1;

	const struct family *fam = NULL;
	for (size_t k = 0; k < G_N_ELEMENTS(families); k++)
		if (strcmp(families[k].name, family) == 0)
			fam = &families[k];
	if (!fam) {
		fprintf(stderr, "vdfu: unknown family '%s' (f4, f401, f7, f7-single)\n", family);
		return 64;
	}

	/* Alt 0: internal flash. */
	struct valt *fa = &vb.alts[0];
	const char *flay = layout ? layout : fam->flash;
	char vlay[256];
	if (parse_dfuse_layout(flay, &fa->base, vlay, sizeof vlay) < 0) {
		fprintf(stderr, "vdfu: bad layout '%s' (want /0x08000000/04*016Kg,...)\n", flay);
		return 64;
	}
	snprintf(fa->name, sizeof fa->name, "@Internal Flash  %s", strchr(flay, '/'));
	fa->is_flash = true;
	vb.nalts = 1;

	char tmpdir[] = "/tmp/vdfu.XXXXXX";
	char *tmp_flash = NULL;
	if (!flash_file) {
		if (!mkdtemp(tmpdir)) {
			perror("vdfu: mkdtemp");
			return 70;
		}
		tmp_flash = g_build_filename(tmpdir, "flash.bin", NULL);
		flash_file = tmp_flash;
	}
	char msg[256];
	if (vflash_open(&vb.flash, flash_file, fa->base, vlay, msg, sizeof msg) < 0) {
		fprintf(stderr, "vdfu: %s\n", msg);
		return 66;
	}
	fa->size = vb.flash.size;
	vb.flash.read_protected = vb.faults.rdp;
	if (fam->single && !layout) {
		vb.dual_bank_erase_bug = true;
		vb.single_bank_layout = fam->single;
	}
	add_ram_alt(fam->opt);
	add_ram_alt(fam->otp);
	if (vb.alts[1].ram)
		vb.alts[1].ram[0] = vb.faults.rdp ? 0x00 : 0xAA; /* RDP byte */
	vdfu_dfuse_reset();

	if (events) {
		vb.events = fopen(events, "a");
		if (!vb.events) {
			fprintf(stderr, "vdfu: %s: %s\n", events, strerror(errno));
			return 66;
		}
	}

	if (other_flash) {
		if (!other_sn) {
			fprintf(stderr, "vdfu: --other-flash-file goes with --other-board SN\n");
			return 64;
		}
		/* The same family and layout, a flash of its own, fresh RAM alts. */
		size_t off = offsetof(struct vboard, flash);
		memcpy((char *)&vb2 + off, (char *)&vb + off, sizeof vb - off);
		if (vflash_open(&vb2.flash, other_flash, fa->base, vlay, msg, sizeof msg) < 0) {
			fprintf(stderr, "vdfu: %s\n", msg);
			return 66;
		}
		for (unsigned k = 1; k < vb2.nalts; k++)
			if (vb.alts[k].ram)
				vb2.alts[k].ram = g_memdup2(vb.alts[k].ram, vb.alts[k].size);
		if (vb2.alts[1].ram)
			vb2.alts[1].ram[0] = 0xAA;
		memset(&vb2.faults, 0, sizeof vb2.faults);
		vb2.faults.stall_at = vb2.faults.disconnect_at = -1;
		vb2.flash.read_protected = false;
		memset(&vb2.run, 0, sizeof vb2.run);
		vb2.serial = other_sn;
		vb2.app_usb = false;
		vb2.events = NULL;
		vdfu_bus_other_board(other_sn, true);
	}

	if (strcmp(start, "dfu") != 0 && strcmp(start, "app") != 0 && strcmp(start, "none") != 0) {
		fprintf(stderr, "vdfu: --start takes dfu, app or none\n");
		return 64;
	}
	vusb_init(&vb.lock);
	vdfu_bus_start(start, appear_after, other);
	const char *env[] = { "VDFU_FLASH", flash_file, NULL };
	int rc = vusb_run(cmd, env, vb.faults.access, "vdfu");
	vdfu_bus_settle();

	g_mutex_lock(&vb.lock);
	vflash_close(&vb.flash);
	if (other_flash)
		vflash_close(&vb2.flash);
	g_mutex_unlock(&vb.lock);
	vdfu_bus_stop(); /* removes the testbed directory */
	if (tmp_flash) {
		unlink(tmp_flash);
		rmdir(tmpdir);
	}
	if (vb.events)
		fclose(vb.events);
	return vboard_run_finish(&vb.run, rc, stdout);
}
