/* flashkit list: what is attached (DFU bootloaders and run-time apps, ST-LINK
 * probes, their drives, USB-serial adapters), in text or JSON; and with
 * --select, the one device a SERIAL= or USB_PATH= names, for the programmers'
 * recipes: none is an error that lists what is attached, two are refused. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "attached.h"
#include "commands.h"
#include "err.h"

#define MAX_ITEMS 256

static void help(FILE *f)
{
	fprintf(f,
		"usage: flashkit list [--json] [--boards FILE]\n"
		"       flashkit list --select KIND [--serial SN] [--usb-path PATH] [--print FIELD]\n"
		"\n"
		"List what is attached: STM32 DFU bootloaders (dfu) and DFU run-time applications\n"
		"(dfu-app), ST-LINK probes (stlink: V2, V2-1, V3), ST-LINK/DAPLink drives (drive)\n"
		"and USB-serial adapters (uart, /dev/serial/by-id), each with its serial, USB port\n"
		"path and the boards it can be. Reads sysfs, the mount table and /dev only.\n"
		"\n"
		"  --json           one JSON array of objects instead of the table\n"
		"  --boards FILE    the board ids (generated from boards/ at build time; default\n"
		"                   $FLASHKIT_BOARD_IDS, else share/flashkit/board-ids.txt next to\n"
		"                   the helper)\n"
		"  --select KIND    print the one KIND (dfu, dfu-app, stlink, drive, uart) that\n"
		"                   --serial and --usb-path name; none: exit 69 listing what is\n"
		"                   attached; several: exit 69, refusing to guess\n"
		"  --or-none        with --select: none is a note listing what is attached, not an\n"
		"                   error (the tool that runs next fails in its own words)\n"
		"  --print FIELD    with --select: where (default: node, mount point or port),\n"
		"                   serial or usb-path\n"
		"\n"
		"Where to look: FLASHKIT_SYSFS (/sys), FLASHKIT_SERIAL_BY_ID (/dev/serial/by-id),\n"
		"FLASHKIT_DEV_DISK (/dev/disk); virtual boards set them.\n"
		"Exit: 0 ok, 64 usage, 65 bad board-ids file, 69 --select found none or several.\n");
}

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);
	return v && *v ? v : def;
}

static int load_boards(const char *path, struct att_boards *bs, struct fk_err *e)
{
	char def[PATH_MAX];
	if (!path) {
		path = getenv("FLASHKIT_BOARD_IDS");
		if (!path || !*path) {
			/* build/bin/flashkit -> build/share/flashkit/board-ids.txt,
			 * PREFIX/bin/flashkit -> PREFIX/share/flashkit/board-ids.txt */
			char exe[PATH_MAX];
			ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
			if (n <= 0)
				return 0;
			exe[n] = 0;
			char *s = strrchr(exe, '/');
			if (s)
				*s = 0;
			snprintf(def, sizeof def, "%.3800s/../share/flashkit/board-ids.txt", exe);
			if (access(def, R_OK) != 0)
				return 0; /* no mapping: devices are listed without boards */
			path = def;
		}
	}
	FILE *f = fopen(path, "r");
	if (!f)
		return fk_fail(e, FK_ENOINPUT, "list: board ids %s: %s", path, strerror(errno));
	char *text = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len + 4096 > cap) {
			cap = cap ? cap * 2 : 16384;
			char *t = realloc(text, cap);
			if (!t) {
				free(text);
				fclose(f);
				return fk_fail(e, FK_EINTERNAL, "list: out of memory");
			}
			text = t;
		}
		size_t r = fread(text + len, 1, cap - len, f);
		len += r;
		if (r == 0)
			break;
	}
	fclose(f);
	int rc = att_boards_parse(bs, text ? text : "", len, path, e);
	free(text);
	return rc;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void id_text(const struct att_item *it, char *out, size_t n)
{
	if (it->vid || it->pid)
		snprintf(out, n, "%04x:%04x", it->vid, it->pid);
	else
		snprintf(out, n, "-");
}

