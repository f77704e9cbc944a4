/* Buffered output, line reading with a fixed buffer, and the streaming
 * bin->hex and hex->bin conversions, whose memory does not grow with the
 * image (see stream.h). */
#define _POSIX_C_SOURCE 200809L
#include "stream.h"

#include <errno.h>
#include <pthread.h>
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

static int16_t pair_table[65536];
static bool pair_ready;

const int16_t *hex_pair_table(void)
{
	if (!pair_ready) {
		for (unsigned i = 0; i < 65536; i++) {
			unsigned a = hex_digit1[i & 0xFF], b = hex_digit1[i >> 8];
			pair_table[i] = (int16_t)(a && b ? (int)((a - 1) << 4 | (b - 1)) : -1);
		}
		pair_ready = true;
	}
	return pair_table;
}

int obuf_open(struct obuf *o, FILE *fp, struct fk_err *e)
{
	memset(o, 0, sizeof *o);
	o->fp = fp;
	o->cap = OBUF_SIZE;
	o->buf = malloc(o->cap + OBUF_SLACK);
	return o->buf ? 0 : fk_fail(e, FK_EINTERNAL, "out of memory");
}

/* Send full buffers to the writer thread from now on. */
static void obuf_attach(struct obuf *o, struct awriter *aw, uint64_t off)
{
	free(o->buf);
	o->aw = aw;
	o->off = off;
	o->buf = aw_get(aw);
	o->n = 0;
}

void obuf_flush(struct obuf *o)
{
	if (o->aw) {
		size_t n = o->n < o->cap ? o->n : o->cap;
		char *full = o->buf;
		o->buf = aw_get(o->aw);
		memcpy(o->buf, full + n, o->n - n); /* what ran past cap */
		aw_put(o->aw, full, 0, n, o->off);
		o->off += n;
		o->n -= n;
		return;
	} else if (o->n && !o->failed && fwrite(o->buf, 1, o->n, o->fp) != o->n) {
		o->failed = true;
	}
	o->n = 0;
}

int obuf_finish(struct obuf *o, struct fk_err *e)
{
	if (o->aw) {
		aw_put(o->aw, o->buf, 0, o->n, o->off);
		o->off += o->n;
		o->buf = NULL;
		o->n = 0;
		int rc = aw_finish(o->aw, e);
		o->aw = NULL;
		return rc;
	}
	obuf_flush(o);
	if (o->failed || fflush(o->fp) != 0 || ferror(o->fp))
		return fk_fail(e, FK_EIO, "write error: %s", strerror(errno));
	return 0;
}

void obuf_close(struct obuf *o)
{
	if (o->aw) { /* not finished: an error path */
		aw_put(o->aw, o->buf, 0, 0, 0);
		struct fk_err ignore = { 0 };
		aw_finish(o->aw, &ignore);
		o->aw = NULL;
		o->buf = NULL;
	}
	free(o->buf);
	o->buf = NULL;
}

/* ---- writer thread ---- */

#define AW_BUFS 4

struct awriter {
	int fd;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *all[AW_BUFS];
	char *free_[AW_BUFS];
	size_t nfree;
	struct { char *buf; size_t at, n; uint64_t off; } q[AW_BUFS];
	size_t qh, qn;
	bool done;
	int err;
	bool direct;
	uint64_t synced, written;
};

static void set_direct(struct awriter *w, bool on)
{
	int fl = fcntl(w->fd, F_GETFL);
	if (fl >= 0 && fcntl(w->fd, F_SETFL, on ? fl | O_DIRECT : fl & ~O_DIRECT) == 0)
		w->direct = on;
	else
		w->direct = false;
}

/* outfile_commit fsyncs the output; starting the writeback as we go lets
 * the disk work while we encode instead of all of it waiting at the end. */
#define WRITEBACK_STEP (8u << 20)

