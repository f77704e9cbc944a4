#include "formats.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dfu_suffix.h"
#include "fileio.h"

/* Order matters for detection: the most specific signatures first. */
static const struct format *const formats[] = {
	&fmt_elf, &fmt_dfuse, &fmt_ihex, &fmt_srec, &fmt_bin,
};
#define NFORMATS (sizeof formats / sizeof formats[0])

void read_warn(const struct read_opts *o, const char *fmt, ...)
{
	if (!o || !o->warn)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	o->warn(o->warn_ctx, msg);
}

void warn_stderr(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "flashkit: warning: %s\n", msg);
}

const struct format *format_by_name(const char *name)
{
	static const struct {
		const char *alias;
		const struct format *f;
	} aliases[] = {
		{ "ihex", &fmt_ihex }, { "ihx", &fmt_ihex }, { "s19", &fmt_srec },
		{ "mot", &fmt_srec }, { "dfuse", &fmt_dfuse }, { "binary", &fmt_bin },
		{ "raw", &fmt_bin },
	};
	for (size_t i = 0; i < NFORMATS; i++)
		if (strcasecmp(formats[i]->name, name) == 0)
			return formats[i];
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (strcasecmp(aliases[i].alias, name) == 0)
			return aliases[i].f;
	return NULL;
}

const struct format *format_by_path(const char *path)
{
	const char *dot = strrchr(path, '.');
	const char *slash = strrchr(path, '/');
	if (!dot || (slash && dot < slash))
		return NULL;
	size_t n = strlen(dot);
	for (size_t i = 0; i < NFORMATS; i++) {
		const char *p = formats[i]->exts;
		while (*p) {
			const char *q = strchr(p, ' ');
			size_t m = q ? (size_t)(q - p) : strlen(p);
			if (m == n && strncasecmp(p, dot, n) == 0)
				return formats[i];
			p += m;
			while (*p == ' ')
				p++;
		}
	}
	return NULL;
}

const struct format *format_detect(const uint8_t *buf, size_t len, const char *path)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (formats[i]->probe && formats[i]->probe(buf, len))
			return formats[i];
	const struct format *f = path ? format_by_path(path) : NULL;
	/* A .dfu without the DfuSe prefix is a plain image with a DFU 1.0/1.1
	 * suffix (Fomu and other non-ST boards ship these): a bin, whose
	 * suffix image_load checks and strips. */
	if (f == &fmt_dfuse)
		return &fmt_bin;
	return f ? f : &fmt_bin;
}

const char *format_names(void)
{
	return "bin, hex, srec, elf, dfu";
}

int image_load(struct image *img, const char *path, const struct format *forced,
	       const struct read_opts *o, struct fk_err *e)
{
	uint8_t *buf;
	size_t len;
	int rc = read_file(path, &buf, &len, e);
	if (rc)
		return rc;
	struct read_opts ro = o ? *o : (struct read_opts){ 0 };
	ro.name = ro.name ? ro.name : path;
	if (len == 0) {
		free(buf);
		return fk_fail(e, FK_EDATA, "%s: empty file", ro.name);
	}
	const struct format *f = forced ? forced : format_detect(buf, len, path);

	/* A plain DFU suffix (dfu-suffix -a) on a bin: check and strip it.
	 * DfuSe files carry their own, which their reader checks. */
	size_t datalen = len;
	if (f != &fmt_dfuse) {
		struct dfu_suffix s;
		switch (dfu_suffix_parse(buf, len, &s)) {
		case SUFFIX_OK:
			img->has_suffix = true;
			img->suffix = s;
			datalen = len - DFU_SUFFIX_LEN;
			break;
		case SUFFIX_BAD_CRC:
			free(buf);
			return fk_fail(e, FK_EDATA,
				       "%s: DFU suffix CRC is 0x%08x, data gives 0x%08x (file damaged? re-create it with 'flashkit suffix add')",
				       ro.name, s.crc, dfu_crc(buf, len - 4));
		case SUFFIX_BAD_LEN:
		case SUFFIX_NONE:
			break;
		}
	}
	rc = f->read(img, buf, datalen, &ro, e);
	img->format = f->name;
	free(buf);
	return rc;
}
