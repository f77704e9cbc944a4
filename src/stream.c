/* Buffered output, line reading with a fixed buffer, and the streaming
 * bin->hex and hex->bin conversions, whose memory does not grow with the
 * image (see stream.h). */
#define _POSIX_C_SOURCE 200809L
#include "stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char hex_pairs[513] =
	"000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"
	"202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F"
	"404142434445464748494A4B4C4D4E4F505152535455565758595A5B5C5D5E5F"
	"606162636465666768696A6B6C6D6E6F707172737475767778797A7B7C7D7E7F"
	"808182838485868788898A8B8C8D8E8F909192939495969798999A9B9C9D9E9F"
	"A0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF"
	"C0C1C2C3C4C5C6C7C8C9CACBCCCDCECFD0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF"
	"E0E1E2E3E4E5E6E7E8E9EAEBECEDEEEFF0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF";

#define D1(c, v) [c] = (v) + 1
const uint8_t hex_digit1[256] = {
	D1('0', 0), D1('1', 1), D1('2', 2), D1('3', 3), D1('4', 4), D1('5', 5), D1('6', 6),
	D1('7', 7), D1('8', 8), D1('9', 9), D1('A', 10), D1('B', 11), D1('C', 12), D1('D', 13),
	D1('E', 14), D1('F', 15), D1('a', 10), D1('b', 11), D1('c', 12), D1('d', 13),
	D1('e', 14), D1('f', 15),
};

void obuf_init(struct obuf *o, FILE *fp)
{
	o->fp = fp;
	o->n = 0;
	o->failed = false;
}

void obuf_flush(struct obuf *o)
{
	if (o->n && !o->failed && fwrite(o->buf, 1, o->n, o->fp) != o->n)
		o->failed = true;
	o->n = 0;
}

int obuf_finish(struct obuf *o, struct fk_err *e)
{
	obuf_flush(o);
	if (o->failed || fflush(o->fp) != 0 || ferror(o->fp))
		return fk_fail(e, FK_EIO, "write error: %s", strerror(errno));
	return 0;
}

const char *fmt_size(uint64_t n, char buf[32])
{
	if (n >= (1u << 20) && n % (1u << 20) == 0)
		snprintf(buf, 32, "%llu MiB", (unsigned long long)(n >> 20));
	else if (n >= (1u << 20))
		snprintf(buf, 32, "%.1f MiB", (double)n / (1 << 20));
	else if (n >= 1024 && n % 1024 == 0)
		snprintf(buf, 32, "%llu KiB", (unsigned long long)(n >> 10));
	else
		snprintf(buf, 32, "%llu bytes", (unsigned long long)n);
	return buf;
}

/* ---- lines ---- */

void linesrc_mem(struct linesrc *l, const uint8_t *buf, size_t len)
{
	memset(l, 0, sizeof *l);
	l->mem = buf;
	l->memlen = len;
	l->fd = -1;
}

int linesrc_fd(struct linesrc *l, int fd, size_t cap)
{
	memset(l, 0, sizeof *l);
	l->fd = fd;
	l->cap = cap;
	l->buf = malloc(cap);
	return l->buf ? 0 : -1;
}

void linesrc_free(struct linesrc *l)
{
	free(l->buf);
	l->buf = NULL;
}

static size_t strip(const uint8_t *p, size_t n)
{
	while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return n;
}

int linesrc_next(struct linesrc *l, const uint8_t **p, size_t *n, const char *name,
		 struct fk_err *e)
{
	if (l->mem) {
		size_t at = (size_t)l->pos;
		if (at >= l->memlen)
			return 0;
		const uint8_t *s = l->mem + at;
		const uint8_t *nl = memchr(s, '\n', l->memlen - at);
		size_t len = nl ? (size_t)(nl - s) : l->memlen - at;
		l->pos += len + (nl != NULL);
		l->line++;
		*p = s;
		*n = strip(s, len);
		return 1;
	}
	for (;;) {
		const uint8_t *s = l->buf + l->start;
		const uint8_t *nl = memchr(s, '\n', l->end - l->start);
		if (nl || (l->eof && l->end > l->start)) {
			size_t len = nl ? (size_t)(nl - s) : l->end - l->start;
			l->start += len + (nl != NULL);
			l->pos += len + (nl != NULL);
			l->line++;
			*p = s;
			*n = strip(s, len);
			return 1;
		}
		if (l->eof)
			return 0;
		if (l->start > 0) {
			memmove(l->buf, l->buf + l->start, l->end - l->start);
			l->end -= l->start;
			l->start = 0;
		}
		if (l->end == l->cap)
			return fk_fail(e, FK_EDATA, "%s:%lu: line longer than %zu bytes: not a text record file",
				       name, l->line + 1, l->cap), -1;
		ssize_t r = read(l->fd, l->buf + l->end, l->cap - l->end);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return fk_fail(e, FK_EIO, "%s: read error: %s", name, strerror(errno)), -1;
		if (r == 0)
			l->eof = true;
		l->end += (size_t)r;
	}
}