static void *aw_main(void *arg)
{
	struct awriter *w = arg;
	for (;;) {
		pthread_mutex_lock(&w->mu);
		while (w->qn == 0 && !w->done)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->qn == 0) {
			pthread_mutex_unlock(&w->mu);
			return NULL;
		}
		char *buf = w->q[w->qh].buf;
		size_t at = w->q[w->qh].at;
		size_t n = w->q[w->qh].n;
		uint64_t off = w->q[w->qh].off;
		w->qh = (w->qh + 1) % AW_BUFS;
		w->qn--;
		int err = w->err;
		pthread_mutex_unlock(&w->mu);

		const char *p = buf + at;
		/* O_DIRECT needs aligned memory, offset and length: the last,
		 * partial block goes through the page cache. */
		if (w->direct && (((uintptr_t)p | off | n) & 4095))
			set_direct(w, false);
		while (n > 0 && !err) {
			ssize_t r = pwrite(w->fd, p, n, (off_t)off);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0 && errno == EINVAL && w->direct) { /* the file system says no */
				set_direct(w, false);
				continue;
			}
			if (r <= 0) {
				err = r < 0 ? errno : ENOSPC;
				break;
			}
			p += r;
			n -= (size_t)r;
			off += (uint64_t)r;
			w->written += (uint64_t)r;
		}
		if (!err && w->written - w->synced >= WRITEBACK_STEP) {
			sync_file_range(w->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
			w->synced = w->written;
		}
		pthread_mutex_lock(&w->mu);
		if (err && !w->err)
			w->err = err;
		w->free_[w->nfree++] = buf;
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
	}
}

int aw_start(struct awriter **wp, int fd, bool direct, struct fk_err *e)
{
	struct awriter *w = calloc(1, sizeof *w);
	if (!w)
		return fk_fail(e, FK_EINTERNAL, "out of memory");
	w->fd = fd;
	for (size_t i = 0; i < AW_BUFS; i++) {
		void *b = NULL;
		if (posix_memalign(&b, 4096, OBUF_SIZE + OBUF_SLACK) != 0)
			b = NULL;
		w->all[i] = w->free_[i] = b;
		if (!w->all[i]) {
			for (size_t j = 0; j < i; j++)
				free(w->all[j]);
			free(w);
			return fk_fail(e, FK_EINTERNAL, "out of memory");
		}
	}
	w->nfree = AW_BUFS;
	if (direct)
		set_direct(w, true);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->th, NULL, aw_main, w) != 0) {
		for (size_t i = 0; i < AW_BUFS; i++)
			free(w->all[i]);
		free(w);
		return fk_fail(e, FK_EINTERNAL, "cannot start a thread");
	}
	*wp = w;
	return 0;
}

char *aw_get(struct awriter *w)
{
	pthread_mutex_lock(&w->mu);
	while (w->nfree == 0)
		pthread_cond_wait(&w->cv, &w->mu);
	char *b = w->free_[--w->nfree];
	pthread_mutex_unlock(&w->mu);
	return b;
}

