/* The verdict without a core: the --run spec, the link address from a vector
 * table, the line a person reads, the result file and the exit status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "verdict.h"

static void spec_parse(void **state)
{
	(void)state;
	struct vboard_spec s;
	char msg[256];
	assert_int_equal(vboard_spec_parse(&s,
		"board=nucleo-f401,family=stm32f4,dev=0x433,flash=0x08000000:512K,ram=0x20000000:96K,"
		"hz=16000000,led=A5,usart=2,tx=A2:7,ms=300,result=/tmp/r", msg, sizeof msg), 0);
	assert_string_equal(s.board, "nucleo-f401");
	assert_int_equal(s.fam, MCU_F4);
	assert_int_equal(s.dev_id, 0x433);
	assert_int_equal(s.flash_size, 512 * 1024);
	assert_int_equal(s.ram_size, 96 * 1024);
	assert_int_equal(s.app, 0x08000000);
	assert_int_equal(s.led_port, 0);
	assert_int_equal(s.led_pin, 5);
	assert_int_equal(s.usart, 2);
	assert_int_equal(s.tx_port, 0);
	assert_int_equal(s.tx_pin, 2);
	assert_int_equal(s.tx_af, 7);
	assert_string_equal(s.result, "/tmp/r");

	assert_int_equal(vboard_spec_parse(&s, "board=crazyflie2,family=stm32f4,bootloader=16K,led=C0,tx=C10:7,usart=3", msg, sizeof msg), 0);
	assert_int_equal(s.app, 0x08004000); /* after the bootloader unless app= says */
	assert_int_equal(s.tx_port, 2);
	assert_int_equal(s.tx_pin, 10);
	assert_int_equal(vboard_spec_parse(&s, "family=h7,led=-", msg, sizeof msg), 0);
	assert_int_equal(s.fam, MCU_H7);
	assert_int_equal(s.led_port, -1);
	assert_string_equal(s.board, "h7");

	assert_int_equal(vboard_spec_parse(&s, "family=stm32z9", msg, sizeof msg), -1);
	assert_non_null(strstr(msg, "family"));
	assert_int_equal(vboard_spec_parse(&s, "led=Q5", msg, sizeof msg), -1);
	assert_int_equal(vboard_spec_parse(&s, "colour=red", msg, sizeof msg), -1);
	assert_non_null(strstr(msg, "unknown key 'colour'"));
	assert_int_equal(vboard_spec_parse(&s, "usart=7", msg, sizeof msg), -1);
	assert_int_equal(vboard_spec_parse(&s, "flash=0x08000000", msg, sizeof msg), -1);
}

/* A flash image in memory for the link-address reader. */
static uint8_t mem[64 * 1024];
static bool mem_read(void *ctx, uint32_t addr, uint8_t *buf, uint32_t len)
{
	(void)ctx;
	if (addr < 0x08000000u || addr - 0x08000000u + len > sizeof mem)
		return false;
	memcpy(buf, mem + (addr - 0x08000000u), len);
	return true;
}

static void put_table(uint32_t at, uint32_t linked, uint32_t len)
{
	uint8_t *p = mem + (at - 0x08000000u);
	memset(p, 0x00, len); /* "code" */
	uint32_t v[16] = { 0x20018000u };
	for (int i = 1; i < 16; i++)
		v[i] = (i >= 7 && i <= 10) || i == 13 ? 0 : linked + 0x100 + 2 * (uint32_t)i + 1;
	memcpy(p, v, sizeof v);
}

static void linked_base(void **state)
{
	(void)state;
	struct vboard_spec s;
	char msg[64];
	vboard_spec_parse(&s, "flash=0x08000000:64K,bootloader=16K", msg, sizeof msg);
	struct vboard_reader rd = { mem_read, NULL };

	/* linked for 0x08000000, placed at 0x08004000 (the Crazyflie mistake) */
	memset(mem, 0xFF, sizeof mem);
	put_table(0x08004000, 0x08000000, 400);
	assert_int_equal(vboard_linked_base(&s, &rd, 0x08004000), 0x08000000);
	/* linked where it runs */
	memset(mem, 0xFF, sizeof mem);
	put_table(0x08004000, 0x08004000, 400);
	assert_int_equal(vboard_linked_base(&s, &rd, 0x08004000), 0x08004000);
	/* linked for 0x08004000, placed at 0x08000000 on a board without a bootloader */
	vboard_spec_parse(&s, "flash=0x08000000:64K", msg, sizeof msg);
	memset(mem, 0xFF, sizeof mem);
	put_table(0x08000000, 0x08004000, 400);
	assert_int_equal(vboard_linked_base(&s, &rd, 0x08000000), 0x08004000);
	/* an erased table says nothing */
	memset(mem, 0xFF, sizeof mem);
	assert_int_equal(vboard_linked_base(&s, &rd, 0x08000000), 0x08000000);
}

