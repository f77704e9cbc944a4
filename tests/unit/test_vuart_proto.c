/* The virtual UART bootloader must answer like the ROM (AN3155), down to
 * the NACKs, or the stm32flash end-to-end tests prove nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../tools/vboard/uart/vuart_proto.h"

struct fx {
	struct vflash flash;
	struct vuart_proto p;
	uint8_t ram[0x1000];
	char path[64];
};

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof *x);
	char msg[128];
	strcpy(x->path, "/tmp/test_vuart_XXXXXX");
	int fd = mkstemp(x->path);
	assert_true(fd >= 0);
	close(fd);
	unlink(x->path); /* vflash_open creates it erased */
	assert_int_equal(vflash_open(&x->flash, x->path, 0x08000000, "4*16K,1*64K", msg, sizeof msg), 0);
	struct vp_config cfg = { .pid = 0x433, .version = 0x31, .ram_base = 0x20000000,
				 .ram_size = sizeof x->ram };
	vp_init(&x->p, &cfg, &x->flash, x->ram);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;
	vflash_close(&x->flash);
	unlink(x->path);
	free(x);
	return 0;
}

static void feed(struct fx *x, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vp_feed(&x->p, b[i], false);
}

/* Feed, then compare and clear the reply. */
static void expect_reply(struct fx *x, const uint8_t *in, size_t n, const uint8_t *want, size_t wn)
{
	x->p.out_len = 0;
	feed(x, in, n);
	assert_int_equal(x->p.out_len, wn);
	assert_memory_equal(x->p.out, want, wn);
	x->p.out_len = 0;
}

static const uint8_t erased4[4] = { 0xFF, 0xFF, 0xFF, 0xFF };

#define IN(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

static void autobaud(struct fx *x)
{
	expect_reply(x, IN(0x7F), IN(0x79));
}

static void only_0x7f_syncs(void **state)
{
	struct fx *x = *state;
	x->p.out_len = 0;
	feed(x, IN(0x00, 0xFF, 0x55));
	assert_int_equal(x->p.out_len, 0); /* noise before autobaud: silence */
	vp_feed(&x->p, 0x7F, true);         /* a garbled 0x7F does not lock either */
	assert_int_equal(x->p.out_len, 0);
	autobaud(x);
	/* a second 0x7F is a command byte; its complement is wrong: NACK */
	expect_reply(x, IN(0x7F, 0x7F), IN(0x1F));
}

static void get_version_id(void **state)
{
	struct fx *x = *state;
	autobaud(x);
	expect_reply(x, IN(0x00, 0xFF), IN(0x79, 11, 0x31, 0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x44,
					   0x63, 0x73, 0x82, 0x92, 0x79));
	expect_reply(x, IN(0x01, 0xFE), IN(0x79, 0x31, 0x00, 0x00, 0x79));
	expect_reply(x, IN(0x02, 0xFD), IN(0x79, 0x01, 0x04, 0x33, 0x79));
	expect_reply(x, IN(0x02, 0xFC), IN(0x1F));  /* bad complement */
	expect_reply(x, IN(0x55, 0xAA), IN(0x1F));  /* unknown command */
	expect_reply(x, IN(0x43, 0xBC), IN(0x1F));  /* ERASE not offered next to 0x44 */
}

static void write_read_checksums(void **state)
{
	struct fx *x = *state;
	autobaud(x);
	/* WRITE 4 bytes at 0x08000000: N=3, checksum = N ^ data */
	expect_reply(x, IN(0x31, 0xCE), IN(0x79));
	expect_reply(x, IN(0x08, 0x00, 0x00, 0x00, 0x08), IN(0x79));
	expect_reply(x, IN(0x03, 0x12, 0x34, 0x56, 0x78, 0x03 ^ 0x12 ^ 0x34 ^ 0x56 ^ 0x78), IN(0x79));
	/* READ them back */
	expect_reply(x, IN(0x11, 0xEE), IN(0x79));
	expect_reply(x, IN(0x08, 0x00, 0x00, 0x00, 0x08), IN(0x79));
	expect_reply(x, IN(0x03, 0xFC), IN(0x79, 0x12, 0x34, 0x56, 0x78));
	/* bad address checksum */
	expect_reply(x, IN(0x11, 0xEE), IN(0x79));
	expect_reply(x, IN(0x08, 0x00, 0x00, 0x00, 0x09), IN(0x1F));
	/* an address in no memory */
	expect_reply(x, IN(0x11, 0xEE), IN(0x79));
	expect_reply(x, IN(0x50, 0x00, 0x00, 0x00, 0x50), IN(0x1F));
	/* bad data checksum: NACK, nothing written */
	expect_reply(x, IN(0x31, 0xCE), IN(0x79));
	expect_reply(x, IN(0x08, 0x00, 0x01, 0x00, 0x09), IN(0x79));
	expect_reply(x, IN(0x03, 0x00, 0x00, 0x00, 0x00, 0x00), IN(0x1F));
	uint8_t b[4];
	assert_int_equal(vflash_read(&x->flash, 0x08000100, b, 4), VF_OK);
	assert_memory_equal(b, erased4, 4);
}

