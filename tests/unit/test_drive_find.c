/* Finding the ST-LINK drive: mount table parsing (with the kernel's octal
 * escapes), label and serial matching, /dev/disk link resolution. */
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

#include "drive_find.h"

static const char MOUNTINFO[] =
	"22 27 0:21 / /proc rw,relatime - proc proc rw\n"
	"27 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	"64 27 8:16 / /media/alice/NODE_F401RE rw,nosuid,nodev,relatime shared:7 master:3 - vfat /dev/sdb rw,fmask=0022\n"
	"65 27 8:32 / /run/media/bob/My\\040Drive rw - vfat /dev/sdc rw\n"
	"66 27 8:48 / /mnt/stlink rw - vfat /dev/sdd rw\n"
	"67 27 0:50 /sub /srv/NODE_F401RE rw - tmpfs tmpfs rw\n"
	"68 27 8:64 / /media/alice/NODE_F401RE1 rw - vfat /dev/sde rw\n"
	"69 27 8:80 / /media/alice/back\\134slash\\011tab rw - vfat /dev/sdf rw\n";

static void unescape(void **state)
{
	(void)state;
	char a[] = "/media/u/My\\040Drive", b[] = "x\\134y", c[] = "tab\\011nl\\012",
	     d[] = "keep\\0", e[] = "nul\\000kept", f[] = "\\999";
	assert_int_equal(mountinfo_unescape(a), strlen("/media/u/My Drive"));
	assert_string_equal(a, "/media/u/My Drive");
	mountinfo_unescape(b);
	assert_string_equal(b, "x\\y");
	mountinfo_unescape(c);
	assert_string_equal(c, "tab\tnl\n");
	mountinfo_unescape(d);
	assert_string_equal(d, "keep\\0");          /* too short to be an escape */
	mountinfo_unescape(e);
	assert_string_equal(e, "nul\\000kept");     /* a NUL cannot be in a path */
	mountinfo_unescape(f);
	assert_string_equal(f, "\\999");
}

static void parse_table(void **state)
{
	(void)state;
	struct mount_table t = { 0 };
	struct fk_err e = { 0 };
	assert_int_equal(mountinfo_parse(&t, MOUNTINFO, strlen(MOUNTINFO), &e), 0);
	assert_int_equal(t.n, 8);
	assert_int_equal(t.m[2].id, 64);
	assert_int_equal(t.m[2].parent, 27);
	assert_int_equal(t.m[2].major, 8);
	assert_int_equal(t.m[2].minor, 16);
	assert_string_equal(t.m[2].point, "/media/alice/NODE_F401RE");
	assert_string_equal(t.m[2].fstype, "vfat");
	assert_string_equal(t.m[2].source, "/dev/sdb");
	assert_string_equal(t.m[3].point, "/run/media/bob/My Drive");
	assert_string_equal(t.m[5].root, "/sub");
	assert_string_equal(t.m[7].point, "/media/alice/back\\slash\ttab");
	assert_non_null(mount_by_id(&t, 66));
	assert_null(mount_by_id(&t, 99));
	mount_table_free(&t);
}

static void parse_errors(void **state)
{
	(void)state;
	struct mount_table t = { 0 };
	const char *bad[] = {
		"22 27 0:21 / /proc rw,relatime proc proc rw\n",    /* no "-" separator */
		"x 27 0:21 / /proc rw - proc proc rw\n",            /* id not a number */
		"22 27 021 / /proc rw - proc proc rw\n",            /* no major:minor */
		"22 27 0:21 / /proc rw -\n",                        /* no fstype */
		"22 27 0:21\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct fk_err e = { 0 };
		assert_int_equal(mountinfo_parse(&t, bad[i], strlen(bad[i]), &e), FK_EDATA);
		assert_non_null(strstr(e.msg, "mountinfo:1"));
	}
	/* Empty text: an empty table, not an error. */
	struct fk_err e = { 0 };
	assert_int_equal(mountinfo_parse(&t, "", 0, &e), 0);
	assert_int_equal(t.n, 0);
	/* A NUL inside is refused. */
	assert_int_equal(mountinfo_parse(&t, "2\0 2", 4, &e), FK_EDATA);
	mount_table_free(&t);
}

static void labels(void **state)
{
	(void)state;
	assert_true(label_matches("NODE_F401RE", "NODE_F401RE", false));
	assert_true(label_matches("NODE_F401RE", "node_f401re", false)); /* FAT: any case */
	assert_true(label_matches("NODE_F401RE", "NODE_F401RE1", true)); /* udisks's second */
	assert_true(label_matches("NODE_F401RE", "NODE_F401RE12", true));
	assert_false(label_matches("NODE_F401RE", "NODE_F401RE1", false));
	assert_false(label_matches("NODE_F401RE", "NODE_F401REX", true));
	assert_false(label_matches("NODE_F401RE", "NODE_F401", true));
	assert_false(label_matches("NODE_F401", "NODE_F401RE", true));
	assert_false(label_matches("", "", true));
}

