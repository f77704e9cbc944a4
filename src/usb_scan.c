#include "usb_scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void usb_parse_dfu(const uint8_t *desc, size_t len, enum usb_dfu_mode *mode, uint16_t *bcd_dfu)
{
	*mode = USB_DFU_NONE;
	*bcd_dfu = 0;
	bool in_dfu_intf = false;
	/* Walk the descriptors by their bLength; stop at anything malformed. */
	for (size_t off = 0; off + 2 <= len;) {
		uint8_t bl = desc[off], type = desc[off + 1];
		if (bl < 2 || off + bl > len)
			break;
		if (type == 4 && bl >= 9) { /* interface */
			in_dfu_intf = desc[off + 5] == 0xFE && desc[off + 6] == 0x01;
			if (in_dfu_intf) {
				enum usb_dfu_mode m = desc[off + 7] == 2 ? USB_DFU_MODE : USB_DFU_RUNTIME;
				if (m > *mode)
					*mode = m;
			}
		} else if (type == 0x21 && bl >= 9 && in_dfu_intf) {
			*bcd_dfu = (uint16_t)(desc[off + 7] | desc[off + 8] << 8);
		}
		off += bl;
	}
}

bool usb_parse_id(const char *s, uint16_t *vid, uint16_t *pid)
{
	char *end;
	unsigned long v = strtoul(s, &end, 16);
	if (end == s || *end != ':' || v > 0xffff)
		return false;
	const char *p = end + 1;
	unsigned long q = strtoul(p, &end, 16);
	if (end == p || *end || q > 0xffff)
		return false;
	*vid = (uint16_t)v;
	*pid = (uint16_t)q;
	return true;
}

/* Read a small sysfs attribute, trailing newline removed. Returns length or -1. */
static ssize_t read_attr(const char *dir, const char *name, char *buf, size_t len)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return n;
}

void usb_read_str(const char *dir, const char *name, char *out, size_t len)
{
	if (read_attr(dir, name, out, len) < 0)
		out[0] = 0;
	for (char *p = out; *p; p++) /* keep the one-line messages one line */
		if ((unsigned char)*p < 0x20)
			*p = ' ';
}

int usb_scan(const char *dir, struct usb_dev *out, size_t max, size_t *n, struct fk_err *e)
{
	*n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return fk_fail(e, FK_EUNAVAIL, "cannot list USB devices in %s: %s", dir, strerror(errno));
	struct dirent *de;
	while ((de = readdir(d)) && *n < max) {
		/* Devices are "usbN" (root hubs) and "B-P.P"; "B-P:C.I" are interfaces. */
		if (de->d_name[0] == '.' || strchr(de->d_name, ':'))
			continue;
		char sub[512], buf[64];
		snprintf(sub, sizeof sub, "%s/%s", dir, de->d_name);
		struct usb_dev u;
		memset(&u, 0, sizeof u);
		if (read_attr(sub, "idVendor", buf, sizeof buf) < 0)
			continue;
		u.vid = (uint16_t)strtoul(buf, NULL, 16);
		if (read_attr(sub, "idProduct", buf, sizeof buf) < 0)
			continue;
		u.pid = (uint16_t)strtoul(buf, NULL, 16);
		if (read_attr(sub, "busnum", buf, sizeof buf) < 0)
			continue;
		u.busnum = (unsigned)strtoul(buf, NULL, 10);
		if (read_attr(sub, "devnum", buf, sizeof buf) < 0)
			continue;
		u.devnum = (unsigned)strtoul(buf, NULL, 10);
		if (read_attr(sub, "bDeviceClass", buf, sizeof buf) >= 0)
			u.dev_class = (uint8_t)strtoul(buf, NULL, 16);
		usb_read_str(sub, "serial", u.serial, sizeof u.serial);
		usb_read_str(sub, "product", u.product, sizeof u.product);
		usb_read_str(sub, "manufacturer", u.manufacturer, sizeof u.manufacturer);
		snprintf(u.path, sizeof u.path, "%.31s", de->d_name);
		snprintf(u.devnode, sizeof u.devnode, "/dev/bus/usb/%03u/%03u", u.busnum % 1000,
			 u.devnum % 1000);
		uint8_t desc[4096];
		char path[600];
		snprintf(path, sizeof path, "%s/descriptors", sub);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			ssize_t len = read(fd, desc, sizeof desc);
			close(fd);
			if (len > 0)
				usb_parse_dfu(desc, (size_t)len, &u.dfu, &u.bcd_dfu);
		}
		out[(*n)++] = u;
	}
	closedir(d);
	return 0;
}

bool usb_sysfs_parent(const char *syspath, char *dir, size_t dirlen)
{
	char p[PATH_MAX];
	if (!realpath(syspath, p))
		return false;
	for (char *slash; (slash = strrchr(p, '/')) && slash != p; *slash = 0) {
		char attr[PATH_MAX + 16];
		snprintf(attr, sizeof attr, "%s/idVendor", p);
		if (!strchr(slash + 1, ':') && access(attr, F_OK) == 0) {
			snprintf(dir, dirlen, "%s", p);
			return true;
		}
	}
	return false;
}