static void print_json(const struct att_item *items, size_t n)
{
	putchar('[');
	for (size_t i = 0; i < n; i++) {
		const struct att_item *it = &items[i];
		char id[16];
		id_text(it, id, sizeof id);
		printf("%s\n {\"kind\":\"%s\",\"id\":", i ? "," : "", att_kind_name(it->kind));
		json_str(strcmp(id, "-") ? id : "");
		printf(",\"serial\":");
		json_str(it->serial);
		printf(",\"usb_path\":");
		json_str(it->usb_path);
		printf(",\"where\":");
		json_str(it->where);
		printf(",\"label\":");
		json_str(it->label);
		printf(",\"device\":");
		json_str(it->device);
		printf(",\"product\":");
		json_str(it->product);
		printf(",\"boards\":[");
		char b[sizeof it->boards];
		snprintf(b, sizeof b, "%s", it->boards);
		int k = 0;
		for (char *s = NULL, *w = strtok_r(b, " ", &s); w; w = strtok_r(NULL, " ", &s)) {
			printf("%s", k++ ? "," : "");
			json_str(w);
		}
		printf("]}");
	}
	printf("%s]\n", n ? "\n" : "");
}

static void print_row(FILE *f, const struct att_item *it)
{
	char id[16], where[600];
	id_text(it, id, sizeof id);
	if (it->kind == ATT_DRIVE && it->label[0])
		snprintf(where, sizeof where, "%s (%s)", it->where, it->label);
	else if (it->kind == ATT_UART && it->device[0])
		snprintf(where, sizeof where, "%s -> %s", it->where, it->device);
	else
		snprintf(where, sizeof where, "%s", it->where);
	fprintf(f, "%-8s %-10s %-26s %-9s %s  [%s]\n", att_kind_name(it->kind), id,
		it->serial[0] ? it->serial : "-", it->usb_path[0] ? it->usb_path : "-", where,
		it->boards[0] ? it->boards : "no board known");
}

static void print_table(FILE *f, const struct att_item *items, size_t n)
{
	if (n == 0) {
		fprintf(f, "nothing attached (no STM32 DFU device, ST-LINK, ST-LINK drive or "
			   "USB-serial adapter)\n");
		return;
	}
	fprintf(f, "%-8s %-10s %-26s %-9s %s  [%s]\n", "KIND", "ID", "SERIAL", "USB PATH", "WHERE",
		"BOARDS");
	for (size_t i = 0; i < n; i++)
		print_row(f, &items[i]);
}

/* Stable output: by kind, then USB path, then where. */
static int item_cmp(const void *a, const void *b)
{
	const struct att_item *x = a, *y = b;
	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	int c = strcmp(x->usb_path, y->usb_path);
	return c ? c : strcmp(x->where, y->where);
}

