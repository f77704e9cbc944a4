/* image_check: every rule, its message, and the API the copy command uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "image.h"

#define FLASH 0x08000000u
#define RAM 0x20000000u

struct log {
	unsigned n;
	char msg[8][512];
};

static void collect(void *ctx, const char *msg)
{
	struct log *l = ctx;
	if (l->n < 8)
		snprintf(l->msg[l->n], sizeof l->msg[0], "%s", msg);
	l->n++;
}

/* A plausible application: vector table with sp, reset, then len bytes. */
static void app(struct image *img, uint32_t addr, uint32_t sp, uint32_t reset, size_t len,
		uint8_t alt)
{
	uint8_t buf[4096] = { 0 };
	assert_true(len >= 8 && len <= sizeof buf);
	for (int i = 0; i < 4; i++) {
		buf[i] = (uint8_t)(sp >> (8 * i));
		buf[4 + i] = (uint8_t)(reset >> (8 * i));
	}
	struct fk_err e = { 0 };
	assert_int_equal(image_add(img, addr, buf, len, alt, "t", &e), 0);
}

static struct check_opts board(void)
{
	/* Crazyflie 2: 1 MiB flash, 128 KiB RAM, 16 KiB bootloader */
	struct check_opts c = { .name = "fw.bin", .flash_base = FLASH, .flash_size = 1024 * 1024,
				.has_ram = true, .ram_base = RAM, .ram_size = 128 * 1024 };
	assert_true(check_add_protect(&c, FLASH, 16 * 1024));
	return c;
}

/* Run the check; expect exactly n failures, the first containing needle. */
static void expect(const struct image *img, const struct check_opts *c, unsigned n,
		   const char *needle)
{
	struct log l = { 0 };
	unsigned got = image_check_all(img, c, collect, &l);
	for (unsigned i = 0; i < l.n && i < 8; i++) {
		assert_null(strchr(l.msg[i], '\n'));
		assert_true(strncmp(l.msg[i], "fw.bin: ", 8) == 0);
	}
	if (got != n)
		fail_msg("expected %u failures, got %u (first: %s)", n, got, l.n ? l.msg[0] : "-");
	if (needle && !strstr(l.msg[0], needle))
		fail_msg("message \"%s\" lacks \"%s\"", l.msg[0], needle);
	struct fk_err e = { 0 };
	int rc = image_check(img, c, &e);
	assert_int_equal(rc, n ? FK_EDATA : 0);
	if (n)
		assert_string_equal(e.msg, l.msg[0]);
}

static void ok_application(void **state)
{
	(void)state;
	struct image img;
	image_init(&img);
	app(&img, FLASH + 0x4000, RAM + 0x20000, FLASH + 0x4189, 1024, 0);
	struct check_opts c = board();
	expect(&img, &c, 0, NULL);
	char line[512];
	check_summary(&img, &c, line, sizeof line);
	assert_string_equal(line, "fw.bin: OK: 0x08004000-0x080043ff, 1024 bytes (0.1% of 1 MiB flash at 0x08000000), clear of 0x08000000-0x08003fff, SP 0x20020000, reset 0x08004189");
	image_free(&img);
}

static void sp_at_ram_end_is_valid_ram_base_is_not(void **state)
{
	(void)state;
	struct check_opts c = board();
	struct image img;
	image_init(&img);
	app(&img, FLASH + 0x4000, RAM + 128 * 1024, FLASH + 0x4011, 64, 0);
	expect(&img, &c, 0, NULL);
	image_free(&img);

	image_init(&img);
	app(&img, FLASH + 0x4000, RAM + 128 * 1024 + 4, FLASH + 0x4011, 64, 0);
	expect(&img, &c, 1, "initial SP 0x20020004 (the word at 0x08004000) is outside RAM 0x20000000-0x2001ffff");
	image_free(&img);

	image_init(&img);
	app(&img, FLASH + 0x4000, RAM, FLASH + 0x4011, 64, 0);
	expect(&img, &c, 1, "initial SP 0x20000000");
	image_free(&img);

	image_init(&img);
	app(&img, FLASH + 0x4000, RAM + 0x1002, FLASH + 0x4011, 64, 0);
	expect(&img, &c, 1, "initial SP 0x20001002 (the word at 0x08004000) is not word-aligned");
	image_free(&img);
}

