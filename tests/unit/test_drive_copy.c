/* Writing onto the drive: one file, front to back, replacing a leftover,
 * never following a symlink; reading FAIL.TXT as one line. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "drive_copy.h"

static char dir[64];
static int dirfd_;

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/fk-drive-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	dirfd_ = open(dir, O_RDONLY | O_DIRECTORY);
	return dirfd_ < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	close(dirfd_);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *name, const char *text)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static size_t calls, last_done;

static void progress(size_t done, size_t total, void *arg)
{
	(void)arg;
	assert_true(done > last_done);
	assert_true(done <= total);
	last_done = done;
	calls++;
}

static void copy_in_chunks(void **state)
{
	(void)state;
	uint8_t data[10000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7);
	struct fk_err e = { 0 };
	calls = last_done = 0;
	assert_int_equal(drive_copy(dirfd_, "TEST", "FLASHKIT.BIN", data, sizeof data, 4096, progress,
				    NULL, &e),
			 0);
	assert_int_equal(calls, 3);
	assert_int_equal(last_done, sizeof data);
	char p[256];
	snprintf(p, sizeof p, "%s/FLASHKIT.BIN", dir);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, sizeof data);
	/* A second copy replaces the leftover. */
	assert_int_equal(drive_copy(dirfd_, "TEST", "FLASHKIT.BIN", data, 10, 0, NULL, NULL, &e), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, 10);
	unlink(p);
}

static void symlink_not_followed(void **state)
{
	(void)state;
	/* Someone left FLASHKIT.BIN as a link to a file outside the drive:
	 * the link is replaced, its target is not written. */
	char victim[128], link[256];
	snprintf(victim, sizeof victim, "%s-victim", dir);
	FILE *f = fopen(victim, "w");
	assert_non_null(f);
	fputs("precious", f);
	fclose(f);
	snprintf(link, sizeof link, "%s/FLASHKIT.BIN", dir);
	assert_int_equal(symlink(victim, link), 0);
	struct fk_err e = { 0 };
	assert_int_equal(drive_copy(dirfd_, "TEST", "FLASHKIT.BIN", (const uint8_t *)"new", 3, 0, NULL,
				    NULL, &e),
			 0);
	struct stat st;
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	char buf[16] = "";
	f = fopen(victim, "r");
	assert_non_null(fgets(buf, sizeof buf, f));
	fclose(f);
	assert_string_equal(buf, "precious");
	unlink(victim);
	unlink(link);
}

static void has_file_any_case(void **state)
{
	(void)state;
	put("Mbed.htm", "x");
	char actual[64];
	assert_true(drive_has_file(dirfd_, "MBED.HTM", actual, sizeof actual));
	assert_string_equal(actual, "Mbed.htm");
	assert_false(drive_has_file(dirfd_, "DETAILS.TXT", NULL, 0));
	char p[256];
	snprintf(p, sizeof p, "%s/Mbed.htm", dir);
	unlink(p);
}

static void fail_txt(void **state)
{
	(void)state;
	char text[256];
	assert_false(drive_read_fail(dirfd_, text, sizeof text));
	put("fail.txt", "error: The hex file cannot be decoded. Checksum calculation failure occurred.\r\n"
			"type: user\r\n\x01");
	assert_true(drive_read_fail(dirfd_, text, sizeof text));
	assert_string_equal(text, "error: The hex file cannot be decoded. Checksum calculation failure occurred.; type: user");
	/* Truncated, never overflowing. */
	char small[12];
	assert_true(drive_read_fail(dirfd_, small, sizeof small));
	assert_true(strlen(small) < sizeof small);
	put("fail.txt", "");
	assert_true(drive_read_fail(dirfd_, text, sizeof text));
	assert_string_equal(text, "(FAIL.TXT is empty)");
	char p[256];
	snprintf(p, sizeof p, "%s/fail.txt", dir);
	unlink(p);
}

static void open_dir_checks_device(void **state)
{
	(void)state;
	struct stat st;
	assert_int_equal(stat(dir, &st), 0);
	struct drive d = { 0 };
	snprintf(d.point, sizeof d.point, "%s", dir);
	snprintf(d.label, sizeof d.label, "TEST");
	d.major = major(st.st_dev);
	d.minor = minor(st.st_dev);
	struct fk_err e = { 0 };
	int fd = drive_open_dir(&d, &e);
	assert_true(fd >= 0);
	close(fd);
	/* Another device than the mount table said: refused. */
	d.minor++;
	assert_int_equal(drive_open_dir(&d, &e), -1);
	assert_int_equal(e.code, FK_EUNAVAIL);
	/* A symlink on the way: refused. */
	char link[128];
	snprintf(link, sizeof link, "%s-link", dir);
	assert_int_equal(symlink(dir, link), 0);
	snprintf(d.point, sizeof d.point, "%s/.", link);
	d.minor--;
	struct fk_err e2 = { 0 };
	assert_int_equal(drive_open_dir(&d, &e2), -1);
	assert_non_null(strstr(e2.msg, "symlink"));
	unlink(link);
}

static void dest_names(void **state)
{
	(void)state;
	assert_string_equal(drive_dest_name(false), "FLASHKIT.BIN");
	assert_string_equal(drive_dest_name(true), "FLASHKIT.HEX");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(copy_in_chunks),
		cmocka_unit_test(symlink_not_followed),
		cmocka_unit_test(has_file_any_case),
		cmocka_unit_test(fail_txt),
		cmocka_unit_test(open_dir_checks_device),
		cmocka_unit_test(dest_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