static void flash_rules(void **state)
{
	struct fx *x = *state;
	autobaud(x);
	/* Writing 0xFF over 0x00 needs an erase: the ROM reports a programming error. */
	assert_int_equal(vflash_program(&x->flash, 0x08004000, IN(0x00, 0x00, 0x00, 0x00), false), VF_OK);
	expect_reply(x, IN(0x31, 0xCE), IN(0x79));
	expect_reply(x, IN(0x08, 0x00, 0x40, 0x00, 0x48), IN(0x79));
	expect_reply(x, IN(0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0x03), IN(0x1F));
	/* EXTENDED ERASE page 1 (0x08004000): N=0, page 0x0001, checksum 0x01 */
	expect_reply(x, IN(0x44, 0xBB), IN(0x79));
	expect_reply(x, IN(0x00, 0x00, 0x00, 0x01, 0x01), IN(0x79));
	uint8_t b[4];
	assert_int_equal(vflash_read(&x->flash, 0x08004000, b, 4), VF_OK);
	assert_memory_equal(b, erased4, 4);
	/* bad page-list checksum, and a page that does not exist */
	expect_reply(x, IN(0x44, 0xBB), IN(0x79));
	expect_reply(x, IN(0x00, 0x00, 0x00, 0x01, 0x00), IN(0x1F));
	expect_reply(x, IN(0x44, 0xBB), IN(0x79));
	expect_reply(x, IN(0x00, 0x00, 0x00, 0x09, 0x09), IN(0x1F));
	/* mass erase 0xFFFF */
	expect_reply(x, IN(0x44, 0xBB), IN(0x79));
	expect_reply(x, IN(0xFF, 0xFF, 0x00), IN(0x79));
}

static void protection(void **state)
{
	struct fx *x = *state;
	autobaud(x);
	/* READOUT PROTECT: two ACKs, then the chip resets */
	expect_reply(x, IN(0x82, 0x7D), IN(0x79, 0x79));
	assert_int_equal(x->p.event, VP_EV_SYSRESET);
	vp_reset(&x->p);
	autobaud(x);
	expect_reply(x, IN(0x11, 0xEE), IN(0x1F));  /* READ refused */
	expect_reply(x, IN(0x31, 0xCE), IN(0x1F));  /* WRITE refused */
	expect_reply(x, IN(0x02, 0xFD), IN(0x79, 0x01, 0x04, 0x33, 0x79)); /* GET_ID still works */
	expect_reply(x, IN(0x92, 0x6D), IN(0x79, 0x79));                /* READOUT UNPROTECT */
	assert_false(x->flash.read_protected);
	vp_reset(&x->p);
	autobaud(x);
	/* WRITE PROTECT sector 0, then WRITE to it is refused after the data */
	expect_reply(x, IN(0x63, 0x9C), IN(0x79));
	expect_reply(x, IN(0x00, 0x00, 0x00), IN(0x79));
	vp_reset(&x->p);
	autobaud(x);
	expect_reply(x, IN(0x31, 0xCE), IN(0x79));
	expect_reply(x, IN(0x08, 0x00, 0x00, 0x00, 0x08), IN(0x79));
	expect_reply(x, IN(0x03, 0x00, 0x00, 0x00, 0x00, 0x03), IN(0x1F));
}

static void go_events(void **state)
{
	struct fx *x = *state;
	autobaud(x);
	expect_reply(x, IN(0x21, 0xDE), IN(0x79));
	expect_reply(x, IN(0x08, 0x00, 0x00, 0x00, 0x08), IN(0x79));
	assert_int_equal(x->p.event, VP_EV_GO_FLASH);
	assert_int_equal(x->p.event_addr, 0x08000000);
}

static void garbled_byte_nacks(void **state)
{
	struct fx *x = *state;
	autobaud(x);
	x->p.out_len = 0;
	vp_feed(&x->p, 0x00, true);
	assert_int_equal(x->p.out_len, 1);
	assert_int_equal(x->p.out[0], 0x1F);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(only_0x7f_syncs, setup, teardown),
		cmocka_unit_test_setup_teardown(get_version_id, setup, teardown),
		cmocka_unit_test_setup_teardown(write_read_checksums, setup, teardown),
		cmocka_unit_test_setup_teardown(flash_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(protection, setup, teardown),
		cmocka_unit_test_setup_teardown(go_events, setup, teardown),
		cmocka_unit_test_setup_teardown(garbled_byte_nacks, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