static void protected_region(void **state)
{
	(void)state;
	struct check_opts c = board();
	struct image img;
	image_init(&img);
	app(&img, FLASH, RAM + 0x20000, FLASH + 0x189, 1024, 0);
	expect(&img, &c, 1, "fw.bin: image starts at 0x08000000, inside the protected bootloader region 0x08000000-0x08003fff; link the application at 0x08004000 (IMAGE_OFFSET) or use the recovery target");
	image_free(&img);

	/* ends exactly where a region starts: clear of it */
	struct check_opts c2 = board();
	c2.nprotect = 0;
	assert_true(check_add_protect(&c2, FLASH + 0x8000, 0x4000));
	image_init(&img);
	app(&img, FLASH + 0x7000, RAM + 0x20000, FLASH + 0x7101, 4096, 0);
	expect(&img, &c2, 0, NULL);
	image_free(&img);
}

static void protected_overlap_range(void **state)
{
	(void)state;
	struct check_opts c = board();
	c.nprotect = 0;
	assert_true(check_add_protect(&c, FLASH + 0x8000, 0x4000));
	assert_true(check_add_protect(&c, FLASH + 0xF0000, 0x10000));
	struct image img;
	image_init(&img);
	app(&img, FLASH + 0x7000, RAM + 0x20000, FLASH + 0x7101, 8, 0);
	uint8_t blob[0x2000] = { 0 };
	struct fk_err e = { 0 };
	assert_int_equal(image_add(&img, FLASH + 0x7800, blob, sizeof blob, 0, "t", &e), 0);
	assert_int_equal(image_add(&img, FLASH + 0xFFFF0, blob, 16, 0, "t", &e), 0);
	struct log l = { 0 };
	assert_int_equal(image_check_all(&img, &c, collect, &l), 2);
	assert_non_null(strstr(l.msg[0], "data at 0x08008000-0x080097ff overlaps the protected bootloader region 0x08008000-0x0800bfff; keep the application clear of it (link it at or after 0x0800c000)"));
	assert_non_null(strstr(l.msg[1], "data at 0x080ffff0-0x080fffff overlaps the protected bootloader region 0x080f0000-0x080fffff"));
	image_free(&img);
}

static void flash_bounds(void **state)
{
	(void)state;
	struct check_opts c = board();
	c.nprotect = 0;
	struct image img;

	/* a .bin read without --address sits at 0 */
	image_init(&img);
	app(&img, 0, RAM + 0x20000, FLASH + 0x101, 64, 0);
	expect(&img, &c, 1, "image starts at 0x00000000, below flash 0x08000000-0x080fffff; a raw .bin carries no address: give --address 0x08000000");
	image_free(&img);

	image_init(&img);
	app(&img, 0x07ff0000, RAM + 0x20000, FLASH + 0x101, 64, 0);
	expect(&img, &c, 1, "data at 0x07ff0000 is below flash");
	image_free(&img);

	/* 16 bytes too many */
	image_init(&img);
	app(&img, FLASH + 0x100000 - 4096, RAM + 0x20000, FLASH + 0x100000 - 4096 + 0x101, 4096, 0);
	uint8_t extra[16] = { 0 };
	struct fk_err e = { 0 };
	assert_int_equal(image_add(&img, FLASH + 0x100000, extra, 16, 0, "t", &e), 0);
	expect(&img, &c, 1, "image ends at 0x0810000f, 16 bytes past the end of flash 0x08000000-0x080fffff (1 MiB)");
	image_free(&img);

	/* a second region far away (system memory) */
	image_init(&img);
	app(&img, FLASH, RAM + 0x20000, FLASH + 0x101, 64, 0);
	assert_int_equal(image_add(&img, 0x1fff0000, extra, 16, 0, "t", &e), 0);
	expect(&img, &c, 1, "data at 0x1fff0000-0x1fff000f lies beyond flash 0x08000000-0x080fffff");
	image_free(&img);
}