/* ---- helpers ---- */

#define CHUNK (1u << 20)

static int open_regular(const char *name, int *fd, off_t *size, struct fk_err *e)
{
	*fd = open(name, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return fk_fail(e, FK_ENOINPUT, "%s: cannot open: %s", name, strerror(errno));
	struct stat st;
	if (fstat(*fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(*fd);
		return STREAM_FALLBACK;
	}
	*size = st.st_size;
	if (st.st_size == 0) {
		close(*fd);
		return fk_fail(e, FK_EDATA, "%s: empty file", name);
	}
	/* A DFU suffix is checked and stripped by the general path. */
	if (st.st_size >= 16) {
		uint8_t t[16];
		if (pread(*fd, t, 16, st.st_size - 16) == 16 && memcmp(t + 8, "UFD", 3) == 0 &&
		    t[11] == 16) {
			close(*fd);
			return STREAM_FALLBACK;
		}
	}
	return 0;
}

static int write_all_at(int fd, const uint8_t *p, size_t n, uint64_t off, struct fk_err *e)
{
	while (n > 0) {
		ssize_t w = pwrite(fd, p, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return fk_fail(e, FK_EIO, "write error: %s", strerror(w < 0 ? errno : ENOSPC));
		p += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

/* outfile_commit fsyncs the output; starting the writeback as we go lets
 * the disk work while we encode, instead of all of it waiting at the end. */
#define WRITEBACK_STEP (8u << 20)
static void writeback(int fd, uint64_t *done, uint64_t upto)
{
	if (upto - *done >= WRITEBACK_STEP) {
		sync_file_range(fd, (off_t)*done, (off_t)(upto - *done), SYNC_FILE_RANGE_WRITE);
		*done = upto;
	}
}

/* ---- bin -> hex ---- */

int stream_bin_to_hex(const char *in_name, uint32_t address, FILE *out,
		      const struct write_opts *wo, struct fk_err *e)
{
	unsigned reclen = wo && wo->record_len ? wo->record_len : IHEX_DEFAULT_RECLEN;
	if (reclen > 255)
		return fk_fail(e, FK_EUSAGE, "hex: record length %u is too long (1 to 255 data bytes)", reclen);
	int fd;
	off_t size;
	int rc = open_regular(in_name, &fd, &size, e);
	if (rc)
		return rc;
	if ((uint64_t)address + (uint64_t)size > FK_ADDR_LIMIT) {
		close(fd);
		return bin_overflow_error(in_name, address, e);
	}
	uint8_t *buf = malloc(CHUNK);
	struct obuf *ob = malloc(sizeof *ob);
	if (!buf || !ob) {
		free(buf);
		free(ob);
		close(fd);
		return fk_fail(e, FK_EINTERNAL, "out of memory");
	}
	obuf_init(ob, out);
	struct ihex_writer w;
	ihex_writer_init(&w, ob, reclen);
	uint64_t at = address, written = 0, synced = 0;
	int ofd = fileno(out);
	for (;;) {
		ssize_t r = read(fd, buf, CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = fk_fail(e, FK_EIO, "%s: read error: %s", in_name, strerror(errno));
			break;
		}
		if (r == 0)
			break;
		if (at + (uint64_t)r > FK_ADDR_LIMIT) { /* the file grew while we read it */
			rc = bin_overflow_error(in_name, address, e);
			break;
		}
		ihex_writer_data(&w, (uint32_t)at, buf, (size_t)r);
		at += (uint64_t)r;
		if (ofd >= 0 && (written += (uint64_t)r) >= WRITEBACK_STEP / 3) {
			obuf_flush(ob);
			fflush(out);
			writeback(ofd, &synced, (uint64_t)ftello(out));
			written = 0;
		}
	}
	close(fd);
	free(buf);
	if (!rc) {
		/* A raw binary's start address is its first byte, as objcopy has it. */
		ihex_writer_end(&w, true, address);
		rc = obuf_finish(ob, e);
	}
	free(ob);
	return rc;
}

/* ---- hex -> bin ---- */

struct range {
	uint64_t start, end;
};

struct ranges {
	struct range *r;
	size_t n, cap, cur; /* cur: where the last record went */
};

/* Record [a, a+len) in the sorted, merged list; overlaps are errors with
 * the same words as image_add, so both paths fail alike. */
static int range_add(struct ranges *rs, uint32_t a, size_t len, const char *name,
		     unsigned long line, struct fk_err *e)
{
	uint64_t s = a, t = (uint64_t)a + len;
	size_t i;

	/* Fast path: records in order extend the run the last one went to. */
	if (rs->n && rs->r[rs->cur].end == s && (rs->cur + 1 == rs->n || t <= rs->r[rs->cur + 1].start))
		i = rs->cur + 1;
	else {
		size_t lo = 0, hi = rs->n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (rs->r[mid].start <= s)
				lo = mid + 1;
			else
				hi = mid;
		}
		i = lo; /* first range starting after s */
	}
	struct range *prev = i > 0 ? &rs->r[i - 1] : NULL;
	struct range *next = i < rs->n ? &rs->r[i] : NULL;
	if (prev && prev->end > s)
		return fk_fail(e, FK_EDATA, "%s:%lu: data at 0x%08x overlaps data already at 0x%08llx-0x%08llx",
			       name, line, a, (unsigned long long)prev->start,
			       (unsigned long long)prev->end - 1);
	if (next && t > next->start)
		return fk_fail(e, FK_EDATA, "%s:%lu: data at 0x%08x-0x%08llx overlaps data already at 0x%08llx",
			       name, line, a, (unsigned long long)t - 1,
			       (unsigned long long)next->start);
	if (prev && prev->end == s) {
		prev->end = t;
		rs->cur = i - 1;
		if (next && next->start == t) {
			prev->end = next->end;
			memmove(next, next + 1, (rs->n - i - 1) * sizeof *next);
			rs->n--;
		}
		return 0;
	}
	if (next && next->start == t) {
		next->start = s;
		rs->cur = i;
		return 0;
	}
	if (rs->n == rs->cap) {
		size_t ncap = rs->cap ? rs->cap * 2 : 64;
		struct range *r = realloc(rs->r, ncap * sizeof *r);
		if (!r)
			return fk_fail(e, FK_EINTERNAL, "out of memory");
		rs->r = r;
		rs->cap = ncap;
	}
	memmove(&rs->r[i + 1], &rs->r[i], (rs->n - i) * sizeof *rs->r);
	rs->r[i] = (struct range){ s, t };
	rs->n++;
	rs->cur = i;
	return 0;
}

/* Contiguous record data collected before one pwrite. */
struct wbuf {
	int fd;
	uint8_t *buf;
	size_t n;
	uint64_t off; /* file offset of buf[0] */
	uint64_t synced; /* writeback started up to here (a hint only) */
};

static int wbuf_flush(struct wbuf *w, struct fk_err *e)
{
	int rc = w->n ? write_all_at(w->fd, w->buf, w->n, w->off, e) : 0;
	if (w->n && w->off + w->n >= w->synced + WRITEBACK_STEP) {
		sync_file_range(w->fd, (off_t)w->synced, (off_t)(w->off + w->n - w->synced),
				SYNC_FILE_RANGE_WRITE);
		w->synced = w->off + w->n;
	}
	w->off += w->n;
	w->n = 0;
	return rc;
}

static int wbuf_put(struct wbuf *w, uint64_t off, const uint8_t *d, size_t len, struct fk_err *e)
{
	if (w->n && (off != w->off + w->n || w->n + len > CHUNK))
		if (wbuf_flush(w, e))
			return -1;
	if (w->n == 0)
		w->off = off;
	memcpy(w->buf + w->n, d, len);
	w->n += len;
	return 0;
}

/* One pass over the file. validate: parse, check and collect ranges, and
 * write what can be placed relative to the first record (*base, set on
 * the first data record) without growing a huge sparse file; otherwise
 * set *again. !validate: write everything relative to *base. */
static int hex_pass(int fd, const char *name, bool validate, struct ranges *rs, uint64_t *base,
		    bool *again, uint64_t gap_limit, struct wbuf *wb, struct ihex_parser *p,
		    struct fk_err *e)
{
	struct linesrc l;
	const uint8_t *s;
	size_t n;
	int r;
	bool have_base = !validate;
	uint64_t hi = 0;

	if (lseek(fd, 0, SEEK_SET) != 0)
		return fk_fail(e, FK_EIO, "%s: cannot seek: %s", name, strerror(errno));
	if (linesrc_fd(&l, fd, CHUNK) < 0)
		return fk_fail(e, FK_EINTERNAL, "out of memory");
	ihex_parser_init(p, name);
	while ((r = linesrc_next(&l, &s, &n, name, e)) > 0) {
		uint32_t a;
		size_t len;
		if (ihex_parse_line(p, s, n, l.line, &a, &len, e))
			goto fail;
		if (!len)
			continue;
		if (validate) {
			if (range_add(rs, a, len, name, l.line, e))
				goto fail;
			if (!have_base) {
				*base = a;
				hi = a;
				have_base = true;
			}
			if (*again)
				continue;
			if (a < *base || (uint64_t)a + len > hi + gap_limit) {
				*again = true; /* placed in a second pass */
				continue;
			}
			if ((uint64_t)a + len > hi)
				hi = (uint64_t)a + len;
		}
		if (wbuf_put(wb, a - *base, p->data, len, e))
			goto fail;
	}
	if (r < 0)
		goto fail;
	if (validate && ihex_parser_finish(p, l.line, e))
		goto fail;
	linesrc_free(&l);
	return wbuf_flush(wb, e);
fail:
	linesrc_free(&l);
	return e->code ? e->code : FK_EINTERNAL;
}

int stream_hex_to_bin(const char *in_name, FILE *out, const struct write_opts *wo,
		      struct fk_err *e)
{
	uint64_t limit = wo && wo->gap_limit ? wo->gap_limit : BIN_DEFAULT_GAP_LIMIT;
	uint8_t fill = wo && wo->fill ? wo->fill : 0xFF;
	int fd;
	off_t size;
	int rc = open_regular(in_name, &fd, &size, e);
	if (rc)
		return rc;
	struct ranges rs = { 0 };
	struct ihex_parser *p = malloc(sizeof *p);
	struct wbuf wb = { .fd = fileno(out), .buf = malloc(CHUNK) };
	uint64_t base = 0;
	bool again = false;
	if (!p || !wb.buf) {
		rc = fk_fail(e, FK_EINTERNAL, "out of memory");
		goto out;
	}
	rc = hex_pass(fd, in_name, true, &rs, &base, &again, limit, &wb, p, e);
	if (rc)
		goto out;
	if (rs.n == 0) {
		rc = fk_fail(e, FK_EDATA, "%s: contains no data", in_name);
		goto out;
	}
	for (size_t i = 0; i + 1 < rs.n; i++)
		if (rs.r[i + 1].start - rs.r[i].end > limit) {
			rc = bin_gap_error(rs.r[i].end, (uint32_t)rs.r[i + 1].start, limit, e);
			goto out;
		}
	if (again || base != rs.r[0].start) {
		base = rs.r[0].start;
		if (ftruncate(wb.fd, 0) != 0) {
			rc = fk_fail(e, FK_EIO, "write error: %s", strerror(errno));
			goto out;
		}
		rc = hex_pass(fd, in_name, false, &rs, &base, &again, limit, &wb, p, e);
		if (rc)
			goto out;
	}
	/* Gaps between runs: erased flash. */
	memset(wb.buf, fill, CHUNK);
	for (size_t i = 0; i + 1 < rs.n; i++) {
		uint64_t at = rs.r[i].end - base, stop = rs.r[i + 1].start - base;
		while (at < stop) {
			size_t k = stop - at > CHUNK ? CHUNK : (size_t)(stop - at);
			if ((rc = write_all_at(wb.fd, wb.buf, k, at, e)))
				goto out;
			at += k;
		}
	}
	/* The image ends where its last byte is; a stale tail cannot remain. */
	if (ftruncate(wb.fd, (off_t)(rs.r[rs.n - 1].end - base)) != 0)
		rc = fk_fail(e, FK_EIO, "write error: %s", strerror(errno));
out:
	close(fd);
	free(rs.r);
	free(p);
	free(wb.buf);
	return rc;
}