static void serials(void **state)
{
	(void)state;
	char s[64];
	assert_true(by_id_serial("usb-MBED_microcontroller_0671FF485550755187121723-0:0", s, sizeof s));
	assert_string_equal(s, "0671FF485550755187121723");
	assert_true(by_id_serial("usb-STMicroelectronics_STM32_STLink_066DFF49-0:0-part1", s, sizeof s));
	assert_string_equal(s, "066DFF49");
	assert_true(by_id_serial("usb-ABC-0:0", s, sizeof s));
	assert_string_equal(s, "ABC");
	assert_false(by_id_serial("ata-WDC_WD10_123-part1", s, sizeof s));
	assert_false(by_id_serial("usb-nodash", s, sizeof s));
	assert_false(by_id_serial("usb-Vendor_-0:0", s, sizeof s));
	char u[64];
	udev_unescape("My\\x20Drive", u, sizeof u);
	assert_string_equal(u, "My Drive");
	udev_unescape("bad\\x2", u, sizeof u);
	assert_string_equal(u, "bad\\x2");
	udev_unescape("long", u, 3);
	assert_string_equal(u, "lo");
}

/* A fake /dev/disk with by-id and by-label links, as udev makes them. */
static char dev_disk[64];

static void mk(const char *sub, const char *name, const char *target)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s/%s", dev_disk, sub, name);
	assert_int_equal(symlink(target, p), 0);
}

static int setup_disk(void **state)
{
	(void)state;
	snprintf(dev_disk, sizeof dev_disk, "/tmp/fk-devdisk-XXXXXX");
	if (!mkdtemp(dev_disk))
		return -1;
	char p[128];
	snprintf(p, sizeof p, "%s/by-id", dev_disk);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/by-label", dev_disk);
	mkdir(p, 0755);
	mk("by-id", "usb-MBED_microcontroller_AAA111-0:0", "../../sdb");
	mk("by-id", "usb-MBED_microcontroller_BBB222-0:0", "../../sde");
	mk("by-id", "usb-MBED_microcontroller_CCC333-0:0", "../../sdd");
	mk("by-label", "NODE_F401RE", "../../sdb");
	mk("by-label", "My\\x20Drive", "../../sdc");
	mk("by-label", "NOD_F401RE", "../../sdd");
	mk("by-label", "NODE_F746ZG", "../../sdg"); /* plugged in, not mounted */
	return 0;
}

static int teardown_disk(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dev_disk);
	return system(cmd) == 0 ? 0 : -1;
}

static void link_targets(void **state)
{
	(void)state;
	char dir[128], out[256];
	snprintf(dir, sizeof dir, "%s/by-id", dev_disk);
	assert_true(disk_link_target(dir, "usb-MBED_microcontroller_AAA111-0:0", out, sizeof out));
	/* dev_disk is /tmp/x, so ../../sdb from /tmp/x/by-id is /tmp/sdb. */
	assert_string_equal(out, "/tmp/sdb");
	assert_false(disk_link_target(dir, "missing", out, sizeof out));
}

/* With dev_disk in /tmp, links resolve to /tmp/sdX: use those sources. */
static struct mount_table table_for_fake(void)
{
	static const char text[] =
		"27 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
		"64 27 8:16 / /media/alice/NODE_F401RE rw - vfat /tmp/sdb rw\n"
		"65 27 8:32 / /run/media/bob/My\\040Drive rw - vfat /tmp/sdc rw\n"
		"66 27 8:48 / /mnt/stlink rw - vfat /tmp/sdd rw\n"
		"67 27 0:50 /sub /srv/NODE_F401RE rw - tmpfs tmpfs rw\n"
		"68 27 8:64 / /media/alice/NODE_F401RE1 rw - vfat /tmp/sde rw\n"
		"69 27 8:16 / /media/alice/bind-of-sdb rw - vfat /tmp/sdb rw\n";
	struct mount_table t = { 0 };
	struct fk_err e = { 0 };
	assert_int_equal(mountinfo_parse(&t, text, strlen(text), &e), 0);
	return t;
}