static void reset_vector(void **state)
{
	(void)state;
	struct check_opts c = board();
	struct image img;
	image_init(&img);
	app(&img, FLASH + 0x4000, RAM + 0x20000, FLASH + 0x4018, 64, 0);
	expect(&img, &c, 1, "reset vector 0x08004018 (the word at 0x08004004) is even; Cortex-M runs Thumb code only");
	image_free(&img);

	image_init(&img);
	app(&img, FLASH + 0x4000, RAM + 0x20000, 0x00000189, 64, 0);
	expect(&img, &c, 1, "reset vector 0x00000189 (the word at 0x08004004) points outside flash 0x08000000-0x080fffff");
	image_free(&img);

	/* reset at the last halfword of the image is still inside; one past it,
	 * in flash but outside the image, is not */
	image_init(&img);
	app(&img, FLASH + 0x4000, RAM + 0x20000, FLASH + 0x403F, 64, 0);
	expect(&img, &c, 0, NULL);
	image_free(&img);
	image_init(&img);
	app(&img, FLASH + 0x4000, RAM + 0x20000, FLASH + 0x40041, 64, 0);
	expect(&img, &c, 1, "reset vector 0x08040041 (the word at 0x08004004) points outside the image 0x08004000-0x0800403f: the vector table belongs to an image linked for another address");
	image_free(&img);

	/* a placed .bin: the address it looks linked for, and what to change */
	image_init(&img);
	app(&img, FLASH + 0x4000, RAM + 0x20000, FLASH + 0x11, 64, 0);
	c.placed = true;
	expect(&img, &c, 1, "reset vector 0x08000011 (the word at 0x08004004) points outside the image 0x08004000-0x0800403f: it looks linked for 0x08000000, not for 0x08004000 where it is written; link it for 0x08004000 (the FLASH origin in its linker script); 0x08000000-0x08003fff is the bootloader's");
	image_free(&img);
	image_init(&img);
	app(&img, FLASH, RAM + 0x20000, FLASH + 0x4011, 64, 0);
	c.nprotect = 0;
	expect(&img, &c, 1, "it looks linked for 0x08004000, not for 0x08000000 where it is written; link it for 0x08000000 (the FLASH origin in its linker script), or write it at 0x08004000 (IMAGE_OFFSET=0x4000 through make, --address 0x08004000 here)");
	image_free(&img);
	c = board();

	/* SP and reset both wrong: no vector table, one line saying so */
	image_init(&img);
	app(&img, FLASH + 0x4000, 0x30000000, 0x20000000, 64, 0);
	expect(&img, &c, 1, "this does not look like firmware: no Cortex-M vector table at 0x08004000 (initial SP 0x30000000, reset vector 0x20000000)");
	image_free(&img);
}

/* The link address rule: known from the ELF (or a file with addresses), it
 * must be where the image is written; one line, and nothing else reported. */
static void linked_for_another_address(void **state)
{
	(void)state;
	struct check_opts c = board();
	struct image img;
	image_init(&img);
	app(&img, FLASH + 0x4000, RAM + 0x20000, FLASH + 0x11, 64, 0);
	c.has_at = true;
	c.at = FLASH + 0x4000;
	c.has_link = true;
	c.link = FLASH;
	c.link_name = "fw.elf";
	expect(&img, &c, 1, "fw.bin: made from fw.elf, which is linked for 0x08000000, but is to be written at 0x08004000 (the application address): link it for 0x08004000 (the FLASH origin in its linker script); 0x08000000-0x08003fff is the bootloader's");
	c.link_name = NULL;
	expect(&img, &c, 1, "fw.bin: linked for 0x08000000 but to be written at 0x08004000");
	c.link = FLASH + 0x4000;
	expect(&img, &c, 1, "points outside the image"); /* the vector rule still applies */
	image_free(&img);
	/* nucleo-f401 style: no bootloader, linked above the flash start */
	struct check_opts n = { .name = "fw.bin", .flash_base = FLASH, .flash_size = 512 * 1024,
				.has_ram = true, .ram_base = RAM, .ram_size = 96 * 1024,
				.has_at = true, .at = FLASH, .has_link = true, .link = FLASH + 0x4000 };
	image_init(&img);
	app(&img, FLASH, RAM + 0x18000, FLASH + 0x4011, 64, 0);
	expect(&img, &n, 1, "fw.bin: linked for 0x08004000 but to be written at 0x08000000 (the application address): link it for 0x08000000 (the FLASH origin in its linker script), or write it at 0x08004000 (IMAGE_OFFSET=0x4000 through make, --address 0x08004000 here)");
	image_free(&img);
}

