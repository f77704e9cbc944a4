/* flashkit manifest: the artifact manifest (manifest.json) and SHA256SUMS of a
 * board's build outputs, for `make artifacts` (makefiles/artifacts.mk).
 *
 * One process reads each file once for its size, SHA-256 and CRC-32 (zlib's, the
 * one `flashkit info` and DfuSe use) and writes both files. Nothing here reads the
 * clock or the environment: the build time is --epoch (SOURCE_DATE_EPOCH or the
 * commit date, chosen by the recipe), file names are recorded without their
 * directory, and the order is the order given, so the same inputs give the same
 * bytes in any directory. docs/manifest.schema.json describes the output. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "args.h"
#include "commands.h"
#include "err.h"
#include "fileio.h"
#include "sha256.h"

#define MAX_FILES 16
#define MAX_PROGS 8

static void help(FILE *f)
{
	fputs("usage: flashkit manifest -o DIR/manifest.json [--sums DIR/SHA256SUMS]\n"
	      "         --board B --epoch SECONDS [--firmware N] [--version V] [--board-name N]\n"
	      "         [--mcu M] [--family F] [--flash BASE:SIZE] [--image-address A]\n"
	      "         [--ram BASE:SIZE] [--dfu-id VID:PID] [--dfu-alt N] [--default P]\n"
	      "         [--programmer NAME=FILE=COMMAND]... [--flash-manifest COMMAND] FILE...\n"
	      "\n"
	      "Writes the manifest of a board's artifacts (the FILEs, which sit next to it):\n"
	      "board, MCU, flash map, DFU ids, each programmer's file and the exact make line\n"
	      "that flashes it, and size, sha256 and crc32 of every FILE; build_time is\n"
	      "--epoch as UTC. --sums also writes SHA256SUMS (sha256sum -c format) for the\n"
	      "FILEs and the manifest. Same inputs, same bytes: no clock, no directories.\n"
	      "make artifacts runs this (docs/ci.md); the schema is docs/manifest.schema.json.\n"
	      "\n"
	      "Exit: 0 written; 64 usage; 66 a FILE is missing; 74 cannot write.\n",
	      f);
}

/* A growing text buffer: the manifest is hashed for SHA256SUMS before it is written. */
struct buf {
	char *p;
	size_t n, cap;
	bool oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *q = realloc(b->p, cap);
		if (!q) {
			b->oom = true;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void putf(struct buf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* A JSON string; control and non-ASCII bytes as \u00XX so the file stays ASCII. */
static void jstr(struct buf *b, const char *s)
{
	puts_(b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			char esc[3] = { '\\', (char)c, 0 };
			puts_(b, esc);
		} else if (c < 0x20 || c >= 0x7f) {
			putf(b, "\\u%04x", c);
		} else {
			put(b, (const char *)&c, 1);
		}
	}
	puts_(b, "\"");
}

/* "key": "value" with the separator before it. */
static void kv(struct buf *b, const char *key, const char *val)
{
	puts_(b, ",\n  ");
	jstr(b, key);
	puts_(b, ": ");
	jstr(b, val);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

struct prog {
	char *name, *file, *command;
};

struct art {
	const char *path;
	size_t size;
	char sha[65];
	uint32_t crc;
};

static int digest(struct art *a, struct fk_err *e)
{
	uint8_t *data = NULL, d[32];
	size_t n = 0;
	int rc = read_file(a->path, &data, &n, e);
	if (rc)
		return rc;
	a->size = n;
	sha256(data, n, d);
	sha256_hex(d, a->sha);
	/* zlib's crc32 takes a uInt length: feed it in pieces. */
	uLong crc = crc32(0L, Z_NULL, 0);
	for (size_t off = 0; off < n;) {
		size_t k = n - off > 0x40000000u ? 0x40000000u : n - off;
		crc = crc32(crc, data + off, (uInt)k);
		off += k;
	}
	a->crc = (uint32_t)crc;
	free(data);
	return 0;
}

static int write_all(const char *path, const char *text, size_t n, struct fk_err *e)
{
	struct outfile o;
	int rc = outfile_open(&o, path, e);
	if (rc)
		return rc;
	if (fwrite(text, 1, n, o.fp) != n) {
		outfile_abort(&o);
		return fk_fail(e, FK_EIO, "%s: write failed", path);
	}
	return outfile_commit(&o, e);
}

int cmd_manifest(int argc, char **argv)
{
	struct fk_err e = { 0 };
	enum { O_OUT, O_SUMS, O_FIRMWARE, O_VERSION, O_EPOCH, O_BOARD, O_BOARD_NAME, O_MCU, O_FAMILY,
	       O_FLASH, O_IMAGE, O_RAM, O_DFU_ID, O_DFU_ALT, O_DEFAULT, O_PROG, O_BY_MANIFEST, O_N };
	static const char *const opts[O_N] = {
		"-o", "--sums", "--firmware", "--version", "--epoch", "--board", "--board-name", "--mcu",
		"--family", "--flash", "--image-address", "--ram", "--dfu-id", "--dfu-alt", "--default",
		"--programmer", "--flash-manifest",
	};
	const char *v[O_N] = { 0 };
	struct prog progs[MAX_PROGS];
	size_t nprog = 0;
	struct art arts[MAX_FILES];
	size_t nart = 0;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			help(stdout);
			return 0;
		}
		const char *val = NULL;
		int which = arg_value(argc, argv, &i, opts, O_N, "manifest", &val, &e);
		if (which == -2)
			goto out;
		if (which == O_PROG) {
			/* NAME=FILE=COMMAND: the command may hold '=' itself (FLASHFILE=...). */
			const char *eq1 = strchr(val, '='), *eq2 = eq1 ? strchr(eq1 + 1, '=') : NULL;
			if (!eq1 || !eq2 || eq1 == val || eq2 == eq1 + 1 || !eq2[1]) {
				bad_value(&e, "manifest", "--programmer", val, "NAME=FILE=COMMAND");
				goto out;
			}
			if (nprog == MAX_PROGS) {
				fk_fail(&e, FK_EUSAGE, "manifest: at most %d --programmer", MAX_PROGS);
				goto out;
			}
			progs[nprog].name = strndup(val, (size_t)(eq1 - val));
			progs[nprog].file = strndup(eq1 + 1, (size_t)(eq2 - eq1 - 1));
			progs[nprog].command = strdup(eq2 + 1);
			nprog++;
			continue;
		}
		if (which >= 0) {
			v[which] = val;
			continue;
		}
		if (a[0] == '-' && a[1]) {
			fk_fail(&e, FK_EUSAGE, "manifest: unknown option '%s' (see flashkit manifest --help)", a);
			goto out;
		}
		if (nart == MAX_FILES) {
			fk_fail(&e, FK_EUSAGE, "manifest: at most %d files", MAX_FILES);
			goto out;
		}
		arts[nart++].path = a;
	}
	if (!v[O_OUT] || !v[O_BOARD] || !v[O_EPOCH] || !nart) {
		fk_fail(&e, FK_EUSAGE, "manifest: needs -o FILE, --board, --epoch and at least one FILE "
				       "(see flashkit manifest --help)");
		goto out;
	}
	char *end = NULL;
	long long epoch = strtoll(v[O_EPOCH], &end, 10);
	if (!*v[O_EPOCH] || *end || epoch < 0 || epoch > 253402300799LL) {
		bad_value(&e, "manifest", "--epoch", v[O_EPOCH], "seconds since 1970 (SOURCE_DATE_EPOCH)");
		goto out;
	}
	uint32_t fbase = 0, rbase = 0, image = 0, alt = 0;
	uint64_t fsize = 0, rsize = 0;
	if (v[O_FLASH] && !parse_range(v[O_FLASH], &fbase, &fsize)) {
		bad_value(&e, "manifest", "--flash", v[O_FLASH], "BASE:SIZE such as 0x08000000:512K");
		goto out;
	}
	if (v[O_RAM] && !parse_range(v[O_RAM], &rbase, &rsize)) {
		bad_value(&e, "manifest", "--ram", v[O_RAM], "BASE:SIZE such as 0x20000000:96K");
		goto out;
	}
	if (v[O_IMAGE] && !parse_u32(v[O_IMAGE], &image)) {
		bad_value(&e, "manifest", "--image-address", v[O_IMAGE], "an address such as 0x08000000");
		goto out;
	}
	if (v[O_DFU_ALT] && !parse_u32(v[O_DFU_ALT], &alt)) {
		bad_value(&e, "manifest", "--dfu-alt", v[O_DFU_ALT], "a number such as 0");
		goto out;
	}
	unsigned vid = 0, pid = 0;
	if (v[O_DFU_ID]) {
		int used = 0;
		if (sscanf(v[O_DFU_ID], "%4x:%4x%n", &vid, &pid, &used) != 2 || v[O_DFU_ID][used]) {
			bad_value(&e, "manifest", "--dfu-id", v[O_DFU_ID], "VID:PID in hex such as 0483:df11");
			goto out;
		}
	}
	for (size_t i = 0; i < nart; i++)
		if ((rc = digest(&arts[i], &e)) != 0)
			goto out;

	struct buf b = { 0 };
	puts_(&b, "{\n  \"manifest_version\": 1");
	if (v[O_FIRMWARE])
		kv(&b, "firmware", v[O_FIRMWARE]);
	if (v[O_VERSION])
		kv(&b, "version", v[O_VERSION]);
	time_t t = (time_t)epoch;
	struct tm tm;
	char when[32];
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	kv(&b, "build_time", when);
	putf(&b, ",\n  \"source_date_epoch\": %lld", epoch);
	kv(&b, "board", v[O_BOARD]);
	if (v[O_BOARD_NAME])
		kv(&b, "board_name", v[O_BOARD_NAME]);
	if (v[O_MCU])
		kv(&b, "mcu", v[O_MCU]);
	if (v[O_FAMILY])
		kv(&b, "family", v[O_FAMILY]);
	if (v[O_FLASH]) {
		putf(&b, ",\n  \"flash\": {\"address\": \"0x%08" PRIx32 "\", \"size\": %" PRIu64, fbase, fsize);
		if (v[O_IMAGE])
			putf(&b, ", \"image_address\": \"0x%08" PRIx32 "\"", image);
		puts_(&b, "}");
	}
	if (v[O_RAM])
		putf(&b, ",\n  \"ram\": {\"address\": \"0x%08" PRIx32 "\", \"size\": %" PRIu64 "}", rbase, rsize);
	if (v[O_DFU_ID])
		putf(&b, ",\n  \"dfu\": {\"usb_id\": \"%04x:%04x\", \"vid\": \"0x%04x\", \"pid\": \"0x%04x\", "
			 "\"alt\": %" PRIu32 "}", vid, pid, vid, pid, alt);
	if (v[O_DEFAULT])
		kv(&b, "programmer", v[O_DEFAULT]);
	if (v[O_BY_MANIFEST])
		kv(&b, "flash_from_manifest", v[O_BY_MANIFEST]);
	/* One programmer per line, "file" first: make's MANIFEST= reader
	 * (makefiles/manifest.mk) finds "NAME": {"file": "..." without a process. */
	puts_(&b, ",\n  \"programmers\": {");
	for (size_t i = 0; i < nprog; i++) {
		puts_(&b, i ? ",\n    " : "\n    ");
		jstr(&b, progs[i].name);
		puts_(&b, ": {\"file\": ");
		jstr(&b, progs[i].file);
		puts_(&b, ", \"command\": ");
		jstr(&b, progs[i].command);
		puts_(&b, "}");
	}
	puts_(&b, nprog ? "\n  }" : "}");
	puts_(&b, ",\n  \"files\": [");
	for (size_t i = 0; i < nart; i++) {
		const char *name = base_name(arts[i].path), *dot = strrchr(name, '.');
		puts_(&b, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
		jstr(&b, name);
		puts_(&b, ", \"type\": ");
		jstr(&b, dot ? dot + 1 : "");
		putf(&b, ", \"size\": %zu, \"sha256\": \"%s\", \"crc32\": \"0x%08" PRIx32 "\"}",
		     arts[i].size, arts[i].sha, arts[i].crc);
	}
	puts_(&b, "\n  ]\n}\n");
	if (b.oom) {
		free(b.p);
		fk_fail(&e, FK_EINTERNAL, "out of memory");
		goto out;
	}
	rc = write_all(v[O_OUT], b.p, b.n, &e);
	if (!rc && v[O_SUMS]) {
		/* The files, then the manifest itself: sha256sum -c checks all of them. */
		struct buf s = { 0 };
		for (size_t i = 0; i < nart; i++) {
			puts_(&s, arts[i].sha);
			puts_(&s, "  ");
			puts_(&s, base_name(arts[i].path));
			puts_(&s, "\n");
		}
		uint8_t d[32];
		char hex[65];
		sha256(b.p, b.n, d);
		sha256_hex(d, hex);
		puts_(&s, hex);
		puts_(&s, "  ");
		puts_(&s, base_name(v[O_OUT]));
		puts_(&s, "\n");
		rc = s.oom ? fk_fail(&e, FK_EINTERNAL, "out of memory") : write_all(v[O_SUMS], s.p, s.n, &e);
		free(s.p);
	}
	free(b.p);
out:
	for (size_t i = 0; i < nprog; i++) {
		free(progs[i].name);
		free(progs[i].file);
		free(progs[i].command);
	}
	if (e.code)
		return fk_report(&e);
	return rc;
}