static void verdict_lines(void **state)
{
	(void)state;
	struct vboard_result r;
	struct vboard_facts f = { .boot_at = 0x08000000, .linked_at = 0x08000000, .ms = 300,
				  .led_port = 0, .led_pin = 5, .led_level = 1, .led_toggles = 6,
				  .other_port = -1, .other_pin = -1,
				  .console = "blinky on nucleo-f401\r\n", .lost_why = "" };
	vboard_verdict_text(&f, &r);
	assert_int_equal(r.kind, VB_RUNNING);
	assert_string_equal(r.verdict,
			    "running: LED PA5 toggled 6 times in 300 ms, console: 'blinky on nucleo-f401'");

	f.led_toggles = 0;
	f.led_level = -1;
	f.other_port = 1, f.other_pin = 0, f.other_toggles = 6;
	f.console = "";
	f.lost = 23;
	f.lost_why = "its TX pin PA2 is not in alternate function 7";
	vboard_verdict_text(&f, &r);
	assert_string_equal(r.verdict, "running: LED PA5 never driven in 300 ms (PB0 toggled 6 times), "
				       "console: nothing (23 bytes written, but its TX pin PA2 is not in "
				       "alternate function 7)");

	struct vboard_facts h = { .boot_at = 0x08004000, .linked_at = 0x08000000, .faulted = true,
				  .fault_pc = 0x08000134, .instructions = 12, .fault_what = "undefined instruction",
				  .led_port = 2, .other_port = -1 };
	vboard_verdict_text(&h, &r);
	assert_int_equal(r.kind, VB_FAULT);
	assert_string_equal(r.verdict, "HardFault at 0x08000134 after 12 instructions: the image is "
				       "linked for 0x08000000 but runs at 0x08004000");
	h.linked_at = 0x08004000;
	vboard_verdict_text(&h, &r);
	assert_string_equal(r.verdict, "HardFault at 0x08000134 after 12 instructions: undefined instruction");

	struct vboard_facts e = { .boot_at = 0x08004000, .erased = true, .faulted = true };
	vboard_verdict_text(&e, &r);
	assert_int_equal(r.kind, VB_NO_APP);
	assert_string_equal(r.verdict, "no application: the flash at 0x08004000 is erased");
}

static void result_file_and_status(void **state)
{
	(void)state;
	char path[] = "/tmp/test_verdict.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct vboard_result r = { .kind = VB_FAULT, .instructions = 12, .toggles = 0 }, back;
	snprintf(r.verdict, sizeof r.verdict, "HardFault at 0x08000134 after 12 instructions: x");
	snprintf(r.console, sizeof r.console, "hello\r\nsecond\r\n");
	assert_int_equal(vboard_result_save(path, &r), 0);
	assert_int_equal(vboard_result_load(path, &back), 0);
	assert_int_equal(back.kind, VB_FAULT);
	assert_int_equal(back.instructions, 12);
	assert_string_equal(back.verdict, r.verdict);
	assert_string_equal(back.console, r.console);
	unlink(path);
	assert_int_equal(vboard_result_load(path, &back), -1);

	assert_int_equal(vboard_exit_status(0, &r), 65);
	assert_int_equal(vboard_exit_status(74, &r), 74);
	r.kind = VB_RUNNING;
	assert_int_equal(vboard_exit_status(0, &r), 0);
	r.kind = VB_ERROR;
	assert_int_equal(vboard_exit_status(0, &r), 70);
	assert_int_equal(vboard_exit_status(0, NULL), 0);

	char out[512] = "";
	FILE *f = fmemopen(out, sizeof out, "w");
	struct vboard_spec s;
	char msg[64];
	vboard_spec_parse(&s, "board=nucleo-f401", msg, sizeof msg);
	vboard_result_print(f, &s, &r);
	fclose(f);
	assert_string_equal(out, "  RUN     nucleo-f401 (virtual, 300 ms): HardFault at 0x08000134 after 12 instructions: x\n"
				 "  CONSOLE hello\n  CONSOLE second\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spec_parse),
		cmocka_unit_test(linked_base),
		cmocka_unit_test(verdict_lines),
		cmocka_unit_test(result_file_and_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
