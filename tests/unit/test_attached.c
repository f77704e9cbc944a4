/* flashkit list's scanner on a fake sysfs and /dev/serial/by-id: kinds,
 * USB port paths from the device tree, serials from by-id names, and the
 * boards each device can be from the generated board-ids text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "attached.h"

/* Paths here are short temporary ones; the bounds warnings are noise. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

static const char IDS[] =
	"# generated\n"
	"crazyflie2 programmers=dfu,openocd labels= dfu=0483:df11 runtime=0483:5740 iface=interface/stlink.cfg\n"
	"nucleo-f401 programmers=openocd,cpy2remed,stm32flash labels=NODE_F401RE,NOD_F401RE dfu=0483:df11 runtime= iface=interface/stlink.cfg\n"
	"disco programmers=openocd,dfu,stm32flash labels= dfu=0483:df11 runtime= iface=interface/stlink.cfg\n";

static void boards_parse(void **state)
{
	(void)state;
	struct att_boards bs = { 0 };
	struct fk_err e = { 0 };
	assert_int_equal(att_boards_parse(&bs, IDS, strlen(IDS), "ids", &e), 0);
	assert_int_equal(bs.n, 3);
	assert_string_equal(bs.b[1].name, "nucleo-f401");
	assert_string_equal(bs.b[1].labels, "NODE_F401RE,NOD_F401RE");
	assert_string_equal(bs.b[0].runtime, "0483:5740");
	const char bad[] = "a programmers=dfu\nb nokey\n";
	assert_int_equal(att_boards_parse(&bs, bad, strlen(bad), "ids", &e), 65);
	assert_non_null(strstr(e.msg, "ids:2:"));
	att_boards_free(&bs);
}

static void by_id_names(void **state)
{
	(void)state;
	char s[64];
	assert_true(att_by_id_serial("usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0", s, sizeof s));
	assert_string_equal(s, "A50285BI");
	assert_true(att_by_id_serial("usb-STMicroelectronics_STM32_STLink_066DFF495056805087154622-if02", s, sizeof s));
	assert_string_equal(s, "066DFF495056805087154622");
	assert_true(att_by_id_serial("usb-Prolific_Technology_Inc._USB-Serial_Controller-if00-port0", s, sizeof s));
	assert_string_equal(s, "Controller");
	assert_false(att_by_id_serial("pci-0000:00:14.0-usb-0:2:1.0-port0", s, sizeof s));
}

static void put(const char *dir, const char *name, const char *val)
{
	char p[1024];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", val);
	fclose(f);
}

static void mkdirs(const char *path)
{
	char p[1024];
	snprintf(p, sizeof p, "%s", path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			mkdir(p, 0755);
			*s = '/';
		}
	mkdir(p, 0755);
}

/* A fake tree: an ST-LINK V2-1 at 1-2 with its serial port (ttyACM0), an
 * FTDI adapter at 1-3.1 (ttyUSB0), a DFU bootloader at 1-4. */
