/* vrun: run an image on the virtual STM32 without a flash tool, and print the
 * verdict. For trying a firmware quickly, the benchmark (instructions per
 * second of the core) and the tests of the verdict itself.
 *
 *   vrun --run SPEC [--flash-file F] [--layout L] [--image FILE [--at ADDR]]
 *        [--boot ADDR] [--quiet]
 *
 * --image writes FILE (raw binary) at ADDR (default: the spec's app address)
 * into the flash (erasing the sectors it covers, as a programmer would), then
 * the chip boots from --boot (default: the flash base: a reset) and runs for
 * the spec's ms. Exit: 0 running, 65 fault or no application, 64 usage,
 * 66 missing input, 70 the model failed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "verdict.h"

static void usage(FILE *f)
{
	fputs("usage: vrun --run SPEC [--flash-file F] [--layout L] [--image FILE [--at ADDR]]\n"
	      "            [--boot ADDR] [--quiet] [--stats]\n"
	      "SPEC is the board's data as makefiles/virtual.mk writes it, e.g.\n"
	      "  board=nucleo-f401,family=stm32f4,dev=0x433,flash=0x08000000:512K,"
	      "ram=0x20000000:96K,hz=16000000,led=A5,usart=2,tx=A2:7,ms=300\n",
	      f);
}

static void console_out(void *ctx, uint8_t b)
{
	(void)ctx;
	(void)b;
}

int main(int argc, char **argv)
{
	const char *spec_text = NULL, *flash_file = NULL, *layout = NULL, *image = NULL;
	long long at = -1, boot = -1;
	bool quiet = false, stats = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--run") && v)
			spec_text = v, i++;
		else if (!strcmp(a, "--flash-file") && v)
			flash_file = v, i++;
		else if (!strcmp(a, "--layout") && v)
			layout = v, i++;
		else if (!strcmp(a, "--image") && v)
			image = v, i++;
		else if (!strcmp(a, "--at") && v)
			at = strtoll(v, NULL, 0), i++;
		else if (!strcmp(a, "--boot") && v)
			boot = strtoll(v, NULL, 0), i++;
		else if (!strcmp(a, "--quiet"))
			quiet = true;
		else if (!strcmp(a, "--stats"))
			stats = true;
		else if (!strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 64;
		}
	}
	if (!spec_text) {
		usage(stderr);
		return 64;
	}
	struct vboard_spec s;
	char msg[512];
	if (vboard_spec_parse(&s, spec_text, msg, sizeof msg) != 0) {
		fprintf(stderr, "vrun: %s\n", msg);
		return 64;
	}
	char tmp[] = "/tmp/vrun.XXXXXX";
	bool temp = !flash_file;
	if (temp) {
		int fd = mkstemp(tmp);
		if (fd < 0) {
			perror("vrun: mkstemp");
			return 70;
		}
		close(fd);
		unlink(tmp); /* vflash_open creates it erased */
		flash_file = tmp;
	}
	char lay[32];
	if (!layout) {
		/* Uniform pages (at most VFLASH_MAX_SECTORS): enough to place an image. */
		uint32_t page = 2048;
		while (s.flash_size / page > VFLASH_MAX_SECTORS)
			page *= 2;
		snprintf(lay, sizeof lay, "%u*%uK", s.flash_size / page, page / 1024);
		layout = lay;
	}
	struct vflash f;
	if (vflash_open(&f, flash_file, s.flash_base, layout, msg, sizeof msg) != 0) {
		fprintf(stderr, "vrun: %s\n", msg);
		return 66;
	}
	int rc = 0;
	if (image) {
		FILE *in = fopen(image, "rb");
		if (!in) {
			fprintf(stderr, "vrun: %s: %s\n", image, strerror(errno));
			rc = 66;
			goto out;
		}
		static uint8_t buf[4 << 20];
		size_t n = fread(buf, 1, sizeof buf, in);
		fclose(in);
		uint32_t a = at >= 0 ? (uint32_t)at : s.app;
		if (!vflash_contains(&f, a, n)) {
			fprintf(stderr, "vrun: %zu bytes at 0x%08x do not fit the flash\n", n, a);
			rc = 65;
			goto out;
		}
		for (int sec = vflash_sector_of(&f, a); sec >= 0 && vflash_sector_addr(&f, (unsigned)sec) < a + n; sec++)
			vflash_erase_sector(&f, (unsigned)sec);
		vflash_program(&f, a, buf, n, false);
	}
	struct vboard_result r;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	vboard_boot_and_judge(&s, &f, boot >= 0 ? (uint32_t)boot : s.flash_base, "reset", console_out,
			      NULL, &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!quiet)
		vboard_result_print(stdout, &s, &r);
	if (stats) {
		double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		printf("instructions=%llu seconds=%.3f ips=%.0f\n", (unsigned long long)r.instructions, secs,
		       secs > 0 ? (double)r.instructions / secs : 0.0);
	}
	rc = vboard_exit_status(0, &r);
out:
	vflash_close(&f);
	if (temp)
		unlink(tmp);
	return rc;
}