static int select_one(const struct att_item *items, size_t n, enum att_kind kind,
		      const char *serial, const char *path, const char *field, bool or_none,
		      struct fk_err *e)
{
	size_t hits[MAX_ITEMS], nh = 0;
	for (size_t i = 0; i < n; i++) {
		const struct att_item *it = &items[i];
		if (it->kind != kind || (serial && strcmp(it->serial, serial) != 0) ||
		    (path && strcmp(it->usb_path, path) != 0))
			continue;
		hits[nh++] = i;
	}
	char want[200];
	snprintf(want, sizeof want, "%s%s%s%s%s", serial ? "SERIAL=" : "", serial ? serial : "",
		 serial && path ? " " : "", path ? "USB_PATH=" : "", path ? path : "");
	if (!serial && !path)
		snprintf(want, sizeof want, "no SERIAL or USB_PATH");
	if (nh == 1) {
		const struct att_item *it = &items[hits[0]];
		const char *v = !field || !strcmp(field, "where") ? it->where
				: !strcmp(field, "serial")       ? it->serial
								 : it->usb_path;
		printf("%s\n", v);
		return 0;
	}
	if (nh == 0) {
		fprintf(stderr, "flashkit: %sno %s matches %s; attached:\n", or_none ? "note: " : "",
			att_kind_name(kind), want);
		print_table(stderr, items, n);
		if (or_none)
			return 0;
		return fk_fail(e, FK_EUNAVAIL,
			       "set SERIAL= or USB_PATH= to one of the %s lines above (make list-attached)",
			       att_kind_name(kind));
	}
	fprintf(stderr, "flashkit: %zu %s devices match %s:\n", nh, att_kind_name(kind), want);
	for (size_t i = 0; i < nh; i++)
		print_row(stderr, &items[hits[i]]);
	return fk_fail(e, FK_EUNAVAIL,
		       "refusing to guess which one: %s; select one by USB_PATH= (its USB port path above)",
		       serial ? "their serials are equal" : "several are attached");
}

int cmd_list(int argc, char **argv)
{
	struct fk_err e = { 0 };
	bool json = false, or_none = false;
	const char *boards = NULL, *sel = NULL, *serial = NULL, *path = NULL, *field = NULL;
	struct att_roots r = {
		.sysfs = env_or("FLASHKIT_SYSFS", "/sys"),
		.by_id = env_or("FLASHKIT_SERIAL_BY_ID", "/dev/serial/by-id"),
		.dev_disk = env_or("FLASHKIT_DEV_DISK", "/dev/disk"),
		.mountinfo = "/proc/self/mountinfo",
	};
	static const char *const opts[] = { "--boards", "--select", "--serial", "--usb-path",
					    "--print", "--sysfs", "--by-id", "--dev-disk" };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			help(stdout);
			return 0;
		}
		if (!strcmp(a, "--json") || !strcmp(a, "--or-none")) {
			*(a[2] == 'j' ? &json : &or_none) = true;
			continue;
		}
		int k = arg_value(argc, argv, &i, opts, 8, "list", &v, &e);
		if (k == -2)
			return fk_report(&e);
		switch (k) {
		case 0: boards = v; break;
		case 1: sel = v; break;
		case 2: serial = *v ? v : NULL; break;
		case 3: path = *v ? v : NULL; break;
		case 4: field = v; break;
		case 5: r.sysfs = v; break;
		case 6: r.by_id = v; break;
		case 7: r.dev_disk = v; break;
		default:
			fprintf(stderr, "flashkit: list: unknown argument '%s' (see flashkit list --help)\n", a);
			return FK_EUSAGE;
		}
	}
	enum att_kind kind = ATT_DFU;
	if (sel && !att_kind_parse(sel, &kind)) {
		fprintf(stderr, "flashkit: list: --select takes dfu, dfu-app, stlink, drive or uart, not '%s'\n", sel);
		return FK_EUSAGE;
	}
	if (field && strcmp(field, "where") && strcmp(field, "serial") && strcmp(field, "usb-path")) {
		fprintf(stderr, "flashkit: list: --print takes where, serial or usb-path\n");
		return FK_EUSAGE;
	}
	struct att_boards bs = { 0 };
	if (load_boards(boards, &bs, &e) != 0)
		return fk_report(&e);
	static struct att_item items[MAX_ITEMS];
	size_t n = 0;
	int rc = att_scan(&r, &bs, items, MAX_ITEMS, &n, &e);
	att_boards_free(&bs);
	if (rc != 0)
		return fk_report(&e);
	qsort(items, n, sizeof items[0], item_cmp);
	if (sel) {
		rc = select_one(items, n, kind, serial, path, field, or_none, &e);
		return rc ? fk_report(&e) : 0;
	}
	if (json)
		print_json(items, n);
	else
		print_table(stdout, items, n);
	return 0;
}