static void scan_fake_tree(void **state)
{
	(void)state;
	char root[] = "/tmp/fk-att.XXXXXX";
	assert_non_null(mkdtemp(root));
	char sys[256], d[512], byid[256];
	snprintf(sys, sizeof sys, "%s/sys", root);
	snprintf(byid, sizeof byid, "%s/by-id", root);
	mkdirs(byid);
	struct {
		const char *path, *vid, *pid, *serial, *tty;
	} devs[] = {
		{ "1-2", "0483", "374b", "066DFF49", "ttyACM0" },
		{ "1-3.1", "0403", "6001", "A50285BI", "ttyUSB0" },
		{ "1-4", "0483", "df11", "3574364C3034", NULL },
	};
	char bus[256];
	snprintf(bus, sizeof bus, "%s/bus/usb/devices", sys);
	mkdirs(bus);
	for (size_t i = 0; i < 3; i++) {
		snprintf(d, sizeof d, "%s/devices/usb1/%s", sys, devs[i].path);
		mkdirs(d);
		put(d, "idVendor", devs[i].vid);
		put(d, "idProduct", devs[i].pid);
		put(d, "serial", devs[i].serial);
		put(d, "busnum", "1");
		put(d, "devnum", "5");
		char link[600], target[600];
		snprintf(link, sizeof link, "%s/%s", bus, devs[i].path);
		snprintf(target, sizeof target, "../../../devices/usb1/%s", devs[i].path);
		assert_int_equal(symlink(target, link), 0);
		if (devs[i].tty) {
			char intf[700], cls[600];
			snprintf(intf, sizeof intf, "%s/%s:1.0/tty/%s", d, devs[i].path, devs[i].tty);
			mkdirs(intf);
			snprintf(cls, sizeof cls, "%s/class/tty", sys);
			mkdirs(cls);
			snprintf(link, sizeof link, "%s/%s", cls, devs[i].tty);
			snprintf(target, sizeof target, "../../devices/usb1/%s/%s:1.0/tty/%s", devs[i].path,
				 devs[i].path, devs[i].tty);
			assert_int_equal(symlink(target, link), 0);
		}
	}
	/* DFU mode: a device descriptor and one DFU interface (class FE/01, protocol 2). */
	static const uint8_t desc[] = { 18, 1, 0, 2, 0, 0, 0, 64, 0x83, 4, 0x11, 0xdf, 0, 0x22, 1, 2, 3, 1,
					9, 2, 27, 0, 1, 1, 0, 0xc0, 50,
					9, 4, 0, 0, 0, 0xFE, 1, 2, 4 };
	snprintf(d, sizeof d, "%s/devices/usb1/1-4/descriptors", sys);
	FILE *f = fopen(d, "wb");
	assert_non_null(f);
	fwrite(desc, 1, sizeof desc, f);
	fclose(f);
	char l[600];
	snprintf(l, sizeof l, "%s/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0", byid);
	assert_int_equal(symlink("/dev/ttyUSB0", l), 0);
	snprintf(l, sizeof l, "%s/usb-STMicroelectronics_STM32_STLink_066DFF49-if02", byid);
	assert_int_equal(symlink("/dev/ttyACM0", l), 0);

	struct att_boards bs = { 0 };
	struct fk_err e = { 0 };
	assert_int_equal(att_boards_parse(&bs, IDS, strlen(IDS), "ids", &e), 0);
	struct att_roots r = { .sysfs = sys, .by_id = byid, .dev_disk = "/nonexistent",
			       .mountinfo = "/nonexistent" };
	struct att_item it[16];
	size_t n = 0;
	assert_int_equal(att_scan(&r, &bs, it, 16, &n, &e), 0);
	assert_int_equal(n, 4);
	int seen = 0;
	for (size_t i = 0; i < n; i++) {
		if (it[i].kind == ATT_STLINK) {
			assert_string_equal(it[i].usb_path, "1-2");
			assert_string_equal(it[i].serial, "066DFF49");
			assert_non_null(strstr(it[i].boards, "nucleo-f401"));
			seen |= 1;
		} else if (it[i].kind == ATT_DFU) {
			assert_string_equal(it[i].usb_path, "1-4");
			assert_string_equal(it[i].boards, "crazyflie2 disco");
			seen |= 2;
		} else if (it[i].kind == ATT_UART && it[i].vid == 0x0403) {
			assert_string_equal(it[i].usb_path, "1-3.1");
			assert_string_equal(it[i].serial, "A50285BI");
			assert_string_equal(it[i].device, "/dev/ttyUSB0");
			assert_non_null(strstr(it[i].where, "by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0"));
			assert_string_equal(it[i].boards, "nucleo-f401 disco");
			seen |= 4;
		} else if (it[i].kind == ATT_UART) {
			assert_string_equal(it[i].usb_path, "1-2");
			assert_int_equal(it[i].pid, 0x374b);
			seen |= 8;
		}
	}
	assert_int_equal(seen, 15);
	att_boards_free(&bs);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(boards_parse),
		cmocka_unit_test(by_id_names),
		cmocka_unit_test(scan_fake_tree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