static void without_ram(void **state)
{
	(void)state;
	struct check_opts c = board();
	c.has_ram = false;
	struct image img;
	static const struct {
		uint32_t sp;
		const char *msg;
	} bad[] = {
		{ 0xFFFFFFFF, "initial SP is 0xffffffff (the word at 0x08004000): erased flash" },
		{ 0, "initial SP is 0x00000000 (the word at 0x08004000): zero" },
		{ FLASH + 0x1000, "initial SP 0x08001000 (the word at 0x08004000) points into flash" },
		{ 0x10000001, "is not word-aligned" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		image_init(&img);
		app(&img, FLASH + 0x4000, bad[i].sp, FLASH + 0x4011, 64, 0);
		expect(&img, &c, 1, bad[i].msg);
		image_free(&img);
	}
	/* CCM RAM on an F4 is fine without a RAM range */
	image_init(&img);
	app(&img, FLASH + 0x4000, 0x10010000, FLASH + 0x4011, 64, 0);
	expect(&img, &c, 0, NULL);
	image_free(&img);
}

static void short_and_empty(void **state)
{
	(void)state;
	struct check_opts c = board();
	struct image img;
	struct fk_err e = { 0 };
	image_init(&img);
	expect(&img, &c, 1, "fw.bin: the image holds no data");
	assert_int_equal(image_add(&img, FLASH + 0x4000, (const uint8_t *)"abcd", 4, 0, "t", &e), 0);
	expect(&img, &c, 1, "only 4 bytes at the image's lowest address 0x08004000: too short for a Cortex-M vector table");
	c.no_vectors = true;
	expect(&img, &c, 0, NULL);
	image_free(&img);
}

static void only_alt0_checked(void **state)
{
	(void)state;
	struct check_opts c = board();
	struct image img;
	image_init(&img);
	app(&img, FLASH + 0x4000, RAM + 0x20000, FLASH + 0x4011, 64, 0);
	/* option bytes on alt 1: outside flash, but not checked */
	app(&img, 0x1fffc000, 0xffffffff, 0xffffffff, 16, 1);
	expect(&img, &c, 0, NULL);
	image_free(&img);

	image_init(&img);
	app(&img, 0x1fffc000, 0xffffffff, 0xffffffff, 16, 1);
	expect(&img, &c, 1, "no data for alt setting 0 (internal flash); only alt 1 is present");
	image_free(&img);
}

static void vector_table_at_lowest_address(void **state)
{
	(void)state;
	/* Data placed after a gap below the application does not count: the
	 * vector table is at the image's lowest address. */
	struct check_opts c = board();
	struct image img;
	image_init(&img);
	app(&img, FLASH + 0x8000, RAM + 0x20000, FLASH + 0x8101, 64, 0);
	app(&img, FLASH + 0x4000, 0xffffffff, 0xffffffff, 64, 0);
	expect(&img, &c, 1, "no Cortex-M vector table at 0x08004000 (initial SP 0xffffffff");
	image_free(&img);
}

static void bad_options(void **state)
{
	(void)state;
	struct image img;
	image_init(&img);
	struct fk_err e = { 0 };
	struct check_opts c = { 0 };
	assert_int_equal(image_check(&img, &c, &e), FK_EUSAGE);
	struct check_opts d = board();
	d.ram_size = 0;
	struct fk_err e2 = { 0 };
	assert_int_equal(image_check(&img, &d, &e2), FK_EUSAGE);
	struct check_opts f = board();
	for (int i = 1; i < CHECK_MAX_PROTECT; i++)
		assert_true(check_add_protect(&f, 0, 1));
	assert_false(check_add_protect(&f, 0, 1));
	image_free(&img);
}

static void default_name(void **state)
{
	(void)state;
	struct check_opts c = board();
	c.name = NULL;
	struct image img;
	image_init(&img);
	struct fk_err e = { 0 };
	assert_int_equal(image_check(&img, &c, &e), FK_EDATA);
	assert_string_equal(e.msg, "image: the image holds no data");
	image_free(&img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ok_application),
		cmocka_unit_test(sp_at_ram_end_is_valid_ram_base_is_not),
		cmocka_unit_test(protected_region),
		cmocka_unit_test(protected_overlap_range),
		cmocka_unit_test(flash_bounds),
		cmocka_unit_test(reset_vector),
		cmocka_unit_test(linked_for_another_address),
		cmocka_unit_test(without_ram),
		cmocka_unit_test(short_and_empty),
		cmocka_unit_test(only_alt0_checked),
		cmocka_unit_test(vector_table_at_lowest_address),
		cmocka_unit_test(bad_options),
		cmocka_unit_test(default_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
