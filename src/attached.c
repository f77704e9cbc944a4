#include "attached.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "drive_find.h"
#include "usb_scan.h"

#define MAX_USB 256

static const char *const kind_names[] = { "dfu", "dfu-app", "stlink", "drive", "uart" };

const char *att_kind_name(enum att_kind k)
{
	return kind_names[k];
}

bool att_kind_parse(const char *s, enum att_kind *k)
{
	for (size_t i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
		if (strcmp(s, kind_names[i]) == 0) {
			*k = (enum att_kind)i;
			return true;
		}
	return false;
}

/* ST-LINK product ids: V2 3748, V2-1 374b/3752, V3 374e/374f/3753. */
static bool is_stlink(uint16_t vid, uint16_t pid)
{
	static const uint16_t pids[] = { 0x3748, 0x374b, 0x3752, 0x374e, 0x374f, 0x3753 };
	if (vid != 0x0483)
		return false;
	for (size_t i = 0; i < sizeof pids / sizeof pids[0]; i++)
		if (pid == pids[i])
			return true;
	return false;
}

void att_boards_free(struct att_boards *bs)
{
	free(bs->b);
	bs->b = NULL;
	bs->n = 0;
}

static int set_key(struct att_board *b, const char *k, size_t klen, const char *v, size_t vlen)
{
	struct {
		const char *key;
		char *dst;
		size_t size;
	} keys[] = {
		{ "programmers", b->programmers, sizeof b->programmers },
		{ "labels", b->labels, sizeof b->labels },
		{ "dfu", b->dfu, sizeof b->dfu },
		{ "runtime", b->runtime, sizeof b->runtime },
		{ "iface", b->iface, sizeof b->iface },
	};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strlen(keys[i].key) == klen && memcmp(keys[i].key, k, klen) == 0) {
			if (vlen >= keys[i].size)
				return -1;
			memcpy(keys[i].dst, v, vlen);
			keys[i].dst[vlen] = 0;
			return 0;
		}
	return 0; /* keys added later are skipped by older helpers */
}

int att_boards_parse(struct att_boards *bs, const char *text, size_t len, const char *name,
		     struct fk_err *e)
{
	att_boards_free(bs);
	size_t cap = 0, lineno = 0;
	for (size_t off = 0; off < len;) {
		const char *line = text + off;
		const char *nl = memchr(line, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - line) : len - off;
		off += ll + 1;
		lineno++;
		if (ll == 0 || line[0] == '#')
			continue;
		if (bs->n == cap) {
			cap = cap ? cap * 2 : 32;
			struct att_board *nb = realloc(bs->b, cap * sizeof *nb);
			if (!nb)
				return fk_fail(e, FK_EINTERNAL, "%s: out of memory", name);
			bs->b = nb;
		}
		struct att_board *b = &bs->b[bs->n];
		memset(b, 0, sizeof *b);
		size_t i = 0;
		while (i < ll && line[i] != ' ')
			i++;
		if (i == 0 || i >= sizeof b->name)
			return fk_fail(e, FK_EDATA, "%s:%zu: a board name first", name, lineno);
		memcpy(b->name, line, i);
		while (i < ll) {
			while (i < ll && line[i] == ' ')
				i++;
			size_t s = i;
			while (i < ll && line[i] != ' ')
				i++;
			if (s == i)
				break;
			const char *eq = memchr(line + s, '=', i - s);
			if (!eq || set_key(b, line + s, (size_t)(eq - line - s), eq + 1,
					   (size_t)(line + i - eq - 1)) != 0)
				return fk_fail(e, FK_EDATA, "%s:%zu: KEY=VALUE expected, or a value too long",
					       name, lineno);
		}
		bs->n++;
	}
	return 0;
}

/* Is w one of the comma-separated words of list? (case-insensitive) */
static bool in_list(const char *list, const char *w, bool label)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", list);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (label ? label_matches(t, w, true) : strcasecmp(t, w) == 0)
			return true;
	return false;
}

static void add_board(char *out, size_t n, const char *name)
{
	size_t l = strlen(out);
	snprintf(out + l, n - l, "%s%s", l ? " " : "", name);
}

enum match { M_DFU, M_RUNTIME, M_LABEL, M_STLINK, M_UART };

