/* usb-wait reads sysfs: the descriptor walk that tells a DFU bootloader from
 * a DFU run-time application, and the scan of /sys/bus/usb/devices (here a
 * fake tree in a temporary directory). */
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

#include "usb_scan.h"

/* Device descriptor, a configuration with one DFU interface (protocol 2 =
 * DFU mode, 1 = run-time) and its functional descriptor (bcdDFU 0x011a). */
static size_t dfu_blob(uint8_t *b, uint8_t proto)
{
	static const uint8_t dev[18] = { 18, 1, 0, 2, 0, 0, 0, 64, 0x83, 0x04, 0x11, 0xdf,
					 0, 0x22, 1, 2, 3, 1 };
	static const uint8_t cfg[9] = { 9, 2, 27, 0, 1, 1, 0, 0xC0, 50 };
	uint8_t intf[9] = { 9, 4, 0, 0, 0, 0xFE, 1, proto, 4 };
	static const uint8_t func[9] = { 9, 0x21, 0x0B, 255, 0, 0, 8, 0x1A, 0x01 };
	memcpy(b, dev, 18);
	memcpy(b + 18, cfg, 9);
	memcpy(b + 27, intf, 9);
	memcpy(b + 36, func, 9);
	return 45;
}

static void parses_dfu_mode_and_runtime(void **state)
{
	(void)state;
	uint8_t b[64];
	enum usb_dfu_mode m;
	uint16_t bcd;
	size_t n = dfu_blob(b, 2);
	usb_parse_dfu(b, n, &m, &bcd);
	assert_int_equal(m, USB_DFU_MODE);
	assert_int_equal(bcd, 0x011a);
	n = dfu_blob(b, 1);
	usb_parse_dfu(b, n, &m, &bcd);
	assert_int_equal(m, USB_DFU_RUNTIME);
	/* cut inside the interface descriptor: nothing read past the end */
	usb_parse_dfu(b, 30, &m, &bcd);
	assert_int_equal(m, USB_DFU_NONE);
	assert_int_equal(bcd, 0);
	b[18] = 0; /* bLength 0 would loop forever */
	usb_parse_dfu(b, n, &m, &bcd);
	assert_int_equal(m, USB_DFU_NONE);
}

static void parses_ids(void **state)
{
	(void)state;
	uint16_t v, p;
	assert_true(usb_parse_id("0483:df11", &v, &p));
	assert_int_equal(v, 0x0483);
	assert_int_equal(p, 0xdf11);
	assert_false(usb_parse_id("0483", &v, &p));
	assert_false(usb_parse_id("0483:", &v, &p));
	assert_false(usb_parse_id("10000:1", &v, &p));
	assert_false(usb_parse_id("0483:df11x", &v, &p));
}

static void put(const char *dir, const char *name, const void *data, size_t len)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void scans_a_sysfs_tree(void **state)
{
	(void)state;
	char root[] = "/tmp/usbscan-XXXXXX";
	assert_non_null(mkdtemp(root));
	char dev[600], intf[600], hub[600];
	snprintf(dev, sizeof dev, "%s/1-1", root);
	snprintf(intf, sizeof intf, "%s/1-1:1.0", root);
	snprintf(hub, sizeof hub, "%s/usb1", root);
	assert_int_equal(mkdir(dev, 0755), 0);
	assert_int_equal(mkdir(intf, 0755), 0);
	assert_int_equal(mkdir(hub, 0755), 0);
	put(dev, "idVendor", "0483\n", 5);
	put(dev, "idProduct", "df11\n", 5);
	put(dev, "busnum", "1\n", 2);
	put(dev, "devnum", "7\n", 2);
	put(dev, "serial", "3574364C3034\n", 13);
	put(dev, "product", "STM32  BOOTLOADER\n", 18);
	uint8_t b[64];
	put(dev, "descriptors", b, dfu_blob(b, 2));
	put(hub, "idVendor", "1d6b\n", 5);
	put(hub, "idProduct", "0002\n", 5);
	put(hub, "busnum", "1\n", 2);
	put(hub, "devnum", "1\n", 2);
	put(hub, "bDeviceClass", "09\n", 3);

	struct usb_dev d[8];
	size_t n = 0;
	struct fk_err e = { 0 };
	assert_int_equal(usb_scan(root, d, 8, &n, &e), 0);
	assert_int_equal(n, 2); /* the interface directory is not a device */
	const struct usb_dev *u = d[0].vid == 0x0483 ? &d[0] : &d[1];
	assert_int_equal(u->pid, 0xdf11);
	assert_int_equal(u->devnum, 7);
	assert_string_equal(u->serial, "3574364C3034");
	assert_string_equal(u->devnode, "/dev/bus/usb/001/007");
	assert_int_equal(u->dfu, USB_DFU_MODE);
	assert_int_equal(usb_scan("/nonexistent/usb", d, 8, &n, &e), FK_EUNAVAIL);
	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_dfu_mode_and_runtime),
		cmocka_unit_test(parses_ids),
		cmocka_unit_test(scans_a_sysfs_tree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
