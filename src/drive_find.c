#include "drive_find.h"

#include <limits.h>
#include "usb_scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

size_t mountinfo_unescape(char *s)
{
	char *w = s;
	for (const char *r = s; *r;) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			char c = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
			/* A NUL inside a path cannot be represented; keep the text. */
			if (c != 0) {
				*w++ = c;
				r += 4;
				continue;
			}
		}
		*w++ = *r++;
	}
	*w = 0;
	return (size_t)(w - s);
}

void mount_table_free(struct mount_table *t)
{
	free(t->m);
	free(t->text);
	memset(t, 0, sizeof *t);
}

/* Next space-separated field of a line, NUL-terminated in place. */
static char *field(char **p)
{
	char *s = *p;
	if (!s || !*s)
		return NULL;
	char *sp = strchr(s, ' ');
	if (sp) {
		*sp = 0;
		*p = sp + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

static bool parse_int(const char *s, int *out)
{
	if (!s || !*s)
		return false;
	long v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			return false;
		v = v * 10 + (*s - '0');
	}
	*out = (int)v;
	return true;
}

static bool parse_devno(const char *s, unsigned *maj, unsigned *min)
{
	const char *c = strchr(s, ':');
	if (!c)
		return false;
	char a[16];
	size_t n = (size_t)(c - s);
	if (n == 0 || n >= sizeof a)
		return false;
	memcpy(a, s, n);
	a[n] = 0;
	int x, y;
	if (!parse_int(a, &x) || !parse_int(c + 1, &y))
		return false;
	*maj = (unsigned)x;
	*min = (unsigned)y;
	return true;
}

static int parse_line(struct mount_entry *m, char *line)
{
	char *p = line;
	char *id = field(&p), *parent = field(&p), *dev = field(&p);
	m->root = field(&p);
	m->point = field(&p);
	if (!field(&p)) /* per-mount options */
		return -1;
	/* Optional fields ("shared:1", "master:2", ...) up to a lone "-". */
	char *f;
	while ((f = field(&p)) && strcmp(f, "-") != 0)
		;
	if (!f)
		return -1;
	m->fstype = field(&p);
	m->source = field(&p);
	if (!m->fstype || !m->source || !parse_int(id, &m->id) || !parse_int(parent, &m->parent) ||
	    !parse_devno(dev, &m->major, &m->minor) || !m->root || !m->point)
		return -1;
	mountinfo_unescape(m->root);
	mountinfo_unescape(m->point);
	mountinfo_unescape(m->fstype);
	mountinfo_unescape(m->source);
	return 0;
}

int mountinfo_parse(struct mount_table *t, const char *text, size_t len, struct fk_err *e)
{
	mount_table_free(t);
	t->text = malloc(len + 1);
	if (!t->text)
		return fk_fail(e, FK_EINTERNAL, "mountinfo: out of memory");
	memcpy(t->text, text, len);
	t->text[len] = 0;
	/* A NUL inside the text would end a line early; mountinfo has none. */
	if (memchr(t->text, 0, len))
		return fk_fail(e, FK_EDATA, "mountinfo: NUL byte at offset %zu",
			       (size_t)((char *)memchr(t->text, 0, len) - t->text));
	char *line = t->text;
	for (size_t lineno = 1; *line; lineno++) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		if (*line) {
			if (t->n == t->cap) {
				size_t cap = t->cap ? t->cap * 2 : 64;
				struct mount_entry *m = realloc(t->m, cap * sizeof *m);
				if (!m)
					return fk_fail(e, FK_EINTERNAL, "mountinfo: out of memory");
				t->m = m;
				t->cap = cap;
			}
			struct mount_entry *m = &t->m[t->n];
			memset(m, 0, sizeof *m);
			if (parse_line(m, line) != 0)
				return fk_fail(e, FK_EDATA,
					       "mountinfo:%zu: not a mount table line (proc(5) format expected)",
					       lineno);
			t->n++;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	return 0;
}

int mount_table_read(struct mount_table *t, int fd, struct fk_err *e)
{
	size_t cap = 16384, len = 0;
	char *buf = malloc(cap);
	if (!buf)
		return fk_fail(e, FK_EINTERNAL, "mountinfo: out of memory");
	for (;;) {
		if (len == cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return fk_fail(e, FK_EINTERNAL, "mountinfo: out of memory");
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = pread(fd, buf + len, cap - len, (off_t)len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;
			free(buf);
			return fk_fail(e, FK_EIO, "/proc/self/mountinfo: read error: %s", strerror(err));
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	int rc = mountinfo_parse(t, buf, len, e);
	free(buf);
	return rc;
}

const struct mount_entry *mount_by_id(const struct mount_table *t, int id)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->m[i].id == id)
			return &t->m[i];
	return NULL;
}

static void copy_str(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

bool label_matches(const char *want, const char *have, bool by_mount_point)
{
	size_t n = strlen(want);
	if (n == 0 || strncasecmp(want, have, n) != 0)
		return false;
	const char *rest = have + n;
	if (!*rest)
		return true;
	if (!by_mount_point)
		return false;
	for (; *rest; rest++)
		if (*rest < '0' || *rest > '9')
			return false;
	return true;
}

bool by_id_serial(const char *name, char *out, size_t outlen)
{
	if (strncmp(name, "usb-", 4) != 0)
		return false;
	char buf[DRIVE_STR];
	copy_str(buf, sizeof buf, name + 4);
	/* Drop "-partN", then the "-0:0" instance (the last '-'). */
	char *part = strstr(buf, "-part");
	if (part)
		*part = 0;
	char *dash = strrchr(buf, '-');
	if (!dash)
		return false;
	*dash = 0;
	char *us = strrchr(buf, '_');
	const char *serial = us ? us + 1 : buf;
	if (!*serial)
		return false;
	copy_str(out, outlen, serial);
	return true;
}

void udev_unescape(const char *in, char *out, size_t outlen)
{
	size_t w = 0;
	if (outlen == 0)
		return;
	for (size_t r = 0; in[r] && w + 1 < outlen;) {
		unsigned v;
		if (in[r] == '\\' && in[r + 1] == 'x' && sscanf(in + r + 2, "%2x", &v) == 1 && v &&
		    in[r + 2] && in[r + 3]) {
			out[w++] = (char)v;
			r += 4;
		} else {
			out[w++] = in[r++];
		}
	}
	out[w] = 0;
}

/* Join dir and a relative link target and fold "." and ".." by text. */
static void resolve_lexically(const char *dir, const char *target, char *out, size_t outlen)
{
	char path[2 * DRIVE_STR];
	if (target[0] == '/')
		snprintf(path, sizeof path, "%s", target);
	else
		snprintf(path, sizeof path, "%s/%s", dir, target);
	char res[2 * DRIVE_STR] = "";
	size_t rl = 0;
	for (char *save = NULL, *c = strtok_r(path, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			char *s = strrchr(res, '/');
			rl = s ? (size_t)(s - res) : 0;
			res[rl] = 0;
			continue;
		}
		int k = snprintf(res + rl, sizeof res - rl, "/%s", c);
		if (k < 0 || (size_t)k >= sizeof res - rl)
			break;
		rl += (size_t)k;
	}
	copy_str(out, outlen, rl ? res : "/");
}

bool disk_link_target(const char *dir, const char *name, char *out, size_t outlen)
{
	char link[2 * DRIVE_STR], target[DRIVE_STR];
	snprintf(link, sizeof link, "%s/%s", dir, name);
	ssize_t n = readlink(link, target, sizeof target - 1);
	if (n <= 0)
		return false;
	target[n] = 0;
	resolve_lexically(dir, target, out, outlen);
	return true;
}

/* The links of one /dev/disk/by-* directory, read once per lookup, with the
 * device numbers of their targets (when the node exists). */
struct link {
	char name[256];
	char target[DRIVE_STR];
	bool has_rdev;
	unsigned major, minor;
};

struct links {
	size_t n, cap;
	struct link *l;
};

static void links_free(struct links *ls)
{
	free(ls->l);
	memset(ls, 0, sizeof *ls);
}

static void links_read(struct links *ls, const char *dev_disk, const char *sub)
{
	links_free(ls);
	char dir[DRIVE_STR];
	snprintf(dir, sizeof dir, "%s/%s", dev_disk ? dev_disk : "/dev/disk", sub);
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (ls->n == ls->cap) {
			size_t cap = ls->cap ? ls->cap * 2 : 32;
			struct link *l = realloc(ls->l, cap * sizeof *l);
			if (!l)
				break;
			ls->l = l;
			ls->cap = cap;
		}
		struct link *l = &ls->l[ls->n];
		copy_str(l->name, sizeof l->name, de->d_name);
		if (!disk_link_target(dir, de->d_name, l->target, sizeof l->target))
			continue;
		struct stat st;
		l->has_rdev = stat(l->target, &st) == 0 && S_ISBLK(st.st_mode);
		l->major = l->has_rdev ? major(st.st_rdev) : 0;
		l->minor = l->has_rdev ? minor(st.st_rdev) : 0;
		ls->n++;
	}
	closedir(d);
}

/* Does mount m sit on the device link l points to ("/dev/sdb")? The source
 * names it, or for a source given another way (/dev/disk/by-uuid/...) the
 * device numbers match. */
static bool mount_on_device(const struct mount_entry *m, const struct link *l)
{
	return strcmp(m->source, l->target) == 0 ||
	       (l->has_rdev && m->major != 0 && l->major == m->major && l->minor == m->minor);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s && s[1] ? s + 1 : p;
}

static void describe(const struct mount_entry *m, const struct links *by_label,
		     const struct links *by_id, struct drive *d)
{
	memset(d, 0, sizeof *d);
	d->mount_id = m->id;
	d->major = m->major;
	d->minor = m->minor;
	copy_str(d->point, sizeof d->point, m->point);
	copy_str(d->source, sizeof d->source, m->source);
	copy_str(d->fstype, sizeof d->fstype, m->fstype);
	for (size_t i = 0; i < by_label->n && !d->label[0]; i++)
		if (mount_on_device(m, &by_label->l[i]))
			udev_unescape(by_label->l[i].name, d->label, sizeof d->label);
	if (!d->label[0])
		copy_str(d->label, sizeof d->label, base_name(m->point));
	for (size_t i = 0; i < by_id->n && !d->serial[0]; i++)
		if (mount_on_device(m, &by_id->l[i]))
			by_id_serial(by_id->l[i].name, d->serial, sizeof d->serial);
}

void drive_describe(const struct mount_entry *m, const char *dev_disk, struct drive *d)
{
	struct links by_label = { 0 }, by_id = { 0 };
	links_read(&by_label, dev_disk, "by-label");
	links_read(&by_id, dev_disk, "by-id");
	describe(m, &by_label, &by_id, d);
	links_free(&by_label);
	links_free(&by_id);
}

bool drive_usb_path(const char *sysfs, const char *source, char *out, size_t outlen)
{
	const char *dev = strrchr(source, '/');
	char p[PATH_MAX], dir[PATH_MAX];
	if (!dev || !dev[1])
		return false;
	snprintf(p, sizeof p, "%.200s/class/block/%.200s", sysfs ? sysfs : "/sys", dev + 1);
	if (!usb_sysfs_parent(p, dir, sizeof dir))
		return false;
	snprintf(out, outlen, "%s", strrchr(dir, '/') + 1);
	return true;
}

static bool matches(const struct mount_entry *m, const struct drive_query *q,
		    const struct links *by_label, const struct links *by_id)
{
	if (q->usb_path && *q->usb_path) {
		char path[64];
		if (!drive_usb_path(q->sysfs, m->source, path, sizeof path) ||
		    strcmp(path, q->usb_path) != 0)
			return false;
	}
	if (q->serial && *q->serial) {
		char s[DRIVE_STR];
		for (size_t i = 0; i < by_id->n; i++)
			if (by_id_serial(by_id->l[i].name, s, sizeof s) && strcasecmp(s, q->serial) == 0 &&
			    mount_on_device(m, &by_id->l[i]))
				return true;
		return false;
	}
	/* Only the root of a file system is a drive; a bind mount of a
	 * subdirectory named like the label is not. */
	if (strcmp(m->root, "/") != 0)
		return false;
	for (size_t k = 0; k < q->nlabels; k++) {
		if (label_matches(q->labels[k], base_name(m->point), true))
			return true;
		for (size_t i = 0; i < by_label->n; i++) {
			char name[256];
			udev_unescape(by_label->l[i].name, name, sizeof name);
			if (label_matches(q->labels[k], name, false) &&
			    mount_on_device(m, &by_label->l[i]))
				return true;
		}
	}
	return false;
}

size_t drive_find(const struct mount_table *t, const struct drive_query *q, struct drive *out,
		  size_t max)
{
	struct links by_label = { 0 }, by_id = { 0 };
	links_read(&by_label, q->dev_disk, "by-label");
	links_read(&by_id, q->dev_disk, "by-id");
	size_t n = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct mount_entry *m = &t->m[i];
		if (!matches(m, q, &by_label, &by_id))
			continue;
		/* The same device mounted twice (a bind mount of the drive, or
		 * a mount stacked by hand) is one drive: keep the first. */
		bool dup = false;
		for (size_t k = 0; k < n && k < max; k++)
			if (out[k].major == m->major && out[k].minor == m->minor &&
			    strcmp(out[k].source, m->source) == 0)
				dup = true;
		if (dup)
			continue;
		if (n < max)
			describe(m, &by_label, &by_id, &out[n]);
		n++;
	}
	links_free(&by_label);
	links_free(&by_id);
	return n;
}

bool drive_device_present(const char *dev_disk, const char *const *labels, size_t nlabels,
			  const char *serial, char *dev, size_t devlen)
{
	struct links ls = { 0 };
	char s[DRIVE_STR];
	bool found = false;
	if (serial && *serial) {
		links_read(&ls, dev_disk, "by-id");
		for (size_t i = 0; i < ls.n && !found; i++)
			if (by_id_serial(ls.l[i].name, s, sizeof s) && strcasecmp(s, serial) == 0) {
				copy_str(dev, devlen, ls.l[i].target);
				found = true;
			}
	} else {
		links_read(&ls, dev_disk, "by-label");
		for (size_t k = 0; k < nlabels && !found; k++)
			for (size_t i = 0; i < ls.n && !found; i++) {
				udev_unescape(ls.l[i].name, s, sizeof s);
				if (label_matches(labels[k], s, false)) {
					copy_str(dev, devlen, ls.l[i].target);
					found = true;
				}
			}
	}
	links_free(&ls);
	return found;
}
