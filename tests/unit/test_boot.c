/* The boot sequence on the real core: the vector table at the boot address,
 * erased flash as "no application", the Crazyflie bootloader stand-in when
 * its region is erased, a reset vector into erased flash as a HardFault named
 * with the link address, and a running image's pin toggles and time. */
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

/* RCC->AHB1ENR = 1; GPIOA->MODER = 0xA8000400 (PA5 output); for (;;) GPIOA->ODR ^= 1 << 5;
 * Position independent but for the reset vector (word 1). */
static const uint8_t toggler[] = {
	0x00, 0x10, 0x00, 0x20, 0x09, 0x00, 0x00, 0x08, 0x05, 0x48, 0x01, 0x21, 0x01, 0x60, 0x05,
	0x48, 0x05, 0x49, 0x01, 0x60, 0x41, 0x69, 0x81, 0xf0, 0x20, 0x01, 0x41, 0x61, 0xfa, 0xe7,
	0x00, 0x00, 0x30, 0x38, 0x02, 0x40, 0x00, 0x00, 0x02, 0x40, 0x00, 0x04, 0x00, 0xa8,
};

/* SysTick every 1 ms (RVR 15999, TICKINT) whose handler toggles PA5; main sleeps in WFI.
 * Linked for 0x08000000 (reset 0x08000041, SysTick_Handler 0x0800005d). */
static const uint8_t systick_irq[] = {
	0x00, 0x10, 0x00, 0x20, 0x41, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x5d, 0x00, 0x00, 0x08, 0x09, 0x48, 0x01, 0x21, 0x01, 0x60, 0x09, 0x48, 0x09, 0x49, 0x01,
	0x60, 0x09, 0x4a, 0x43, 0xf6, 0x7f, 0x61, 0x51, 0x60, 0x07, 0x21, 0x11, 0x60, 0x30, 0xbf,
	0xfd, 0xe7, 0x03, 0x48, 0x41, 0x69, 0x81, 0xf0, 0x20, 0x01, 0x41, 0x61, 0x70, 0x47, 0x30,
	0x38, 0x02, 0x40, 0x00, 0x00, 0x02, 0x40, 0x00, 0x04, 0x00, 0xa8, 0x10, 0xe0, 0x00, 0xe0,
};

struct fixture {
	char path[64];
	struct vflash f;
	struct vboard_spec s;
};

static int setup(void **state)
{
	struct fixture *x = calloc(1, sizeof *x);
	char msg[256];
	snprintf(x->path, sizeof x->path, "/tmp/test_boot.XXXXXX");
	int fd = mkstemp(x->path);
	if (fd < 0)
		return -1;
	close(fd);
	unlink(x->path);
	if (vflash_open(&x->f, x->path, 0x08000000, "4*16K,1*64K,3*128K", msg, sizeof msg) != 0)
		return -1;
	vboard_spec_parse(&x->s, "board=test,family=stm32f4,dev=0x433,flash=0x08000000:512K,"
				 "ram=0x20000000:96K,hz=16000000,led=A5,usart=2,tx=A2:7,ms=2", msg, sizeof msg);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *x = *state;
	vflash_close(&x->f);
	unlink(x->path);
	free(x);
	return 0;
}

static void put(struct fixture *x, uint32_t at, const uint8_t *img, size_t len, uint32_t reset)
{
	uint8_t buf[64];
	memcpy(buf, img, len);
	memcpy(buf + 4, &reset, 4);
	assert_int_equal(vflash_program(&x->f, at, buf, len, true), VF_OK);
}

static void erased_flash_is_no_application(void **state)
{
	struct fixture *x = *state;
	struct vboard_result r;
	assert_int_equal(vboard_boot_and_judge(&x->s, &x->f, 0x08000000, "reset", NULL, NULL, &r),
			 VB_NO_APP);
	assert_string_equal(r.verdict, "no application: the flash at 0x08000000 is erased");
	assert_int_equal(vboard_exit_status(0, &r), 65);
}