void aw_put(struct awriter *w, char *buf, size_t at, size_t n, uint64_t off)
{
	pthread_mutex_lock(&w->mu);
	size_t t = (w->qh + w->qn) % AW_BUFS;
	w->q[t].buf = buf;
	w->q[t].at = at;
	w->q[t].n = n;
	w->q[t].off = off;
	w->qn++;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

int aw_finish(struct awriter *w, struct fk_err *e)
{
	pthread_mutex_lock(&w->mu);
	w->done = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	if (w->direct) /* the caller may write unaligned data next */
		set_direct(w, false);
	int err = w->err;
	for (size_t i = 0; i < AW_BUFS; i++)
		free(w->all[i]);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
	if (err)
		return fk_fail(e, FK_EIO, "write error: %s", strerror(err));
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

/* ---- adding records to an image ---- */

void rec_adder_init(struct rec_adder *a, struct image *img, const char *name)
{
	memset(a, 0, sizeof *a);
	a->img = img;
	a->name = name;
}

/* image_add, naming the line in an overlap error. */
static int add_line(struct rec_adder *a, uint32_t addr, const uint8_t *d, size_t len,
		    unsigned long line, struct fk_err *e)
{
	struct fk_err le = { 0 };
	if (image_add(a->img, addr, d, len, 0, "", &le) == 0)
		return 0;
	const char *m = strncmp(le.msg, ": ", 2) == 0 ? le.msg + 2 : le.msg; /* ": data at ..." */
	return fk_fail(e, le.code, "%s:%lu: %s", a->name, line, m);
}

int rec_add(struct rec_adder *a, uint32_t addr, const uint8_t *d, size_t len, unsigned long line,
	    struct fk_err *e)
{
	if (addr >= a->last_end) {
		a->last_end = (uint64_t)addr + len;
		return add_line(a, addr, d, len, line, e);
	}
	if (a->n == a->cap) {
		size_t ncap = a->cap ? a->cap * 2 : 256;
		struct late_rec *r = realloc(a->r, ncap * sizeof *r);
		if (!r)
			return fk_fail(e, FK_EINTERNAL, "out of memory");
		a->r = r;
		a->cap = ncap;
	}
	if (a->alen + len > a->acap) {
		size_t ncap = a->acap ? a->acap * 2 : 4096;
		while (ncap < a->alen + len)
			ncap *= 2;
		uint8_t *p = realloc(a->arena, ncap);
		if (!p)
			return fk_fail(e, FK_EINTERNAL, "out of memory");
		a->arena = p;
		a->acap = ncap;
	}
	memcpy(a->arena + a->alen, d, len);
	a->r[a->n++] = (struct late_rec){ addr, (uint32_t)len, a->alen, line };
	a->alen += len;
	return 0;
}

static int late_cmp(const void *x, const void *y)
{
	const struct late_rec *a = x, *b = y;
	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return a->line < b->line ? -1 : a->line > b->line;
}

int rec_adder_finish(struct rec_adder *a, struct fk_err *e)
{
	int rc = 0;
	if (a->n)
		qsort(a->r, a->n, sizeof *a->r, late_cmp);
	for (size_t i = 0; i < a->n && !rc && !e->code; i++) /* after an error: only free */
		rc = add_line(a, a->r[i].addr, a->arena + a->r[i].at, a->r[i].len, a->r[i].line, e);
	free(a->r);
	free(a->arena);
	a->r = NULL;
	a->arena = NULL;
	a->n = a->cap = a->alen = a->acap = 0;
	return rc;
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
	/* Reading and encoding here, writing in a second thread. */
	uint8_t *buf = malloc(CHUNK);
	struct obuf ob;
	struct awriter *aw;
	if (!buf || obuf_open(&ob, out, e)) {
		free(buf);
		close(fd);
		return fk_fail(e, FK_EINTERNAL, "out of memory");
	}
	if ((rc = aw_start(&aw, fileno(out), true, e))) {
		free(buf);
		obuf_close(&ob);
		close(fd);
		return rc;
	}
	obuf_attach(&ob, aw, 0);
	struct ihex_writer w;
	ihex_writer_init(&w, &ob, reclen);
	uint64_t at = address;
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
	}
	close(fd);
	free(buf);
	if (!rc) {
		/* A raw binary's start address is its first byte, as objcopy has it. */
		ihex_writer_end(&w, true, address);
		rc = obuf_finish(&ob, e);
	}
	obuf_close(&ob);
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

/* Contiguous record data collected into one buffer, then written at its
 * offset by the writer thread. A run grows at its end (records in order)
 * or at its start (records in descending order), so either order costs
 * one write per buffer, not one per record. */
struct wbuf {
	struct awriter *aw;
	uint8_t *buf;
	size_t bs, be;  /* the run is buf[bs..be) */
	uint64_t off;   /* file offset of buf[bs] */
	bool down;      /* the last run grew downward: start new runs at the top */
};

static void wbuf_flush(struct wbuf *w)
{
	if (w->be > w->bs) {
		aw_put(w->aw, (char *)w->buf, w->bs, w->be - w->bs, w->off);
		w->buf = (uint8_t *)aw_get(w->aw);
	}
	w->bs = w->be = 0;
}

/* Hand on the run up to OBUF_SIZE and keep what ran past it: a run that
 * starts at a block boundary is then written in whole, aligned blocks. */
static void wbuf_cut(struct wbuf *w)
{
	uint8_t *full = w->buf;
	size_t n = OBUF_SIZE - w->bs;
	w->buf = (uint8_t *)aw_get(w->aw);
	memcpy(w->buf, full + OBUF_SIZE, w->be - OBUF_SIZE);
	aw_put(w->aw, (char *)full, w->bs, n, w->off);
	w->off += n;
	w->be -= OBUF_SIZE;
	w->bs = 0;
}

static void wbuf_put(struct wbuf *w, uint64_t off, const uint8_t *d, size_t len)
{
	if (w->be > w->bs) {
		if (off == w->off + (w->be - w->bs) && w->be + len <= OBUF_SIZE + OBUF_SLACK) {
			memcpy(w->buf + w->be, d, len);
			w->be += len;
			if (w->be >= OBUF_SIZE)
				wbuf_cut(w);
			return;
		}
		if (off + len == w->off && w->bs >= len) {
			w->bs -= len;
			w->off = off;
			memcpy(w->buf + w->bs, d, len);
			return;
		}
		w->down = off + len == w->off;
		wbuf_flush(w);
	}
	w->bs = w->down ? OBUF_SIZE - len : 0;
	w->be = w->bs + len;
	w->off = off;
	memcpy(w->buf + w->bs, d, len);
}

static int wbuf_start(struct wbuf *w, int fd, struct fk_err *e)
{
	memset(w, 0, sizeof *w);
	if (aw_start(&w->aw, fd, true, e))
		return e->code;
	w->buf = (uint8_t *)aw_get(w->aw);
	return 0;
}

/* Write what is left and wait for the writer thread. */
static int wbuf_finish(struct wbuf *w, struct fk_err *e)
{
	if (!w->aw)
		return 0;
	aw_put(w->aw, (char *)w->buf, w->bs, w->be - w->bs, w->off);
	int rc = aw_finish(w->aw, e);
	w->aw = NULL;
	return rc;
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
		wbuf_put(wb, a - *base, p->data, len);
	}
	if (r < 0)
		goto fail;
	if (validate && ihex_parser_finish(p, l.line, e))
		goto fail;
	linesrc_free(&l);
	return 0;
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
	uint8_t *pad = malloc(CHUNK);
	struct wbuf wb = { 0 };
	int ofd = fileno(out);
	uint64_t base = 0;
	bool again = false;
	if (!p || !pad) {
		rc = fk_fail(e, FK_EINTERNAL, "out of memory");
		goto out;
	}
	/* Parsing here, writing in a second thread. */
	if ((rc = wbuf_start(&wb, ofd, e)))
		goto out;
	rc = hex_pass(fd, in_name, true, &rs, &base, &again, limit, &wb, p, e);
	if (rc)
		goto out;
	if ((rc = wbuf_finish(&wb, e)))
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
		/* Records below the first one, or far apart: place everything
		 * again now that the lowest address is known. */
		base = rs.r[0].start;
		if (ftruncate(ofd, 0) != 0) {
			rc = fk_fail(e, FK_EIO, "write error: %s", strerror(errno));
			goto out;
		}
		if ((rc = wbuf_start(&wb, ofd, e)))
			goto out;
		rc = hex_pass(fd, in_name, false, &rs, &base, &again, limit, &wb, p, e);
		if (rc)
			goto out;
		if ((rc = wbuf_finish(&wb, e)))
			goto out;
	}
	/* Gaps between runs: erased flash. */
	memset(pad, fill, CHUNK);
	for (size_t i = 0; i + 1 < rs.n; i++) {
		uint64_t at = rs.r[i].end - base, stop = rs.r[i + 1].start - base;
		while (at < stop) {
			size_t k = stop - at > CHUNK ? CHUNK : (size_t)(stop - at);
			if ((rc = write_all_at(ofd, pad, k, at, e)))
				goto out;
			at += k;
		}
	}
	/* The image ends where its last byte is; a stale tail cannot remain. */
	if (ftruncate(ofd, (off_t)(rs.r[rs.n - 1].end - base)) != 0)
		rc = fk_fail(e, FK_EIO, "write error: %s", strerror(errno));
out:
	if (wb.aw) {
		struct fk_err ignore = { 0 };
		wbuf_finish(&wb, &ignore);
	}
	close(fd);
	free(rs.r);
	free(p);
	free(pad);
	return rc;
}
