/* Finding an ST-LINK / DAPLink drive: the mount table (/proc/self/mountinfo)
 * says where every file system is mounted; /dev/disk/by-label and
 * /dev/disk/by-id say which label and which USB serial a block device has.
 * A drive is a mount whose label or serial is the one asked for, wherever it
 * is mounted (/media/$USER, /run/media/$USER, /mnt, ...). */
#ifndef FK_DRIVE_FIND_H
#define FK_DRIVE_FIND_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* One line of /proc/self/mountinfo (proc(5)); strings are unescaped. */
struct mount_entry {
	int id, parent;
	unsigned major, minor;
	char *root;      /* path of the mount's root inside its file system */
	char *point;     /* mount point */
	char *fstype;
	char *source;    /* "/dev/sdb", "tmpfs", "none", ... */
};

struct mount_table {
	struct mount_entry *m;
	size_t n, cap;
	char *text;      /* the strings above point into this copy */
};

/* Undo the kernel's octal escapes (\040 space, \011 tab, \012 newline,
 * \134 backslash) in place; returns the new length. */
size_t mountinfo_unescape(char *s);

/* Parse the text of a mountinfo file. A malformed line is FK_EDATA naming
 * the line. t is emptied first; free it with mount_table_free. */
int mountinfo_parse(struct mount_table *t, const char *text, size_t len, struct fk_err *e);
/* Read an open mountinfo file from its start (pread, so the fd can stay
 * open for poll()) and parse it. */
int mount_table_read(struct mount_table *t, int fd, struct fk_err *e);
void mount_table_free(struct mount_table *t);
const struct mount_entry *mount_by_id(const struct mount_table *t, int id);

/* What to look for. */
struct drive_query {
	const char *const *labels;   /* volume labels, any of them */
	size_t nlabels;
	const char *serial;          /* USB serial (ST-LINK), NULL for any */
	const char *dev_disk;        /* "/dev/disk" (tests point it elsewhere) */
	const char *usb_path;        /* USB port path of the probe ("1-2.3"), NULL for any */
	const char *sysfs;           /* "/sys", for usb_path (NULL: "/sys") */
};

/* The USB port path ("1-2.3") of the USB device a block device ("/dev/sdb")
 * sits on, from sysfs/class/block/sdb; false when it is not on USB. */
bool drive_usb_path(const char *sysfs, const char *source, char *out, size_t outlen);

#define DRIVE_STR 512

/* A mounted drive. */
struct drive {
	int mount_id;
	unsigned major, minor;
	char point[DRIVE_STR];
	char source[DRIVE_STR];
	char fstype[64];
	char label[DRIVE_STR];       /* from by-label, else the mount point's name */
	char serial[DRIVE_STR];      /* from by-id, "" when unknown */
};

/* Fill label and serial of mount m from q->dev_disk. */
void drive_describe(const struct mount_entry *m, const char *dev_disk, struct drive *d);

/* Every mount that matches q (serial when given, else any of the labels),
 * up to max of them into out; returns how many matched (may exceed max). */
size_t drive_find(const struct mount_table *t, const struct drive_query *q, struct drive *out,
		  size_t max);

/* Label matching as a FAT volume does it: case-insensitive; a mount point
 * named LABEL followed by digits (udisks's "NODE_F401RE1" for a second
 * drive of the same label) matches too when by_mount_point. */
bool label_matches(const char *want, const char *have, bool by_mount_point);

/* The serial inside a /dev/disk/by-id name such as
 * "usb-STMicroelectronics_STM32_STLink_066DFF495056805087154622-0:0":
 * the part after the last '_' before the "-0:0" (and any "-partN").
 * Returns false for names that are not "usb-" ids. */
bool by_id_serial(const char *name, char *out, size_t outlen);

/* Unescape udev's \xNN escapes in a by-label name. */
void udev_unescape(const char *in, char *out, size_t outlen);

/* The block device a link in /dev/disk/X points to ("../../sdb" ->
 * "/dev/sdb"), resolved by text so it works for a device node that is not
 * there (yet). false if it is not a symlink. */
bool disk_link_target(const char *dir, const char *name, char *out, size_t outlen);

/* Is a device with label (or serial, if label is NULL) present in
 * /dev/disk, mounted or not? Fills dev ("/dev/sdb"). */
bool drive_device_present(const char *dev_disk, const char *const *labels, size_t nlabels,
			  const char *serial, char *dev, size_t devlen);

#endif