static void find_by_label(void **state)
{
	(void)state;
	struct mount_table t = table_for_fake();
	struct drive d[8];
	const char *f401[] = { "NODE_F401RE", "NOD_F401RE" };
	struct drive_query q = { .labels = f401, .nlabels = 2, .dev_disk = dev_disk };
	/* sdb by name and by-label, sdd (/mnt/stlink) by by-label NOD_F401RE,
	 * sde by its udisks name NODE_F401RE1; the bind mount of a
	 * subdirectory (/srv) and the second mount of sdb do not count. */
	size_t n = drive_find(&t, &q, d, 8);
	assert_int_equal(n, 3);
	assert_string_equal(d[0].point, "/media/alice/NODE_F401RE");
	assert_string_equal(d[0].label, "NODE_F401RE");
	assert_string_equal(d[0].serial, "AAA111");
	assert_string_equal(d[1].point, "/mnt/stlink");
	assert_string_equal(d[1].label, "NOD_F401RE");
	assert_string_equal(d[1].serial, "CCC333");
	assert_string_equal(d[2].point, "/media/alice/NODE_F401RE1");
	assert_string_equal(d[2].serial, "BBB222");
	assert_int_equal(d[0].major, 8);
	assert_int_equal(d[0].minor, 16);

	/* A label with a space, through by-label's \x20. */
	const char *mine[] = { "My Drive" };
	struct drive_query q2 = { .labels = mine, .nlabels = 1, .dev_disk = dev_disk };
	assert_int_equal(drive_find(&t, &q2, d, 8), 1);
	assert_string_equal(d[0].point, "/run/media/bob/My Drive");

	/* Only max are filled, the count is all of them. */
	assert_int_equal(drive_find(&t, &q, d, 1), 3);
	mount_table_free(&t);
}

static void find_by_serial(void **state)
{
	(void)state;
	struct mount_table t = table_for_fake();
	struct drive d[8];
	const char *f401[] = { "NODE_F401RE" };
	struct drive_query q = { .labels = f401, .nlabels = 1, .serial = "bbb222", .dev_disk = dev_disk };
	assert_int_equal(drive_find(&t, &q, d, 8), 1);
	assert_string_equal(d[0].point, "/media/alice/NODE_F401RE1");
	q.serial = "ZZZ";
	assert_int_equal(drive_find(&t, &q, d, 8), 0);
	mount_table_free(&t);
}

static void device_present(void **state)
{
	(void)state;
	char dev[128];
	const char *f746[] = { "NODE_F746ZG" };
	assert_true(drive_device_present(dev_disk, f746, 1, NULL, dev, sizeof dev));
	assert_string_equal(dev, "/tmp/sdg");
	assert_true(drive_device_present(dev_disk, NULL, 0, "CCC333", dev, sizeof dev));
	assert_string_equal(dev, "/tmp/sdd");
	const char *none[] = { "NODE_L476RG" };
	assert_false(drive_device_present(dev_disk, none, 1, NULL, dev, sizeof dev));
	assert_false(drive_device_present("/nonexistent", f746, 1, NULL, dev, sizeof dev));
}

static void match_by_device_numbers(void **state)
{
	(void)state;
	/* A mount whose source names the device another way (by-uuid) is
	 * matched through the device numbers of the by-label link's target. */
	struct stat st;
	if (stat("/dev/loop0", &st) != 0 || !S_ISBLK(st.st_mode))
		skip();
	char dir[128];
	snprintf(dir, sizeof dir, "%s/loop", dev_disk);
	mkdir(dir, 0755);
	char sub[160];
	snprintf(sub, sizeof sub, "%s/by-label", dir);
	mkdir(sub, 0755);
	char link[200];
	snprintf(link, sizeof link, "%s/NODE_F411RE", sub);
	assert_int_equal(symlink("/dev/loop0", link), 0);
	char text[256];
	snprintf(text, sizeof text, "70 27 %u:%u / /mnt/x rw - vfat /dev/disk/by-uuid/1234-ABCD rw\n",
		 major(st.st_rdev), minor(st.st_rdev));
	struct mount_table t = { 0 };
	struct fk_err e = { 0 };
	assert_int_equal(mountinfo_parse(&t, text, strlen(text), &e), 0);
	const char *l[] = { "NODE_F411RE" };
	struct drive_query q = { .labels = l, .nlabels = 1, .dev_disk = dir };
	struct drive d;
	assert_int_equal(drive_find(&t, &q, &d, 1), 1);
	assert_string_equal(d.label, "NODE_F411RE");
	assert_string_equal(d.point, "/mnt/x");
	mount_table_free(&t);
}

static void real_mountinfo(void **state)
{
	(void)state;
	/* The running system's table parses, and / is in it. */
	FILE *f = fopen("/proc/self/mountinfo", "r");
	assert_non_null(f);
	struct mount_table t = { 0 };
	struct fk_err e = { 0 };
	assert_int_equal(mount_table_read(&t, fileno(f), &e), 0);
	fclose(f);
	bool root = false;
	for (size_t i = 0; i < t.n; i++)
		root |= strcmp(t.m[i].point, "/") == 0;
	assert_true(root);
	mount_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unescape),
		cmocka_unit_test(parse_table),
		cmocka_unit_test(parse_errors),
		cmocka_unit_test(labels),
		cmocka_unit_test(serials),
		cmocka_unit_test(link_targets),
		cmocka_unit_test(find_by_label),
		cmocka_unit_test(find_by_serial),
		cmocka_unit_test(device_present),
		cmocka_unit_test(match_by_device_numbers),
		cmocka_unit_test(real_mountinfo),
	};
	return cmocka_run_group_tests(tests, setup_disk, teardown_disk);
}