static void boards_for(const struct att_boards *bs, enum match m, const char *what, char *out,
		       size_t n)
{
	out[0] = 0;
	for (size_t i = 0; i < bs->n; i++) {
		const struct att_board *b = &bs->b[i];
		bool ok = false;
		switch (m) {
		case M_DFU:
			ok = in_list(b->programmers, "dfu", false) && strcasecmp(b->dfu, what) == 0;
			break;
		case M_RUNTIME:
			ok = b->runtime[0] && strcasecmp(b->runtime, what) == 0;
			break;
		case M_LABEL:
			ok = b->labels[0] && in_list(b->labels, what, true);
			break;
		case M_STLINK:
			ok = in_list(b->programmers, "openocd", false) && strstr(b->iface, "stlink");
			break;
		case M_UART:
			ok = in_list(b->programmers, "stm32flash", false);
			break;
		}
		if (ok)
			add_board(out, n, b->name);
	}
}

static bool any_board_dfu(const struct att_boards *bs, const char *id)
{
	for (size_t i = 0; i < bs->n; i++)
		if (strcasecmp(bs->b[i].dfu, id) == 0)
			return true;
	return false;
}

static struct att_item *next(struct att_item *out, size_t max, size_t *n)
{
	if (*n >= max)
		return NULL;
	struct att_item *it = &out[(*n)++];
	memset(it, 0, sizeof *it);
	return it;
}

/* USB facts of the device a sysfs path sits under. */
static void usb_facts(const char *syspath, struct att_item *it)
{
	char dir[PATH_MAX], buf[32];
	if (!usb_sysfs_parent(syspath, dir, sizeof dir))
		return;
	const char *base = strrchr(dir, '/') + 1;
	snprintf(it->usb_path, sizeof it->usb_path, "%.31s", base);
	usb_read_str(dir, "idVendor", buf, sizeof buf);
	it->vid = (uint16_t)strtoul(buf, NULL, 16);
	usb_read_str(dir, "idProduct", buf, sizeof buf);
	it->pid = (uint16_t)strtoul(buf, NULL, 16);
	char s[sizeof it->serial];
	usb_read_str(dir, "serial", s, sizeof s);
	if (s[0])
		snprintf(it->serial, sizeof it->serial, "%s", s);
	usb_read_str(dir, "product", it->product, sizeof it->product);
}

bool att_by_id_serial(const char *name, char *out, size_t outlen)
{
	if (strncmp(name, "usb-", 4) != 0)
		return false;
	char buf[256];
	snprintf(buf, sizeof buf, "%s", name + 4);
	/* Drop "-ifNN[-portN]": the interface, not part of the serial. */
	char *tail = strstr(buf, "-if");
	while (tail) {
		char *again = strstr(tail + 1, "-if");
		if (!again)
			break;
		tail = again;
	}
	if (tail)
		*tail = 0;
	char *us = strrchr(buf, '_');
	const char *s = us ? us + 1 : buf;
	if (!*s)
		return false;
	snprintf(out, outlen, "%s", s);
	return true;
}

static void scan_usb(const struct att_roots *r, const struct att_boards *bs, struct att_item *out,
		     size_t max, size_t *n)
{
	static struct usb_dev devs[MAX_USB];
	size_t nd = 0;
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s/bus/usb/devices", r->sysfs);
	struct fk_err e = { 0 };
	if (usb_scan(dir, devs, MAX_USB, &nd, &e) != 0)
		return; /* no USB at all (a container): nothing attached */
	for (size_t i = 0; i < nd; i++) {
		const struct usb_dev *u = &devs[i];
		char id[16];
		snprintf(id, sizeof id, "%04x:%04x", u->vid, u->pid);
		enum att_kind k;
		if (is_stlink(u->vid, u->pid))
			k = ATT_STLINK;
		else if (u->dfu == USB_DFU_MODE && (u->vid == 0x0483 || any_board_dfu(bs, id)))
			k = ATT_DFU;
		else if (u->dfu == USB_DFU_RUNTIME)
			k = ATT_DFU_APP;
		else
			continue;
		struct att_item *it = next(out, max, n);
		if (!it)
			return;
		it->kind = k;
		it->vid = u->vid;
		it->pid = u->pid;
		snprintf(it->serial, sizeof it->serial, "%s", u->serial);
		snprintf(it->usb_path, sizeof it->usb_path, "%s", u->path);
		snprintf(it->where, sizeof it->where, "%s", u->devnode);
		snprintf(it->product, sizeof it->product, "%s", u->product);
		if (k == ATT_DFU)
			boards_for(bs, M_DFU, id, it->boards, sizeof it->boards);
		else if (k == ATT_DFU_APP)
			boards_for(bs, M_RUNTIME, id, it->boards, sizeof it->boards);
	}
}