static void boots_from_the_vector_table_and_runs(void **state)
{
	struct fixture *x = *state;
	put(x, 0x08000000, toggler, sizeof toggler, 0x08000009);
	struct vboard_result r;
	assert_int_equal(vboard_boot_and_judge(&x->s, &x->f, 0x08000000, "reset", NULL, NULL, &r),
			 VB_RUNNING);
	/* 2 ms at 16 MHz: 32000 instructions, 4 per toggle after 6 of set-up */
	assert_int_equal(r.instructions, 32000);
	assert_in_range(r.toggles, 7990, 8000);
	assert_non_null(strstr(r.verdict, "running: LED PA5 toggled"));
	assert_non_null(strstr(r.verdict, "in 2 ms, console: nothing"));
}

static void crazyflie_bootloader_stand_in(void **state)
{
	struct fixture *x = *state;
	char msg[128];
	vboard_spec_parse(&x->s, "board=cf,family=stm32f4,flash=0x08000000:512K,ram=0x20000000:96K,"
				 "bootloader=16K,led=A5,ms=1", msg, sizeof msg);
	assert_int_equal(x->s.app, 0x08004000);
	put(x, 0x08004000, toggler, sizeof toggler, 0x08004009);
	struct vboard_result r;
	/* a reset boots from 0x08000000: erased there, the stand-in starts 0x08004000 */
	assert_int_equal(vboard_boot_and_judge(&x->s, &x->f, 0x08000000, "reset", NULL, NULL, &r),
			 VB_RUNNING);
	assert_non_null(strstr(r.verdict, "running: LED PA5 toggled"));
	/* a :leave straight to the application does the same */
	assert_int_equal(vboard_boot_and_judge(&x->s, &x->f, 0x08004000, ":leave", NULL, NULL, &r),
			 VB_RUNNING);
	/* a bootloader region that holds something is run as it is: a table whose
	 * reset vector is even is not Thumb, the chip faults at boot */
	static const uint8_t bad[8] = { 0x00, 0x10, 0x00, 0x20, 0x00, 0x01, 0x00, 0x08 };
	assert_int_equal(vflash_program(&x->f, 0x08000000, bad, sizeof bad, true), VF_OK);
	assert_int_equal(vboard_boot_and_judge(&x->s, &x->f, 0x08000000, "reset", NULL, NULL, &r),
			 VB_FAULT);
}

static void reset_vector_into_erased_flash_is_a_mislink(void **state)
{
	struct fixture *x = *state;
	char msg[128];
	vboard_spec_parse(&x->s, "board=cf,family=stm32f4,flash=0x08000000:512K,ram=0x20000000:96K,"
				 "bootloader=16K,led=A5,ms=1", msg, sizeof msg);
	/* linked for 0x08000000 (reset 0x08000009), written at 0x08004000 */
	put(x, 0x08004000, toggler, sizeof toggler, 0x08000009);
	struct vboard_result r;
	assert_int_equal(vboard_boot_and_judge(&x->s, &x->f, 0x08004000, ":leave", NULL, NULL, &r),
			 VB_FAULT);
	assert_non_null(strstr(r.verdict, "HardFault at 0x0800000"));
	assert_non_null(strstr(r.verdict, "the image is linked for 0x08000000 but runs at 0x08004000"));
}

static void systick_interrupt_blinks(void **state)
{
	struct fixture *x = *state;
	char msg[128];
	vboard_spec_parse(&x->s, "board=t,family=stm32f4,flash=0x08000000:512K,ram=0x20000000:96K,"
				 "hz=16000000,led=A5,ms=10", msg, sizeof msg);
	assert_int_equal(vflash_program(&x->f, 0x08000000, systick_irq, sizeof systick_irq, true), VF_OK);
	struct vboard_result r;
	assert_int_equal(vboard_boot_and_judge(&x->s, &x->f, 0x08000000, "reset", NULL, NULL, &r),
			 VB_RUNNING);
	/* one toggle per millisecond from the handler: the first drive of PA5 is not one */
	assert_in_range(r.toggles, 9, 10);
	assert_non_null(strstr(r.verdict, "running: LED PA5 toggled"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(erased_flash_is_no_application, setup, teardown),
		cmocka_unit_test_setup_teardown(boots_from_the_vector_table_and_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(crazyflie_bootloader_stand_in, setup, teardown),
		cmocka_unit_test_setup_teardown(reset_vector_into_erased_flash_is_a_mislink, setup, teardown),
		cmocka_unit_test_setup_teardown(systick_interrupt_blinks, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
