/* check_arg and check_file: the options and the check 'check' and 'copy'
 * share. The lines themselves are pinned by test_check.c and, for the two
 * commands side by side, by tests/drive/test_copy_check.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "check_file.h"

/* A file holding a vector table (sp, reset) and then zeros; the name ends
 * in ext. Returns a malloc'd path. */
static char *vt_file(uint32_t sp, uint32_t reset, size_t len, const char *ext)
{
	static int n;
	char *path = malloc(80);
	assert_non_null(path);
	snprintf(path, 80, "/tmp/fk-test-check-file-%d-%d.%s", (int)getpid(), n++, ext);
	uint8_t buf[256] = { 0 };
	assert_true(len <= sizeof buf);
	for (int i = 0; i < 4; i++) {
		buf[i] = (uint8_t)(sp >> (8 * i));
		buf[4 + i] = (uint8_t)(reset >> (8 * i));
	}
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	if (!strcmp(ext, "hex")) {
		/* One data record at 0x0800_0000 + 0x4000: extended linear address 0x0800. */
		fprintf(f, ":020000040800F2\n");
		for (size_t off = 0; off < len; off += 16) {
			unsigned a = 0x4000 + (unsigned)off, sum = 16 + (a >> 8) + (a & 0xFF);
			fprintf(f, ":10%04X00", a);
			for (size_t i = 0; i < 16; i++) {
				fprintf(f, "%02X", buf[off + i]);
				sum += buf[off + i];
			}
			fprintf(f, "%02X\n", (unsigned)(-sum & 0xFF));
		}
		fprintf(f, ":00000001FF\n");
	} else {
		assert_int_equal(fwrite(buf, 1, len, f), len);
	}
	assert_int_equal(fclose(f), 0);
	return path;
}

static struct check_args parse(int argc, char **argv, int want_rc)
{
	struct check_args a = { 0 };
	struct fk_err e = { 0 };
	for (int i = 0; i < argc; i++) {
		int rc = check_arg(&a, "t", argc, argv, &i, &e);
		if (rc < 0) {
			assert_int_equal(want_rc, -1);
			assert_int_equal(e.code, FK_EUSAGE);
			return a;
		}
		assert_int_equal(rc, 1);
	}
	assert_int_equal(want_rc, 0);
	return a;
}

static void test_args(void **state)
{
	(void)state;
	char *ok[] = { "--flash", "0x08000000:512K", "--ram=0x20000000:96K", "--protect",
		       "0x08000000:16K", "--address", "0x08004000", "--elf", "fw.elf", "--no-vectors" };
	struct check_args a = parse(10, ok, 0);
	assert_true(a.has_flash && a.c.flash_base == 0x08000000u && a.c.flash_size == 512 * 1024);
	assert_true(a.c.has_ram && a.c.ram_size == 96 * 1024);
	assert_int_equal(a.c.nprotect, 1);
	assert_true(a.has_address && a.address == 0x08004000u);
	assert_string_equal(a.elf, "fw.elf");
	assert_true(a.c.no_vectors);

	char *bad[] = { "--flash", "nope" };
	parse(2, bad, -1);
	char *missing[] = { "--address" };
	parse(1, missing, -1);
	/* Not ours: left for the command. */
	struct check_args b = { 0 };
	struct fk_err e = { 0 };
	char *other[] = { "--label", "X" };
	int i = 0;
	assert_int_equal(check_arg(&b, "t", 2, other, &i, &e), 0);
	assert_int_equal(i, 0);
}

static int run(const char *path, struct check_args *a, struct fk_err *e)
{
	struct image img;
	image_init(&img);
	int rc = check_file(path, a, &img, e);
	image_free(&img);
	return rc;
}

static struct check_args f401(void)
{
	struct check_args a = { .has_flash = true,
				.c = { .flash_base = 0x08000000u, .flash_size = 512 * 1024,
				       .has_ram = true, .ram_base = 0x20000000u, .ram_size = 96 * 1024 } };
	return a;
}

static void test_bin_placed_at_the_default_base(void **state)
{
	(void)state;
	/* Linked for 0x08004000 (reset 0x08004021), 64 bytes. */
	char *p = vt_file(0x20018000u, 0x08004021u, 64, "bin");
	struct check_args a = f401();
	struct fk_err e = { 0 };
	/* check: a .bin without --address is at 0, outside flash */
	assert_int_equal(run(p, &a, &e), FK_EDATA);
	assert_int_equal(e.code, 0);    /* the lines went out already */
	/* copy: at the start of flash, where it looks linked for 0x08004000 */
	a.has_bin_base = true;
	a.bin_base = 0x08000000u;
	assert_int_equal(run(p, &a, &e), FK_EDATA);
	assert_int_equal(e.code, 0);
	/* at 0x08004000 it passes, given as --address or as the default */
	a.bin_base = 0x08004000u;
	assert_int_equal(run(p, &a, &e), 0);
	a.has_bin_base = false;
	a.has_address = true;
	a.address = 0x08004000u;
	assert_int_equal(run(p, &a, &e), 0);
	/* no flash range: only read */
	struct check_args none = { 0 };
	assert_int_equal(run(p, &none, &e), 0);
	unlink(p);
	free(p);
}

static void test_hex_and_the_application_address(void **state)
{
	(void)state;
	/* A hex at 0x08004000 linked for it. */
	char *p = vt_file(0x20018000u, 0x08004021u, 64, "hex");
	struct check_args a = f401();
	struct fk_err e = { 0 };
	a.has_bin_base = true;          /* copy's default does not move a hex */
	a.bin_base = 0x08000000u;
	assert_int_equal(run(p, &a, &e), 0);
	a.has_address = true;           /* linked for 0x08004000, to be written at 0x08000000 */
	a.address = 0x08000000u;
	assert_int_equal(run(p, &a, &e), FK_EDATA);
	assert_int_equal(e.code, 0);
	a.address = 0x08004000u;
	assert_int_equal(run(p, &a, &e), 0);
	unlink(p);
	free(p);
}

static void test_unreadable_files(void **state)
{
	(void)state;
	struct check_args a = f401();
	struct fk_err e = { 0 };
	assert_int_equal(run("/nonexistent/fw.bin", &a, &e), FK_ENOINPUT);
	assert_int_equal(e.code, FK_ENOINPUT);
	char *p = vt_file(0x20018000u, 0x080001C1u, 64, "bin");
	a.elf = "/nonexistent/fw.elf";
	struct fk_err e2 = { 0 };
	assert_int_equal(run(p, &a, &e2), FK_ENOINPUT);
	assert_int_equal(e2.code, FK_ENOINPUT);
	unlink(p);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_bin_placed_at_the_default_base),
		cmocka_unit_test(test_hex_and_the_application_address),
		cmocka_unit_test(test_unreadable_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