/* An ST-LINK/DAPLink drive: a whole file system on a /dev node whose label
 * is a board's, or whose root holds the probe's MBED.HTM / DETAILS.TXT. */
static bool probe_drive(const struct mount_entry *m, const struct drive *d,
			const struct att_boards *bs)
{
	if (strcmp(m->root, "/") != 0 || strncmp(m->source, "/dev/", 5) != 0)
		return false;
	char b[512];
	boards_for(bs, M_LABEL, d->label, b, sizeof b);
	if (b[0])
		return true;
	if (strcmp(m->fstype, "vfat") && strcmp(m->fstype, "msdos") && strcmp(m->fstype, "tmpfs"))
		return false;
	static const char *const files[] = { "MBED.HTM", "DETAILS.TXT" };
	for (size_t i = 0; i < 2; i++) {
		char p[DRIVE_STR + 16];
		snprintf(p, sizeof p, "%s/%s", m->point, files[i]);
		if (access(p, F_OK) == 0)
			return true;
	}
	return false;
}

static void scan_drives(const struct att_roots *r, const struct att_boards *bs,
			struct att_item *out, size_t max, size_t *n)
{
	int fd = open(r->mountinfo, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	struct mount_table t = { 0 };
	struct fk_err e = { 0 };
	int rc = mount_table_read(&t, fd, &e);
	close(fd);
	if (rc != 0)
		return;
	static struct drive d;
	size_t first = *n;
	for (size_t i = 0; i < t.n; i++) {
		const struct mount_entry *m = &t.m[i];
		if (strcmp(m->root, "/") != 0 || strncmp(m->source, "/dev/", 5) != 0)
			continue;
		drive_describe(m, r->dev_disk, &d);
		if (!probe_drive(m, &d, bs))
			continue;
		bool dup = false; /* one device mounted twice is one drive */
		for (size_t k = first; k < *n; k++)
			if (strcmp(out[k].device, d.source) == 0)
				dup = true;
		if (dup)
			continue;
		struct att_item *it = next(out, max, n);
		if (!it)
			break;
		it->kind = ATT_DRIVE;
		snprintf(it->where, sizeof it->where, "%s", d.point);
		snprintf(it->label, sizeof it->label, "%.63s", d.label);
		snprintf(it->serial, sizeof it->serial, "%.63s", d.serial);
		/* The block device's USB parent: /sys/class/block/sdb. */
		const char *dev = strrchr(d.source, '/') + 1;
		char sys[PATH_MAX];
		snprintf(sys, sizeof sys, "%s/class/block/%s", r->sysfs, dev);
		struct att_item u = { 0 };
		usb_facts(sys, &u);
		snprintf(it->usb_path, sizeof it->usb_path, "%s", u.usb_path);
		it->vid = u.vid;
		it->pid = u.pid;
		if (!it->serial[0])
			snprintf(it->serial, sizeof it->serial, "%s", u.serial);
		snprintf(it->device, sizeof it->device, "%.63s", d.source);
		boards_for(bs, M_LABEL, d.label, it->boards, sizeof it->boards);
	}
	mount_table_free(&t);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The names in a directory, sorted; at most max of them. */
static size_t list_dir(const char *path, char (*names)[256], size_t max)
{
	DIR *dir = opendir(path);
	if (!dir)
		return 0;
	struct dirent *de;
	size_t nn = 0;
	while ((de = readdir(dir)) && nn < max)
		if (de->d_name[0] != '.')
			snprintf(names[nn++], sizeof names[0], "%s", de->d_name);
	closedir(dir);
	qsort(names, nn, sizeof names[0], cmp_names);
	return nn;
}

/* USB-serial adapters: every tty that sysfs puts under a USB device (two
 * adapters with one serial get one /dev/serial/by-id link between them, so
 * the links alone would miss one), named by its by-id link when it has one;
 * then by-id links to ttys sysfs does not show (a pseudo-terminal). */
static void scan_uarts(const struct att_roots *r, const struct att_boards *bs,
		       struct att_item *out, size_t max, size_t *n)
{
	static char ids[128][256], ttys[512][256];
	static char targets[128][DRIVE_STR];
	size_t ni = list_dir(r->by_id, ids, 128);
	bool used[128] = { false };
	for (size_t i = 0; i < ni; i++)
		if (!disk_link_target(r->by_id, ids[i], targets[i], sizeof targets[i]))
			targets[i][0] = 0;
	char cls[PATH_MAX];
	snprintf(cls, sizeof cls, "%s/class/tty", r->sysfs);
	size_t nt = list_dir(cls, ttys, 512);
	for (size_t t = 0; t < nt; t++) {
		char sys[PATH_MAX], dir[PATH_MAX];
		snprintf(sys, sizeof sys, "%.3800s/%.250s", cls, ttys[t]);
		if (!usb_sysfs_parent(sys, dir, sizeof dir))
			continue;
		/* sysfs writes '/' in a device name as '!' (pts!3 is /dev/pts/3). */
		char dev[300];
		snprintf(dev, sizeof dev, "/dev/%.250s", ttys[t]);
		for (char *c = dev; *c; c++)
			if (*c == '!')
				*c = '/';
		struct att_item *it = next(out, max, n);
		if (!it)
			return;
		it->kind = ATT_UART;
		snprintf(it->device, sizeof it->device, "%.63s", dev);
		snprintf(it->where, sizeof it->where, "%s", dev);
		for (size_t i = 0; i < ni; i++)
			if (!used[i] && !strcmp(targets[i], dev)) {
				used[i] = true;
				snprintf(it->where, sizeof it->where, "%.250s/%.250s", r->by_id, ids[i]);
				att_by_id_serial(ids[i], it->serial, sizeof it->serial);
				break;
			}
		usb_facts(sys, it);
		boards_for(bs, M_UART, "", it->boards, sizeof it->boards);
	}
	for (size_t i = 0; i < ni; i++) {
		if (used[i] || !targets[i][0])
			continue;
		struct att_item *it = next(out, max, n);
		if (!it)
			return;
		it->kind = ATT_UART;
		snprintf(it->where, sizeof it->where, "%.250s/%.250s", r->by_id, ids[i]);
		att_by_id_serial(ids[i], it->serial, sizeof it->serial);
		snprintf(it->device, sizeof it->device, "%.63s", targets[i]);
		boards_for(bs, M_UART, "", it->boards, sizeof it->boards);
	}
}

int att_scan(const struct att_roots *r, const struct att_boards *bs, struct att_item *out,
	     size_t max, size_t *n, struct fk_err *e)
{
	(void)e;
	*n = 0;
	scan_usb(r, bs, out, max, n);
	scan_drives(r, bs, out, max, n);
	scan_uarts(r, bs, out, max, n);
	/* A probe is also its drive and its serial port: the drive's label
	 * narrows the boards of the probe and of the port. */
	for (size_t i = 0; i < *n; i++) {
		if (out[i].kind != ATT_STLINK)
			continue;
		for (size_t k = 0; k < *n; k++)
			if (out[k].kind == ATT_DRIVE && out[i].serial[0] &&
			    strcasecmp(out[k].serial, out[i].serial) == 0 && out[k].boards[0])
				snprintf(out[i].boards, sizeof out[i].boards, "%s", out[k].boards);
		if (!out[i].boards[0])
			boards_for(bs, M_STLINK, "", out[i].boards, sizeof out[i].boards);
	}
	for (size_t i = 0; i < *n; i++) {
		if (out[i].kind != ATT_UART || !is_stlink(out[i].vid, out[i].pid))
			continue;
		for (size_t k = 0; k < *n; k++)
			if (out[k].kind == ATT_DRIVE && out[i].serial[0] &&
			    strcasecmp(out[k].serial, out[i].serial) == 0) {
				char keep[sizeof out[i].boards] = "";
				char tmp[sizeof keep];
				snprintf(tmp, sizeof tmp, "%s", out[k].boards);
				for (char *s = NULL, *w = strtok_r(tmp, " ", &s); w;
				     w = strtok_r(NULL, " ", &s))
					if (strstr(out[i].boards, w))
						add_board(keep, sizeof keep, w);
				snprintf(out[i].boards, sizeof out[i].boards, "%s", keep);
			}
	}
	return 0;
}
