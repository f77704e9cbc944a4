/* Intel HEX: reader (types 00-05, any case, CRLF or LF, records in any
 * order) and writer (the record layout of GNU objcopy -O ihex, byte for
 * byte). The record codec is also used by the streaming paths (stream.c). */
#include <stdlib.h>
#include <string.h>

#include "formats.h"
#include "stream.h"

void ihex_parser_init(struct ihex_parser *p, const char *name)
{
	memset(p, 0, sizeof *p);
	p->name = name;
}

static int bad(const struct ihex_parser *p, unsigned long lineno, struct fk_err *e,
	       const char *what, unsigned long a, unsigned long b)
{
	char msg[200];
	snprintf(msg, sizeof msg, what, a, b);
	return fk_fail(e, FK_EDATA, "%s:%lu: %s", p->name, lineno, msg);
}

/* Column (1-based) of the first character after ':' that is not a hex digit, or 0. */
static size_t first_bad_digit(const uint8_t *s, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (!hex_digit1[s[i]])
			return i + 1;
	return 0;
}

static int bad_digit(const struct ihex_parser *p, const uint8_t *s, size_t n, unsigned long lineno,
		     struct fk_err *e)
{
	size_t col = first_bad_digit(s, n);
	uint8_t c = col ? s[col - 1] : '?';
	return bad(p, lineno, e, "bad hex digit '%c' in column %lu", c >= 0x20 && c < 0x7f ? c : '?',
		   col);
}

int ihex_parse_line(struct ihex_parser *p, const uint8_t *s, size_t n, unsigned long lineno,
		    uint32_t *addr, size_t *len, struct fk_err *e)
{
	*len = 0;
	if (n == 0 || (n == 1 && s[0] == 0x1A)) /* blank line, or a DOS end-of-file mark */
		return 0;
	if (p->seen_eof)
		return bad(p, lineno, e,
			   "data after the end-of-file record (two files joined? remove everything after ':00000001FF')",
			   0, 0);
	if (s[0] != ':')
		return bad(p, lineno, e,
			   "line does not start with ':' (byte 0x%02lx), so this is not an Intel HEX record",
			   s[0], 0);
	if (n < 11)
		return bad(p, lineno, e,
			   "truncated record: %lu characters, a record has at least 11", n, 0);
	/* Every byte pair after ':' (length, address, type, data, checksum),
	 * one table lookup each; any bad digit makes the OR negative and is
	 * located afterwards, off the fast path. */
	const int16_t *T = hex_pair_table();
	int16_t h0 = T[pair16(s + 1)], h1 = T[pair16(s + 3)], h2 = T[pair16(s + 5)],
		h3 = T[pair16(s + 7)];
	if ((h0 | h1 | h2 | h3) < 0)
		return bad_digit(p, s, n, lineno, e);
	size_t ll = (size_t)h0;
	size_t want = 11 + 2 * ll;
	if (n < want) {
		if (first_bad_digit(s, n))
			return bad_digit(p, s, n, lineno, e);
		return bad(p, lineno, e,
			   "truncated record: the length field says %lu data bytes, the line ends after %lu characters",
			   ll, n);
	}
	if (n > want)
		return bad(p, lineno, e,
			   "record length mismatch: the length field says %lu data bytes, the line has %lu characters too many",
			   ll, n - want);
	int sum = h0 + h1 + h2 + h3, acc = 0;
	const uint8_t *q = s + 9;
	for (size_t i = 0; i <= ll; i++, q += 2) {
		int16_t v = T[pair16(q)];
		acc |= v;
		sum += v;
		p->data[i] = (uint8_t)v; /* data[ll] gets the checksum: data has room */
	}
	if (acc < 0)
		return bad_digit(p, s, n, lineno, e);
	if ((sum & 0xFF) != 0) {
		uint8_t stored = p->data[ll];
		return bad(p, lineno, e, "bad checksum 0x%02lX, the record needs 0x%02lX (file damaged?)",
			   stored, (uint8_t)(stored - sum));
	}
	uint8_t hdr[4] = { (uint8_t)h0, (uint8_t)h1, (uint8_t)h2, (uint8_t)h3 };
	unsigned off = (unsigned)hdr[1] << 8 | hdr[2];
	uint8_t type = hdr[3];
	const uint8_t *d = p->data;
	switch (type) {
	case 0x00: {
		uint64_t a = (uint64_t)p->base + off;
		if (a + ll > 0x100000000ull)
			return bad(p, lineno, e,
				   "address overflow: data at 0x%lX runs past the 4 GiB address space", (unsigned long)a, 0);
		*addr = (uint32_t)a;
		*len = ll;
		return 0;
	}
	case 0x01:
		if (ll != 0)
			return bad(p, lineno, e, "end-of-file record carries %lu data bytes, it should carry none", ll, 0);
		p->seen_eof = true;
		return 0;
	case 0x02:
	case 0x04:
		if (ll != 2)
			return bad(p, lineno, e, "address record (type %02lX) has %lu data bytes, it needs 2", type, ll);
		p->base = type == 0x02 ? ((uint32_t)d[0] << 8 | d[1]) << 4
				       : ((uint32_t)d[0] << 24 | (uint32_t)d[1] << 16);
		return 0;
	case 0x03:
	case 0x05:
		if (ll != 4)
			return bad(p, lineno, e, "start address record (type %02lX) has %lu data bytes, it needs 4",
				   type, ll);
	{
		uint32_t v;
		if (type == 0x05)
			v = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
		else /* CS:IP */
			v = (((uint32_t)d[0] << 8 | d[1]) << 4) + ((uint32_t)d[2] << 8 | d[3]);
		/* A second start record: keep the first, as srec_cat does
		 * ("redundant execution start address record"); the reader warns. */
		if (p->has_entry) {
			if (!p->dup_line) {
				p->dup_line = lineno;
				p->dup_entry = v;
			}
			return 0;
		}
		p->has_entry = true;
		p->entry = v;
		p->entry_line = lineno;
		return 0;
	}
	default:
		return bad(p, lineno, e, "unknown record type %02lX (Intel HEX has types 00 to 05)", type, 0);
	}
}

int ihex_parser_finish(struct ihex_parser *p, unsigned long lines, struct fk_err *e)
{
	if (!p->seen_eof)
		return fk_fail(e, FK_EDATA,
			       "%s:%lu: no end-of-file record (:00000001FF): the file looks truncated",
			       p->name, lines);
	return 0;
}

static int rd(struct image *img, const uint8_t *buf, size_t len, const struct read_opts *o,
	      struct fk_err *e)
{
	struct ihex_parser p;
	struct linesrc l;
	const uint8_t *s;
	size_t n;
	int r;

	struct rec_adder ra;
	ihex_parser_init(&p, o->name);
	rec_adder_init(&ra, img, o->name);
	linesrc_mem(&l, buf, len);
	while ((r = linesrc_next(&l, &s, &n, o->name, e)) > 0) {
		uint32_t addr;
		size_t dl;
		if (ihex_parse_line(&p, s, n, l.line, &addr, &dl, e))
			break;
		if (dl && rec_add(&ra, addr, p.data, dl, l.line, e))
			break;
	}
	if (e->code) {
		rec_adder_finish(&ra, e);
		return e->code;
	}
	if (rec_adder_finish(&ra, e) || ihex_parser_finish(&p, l.line, e))
		return e->code;
	if (p.has_entry) {
		img->has_entry = true;
		img->entry = p.entry;
	}
	if (p.dup_line)
		read_warn(o, "%s:%lu: a second start address record (0x%08x); the first, 0x%08x on line %lu, is kept (as srec_cat does)",
			  o->name, p.dup_line, p.dup_entry, p.entry, p.entry_line);
	return 0;
}

/* ---- writer ---- */

static void emit(struct obuf *o, unsigned len, unsigned off, uint8_t type, const uint8_t *d)
{
	char *p = obuf_room(o, 13 + 2 * (size_t)len);
	char *q = p;
	unsigned sum = len + (off >> 8) + (off & 0xFF) + type;

	*q++ = ':';
	q = put_hex8(q, (uint8_t)len);
	q = put_hex8(q, (uint8_t)(off >> 8));
	q = put_hex8(q, (uint8_t)off);
	q = put_hex8(q, type);
	for (unsigned i = 0; i < len; i++) {
		sum += d[i];
		q = put_hex8(q, d[i]);
	}
	q = put_hex8(q, (uint8_t)(0x100 - (sum & 0xFF)));
	*q++ = '\r';
	*q++ = '\n';
	o->n += (size_t)(q - p);
}

void ihex_writer_init(struct ihex_writer *w, struct obuf *out, unsigned reclen)
{
	memset(w, 0, sizeof *w);
	w->out = out;
	w->reclen = reclen ? reclen : IHEX_DEFAULT_RECLEN;
}

/* Begin a record at addr: the address records objcopy would write first,
 * then how many bytes this record may hold. */
static void start_record(struct ihex_writer *w, uint32_t addr)
{
	if ((uint64_t)addr > (uint64_t)w->segbase + w->extbase + 0xFFFF) {
		uint8_t a[2];
		if (w->extbase == 0 && addr <= 0xFFFFF) {
			w->segbase = addr & 0xF0000;
			a[0] = (uint8_t)(w->segbase >> 12);
			a[1] = (uint8_t)(w->segbase >> 4);
			emit(w->out, 2, 0, 0x02, a);
		} else {
			if (w->segbase != 0) { /* an 02 and an 04 would add up in some readers */
				a[0] = a[1] = 0;
				emit(w->out, 2, 0, 0x02, a);
				w->segbase = 0;
			}
			w->extbase = addr & 0xFFFF0000u;
			a[0] = (uint8_t)(w->extbase >> 24);
			a[1] = (uint8_t)(w->extbase >> 16);
			emit(w->out, 2, 0, 0x04, a);
		}
	}
	uint32_t rec = addr - (w->extbase + w->segbase);
	w->pstart = addr;
	w->plen = 0;
	w->plim = 0x10000 - rec < w->reclen ? 0x10000 - rec : w->reclen;
}

void ihex_writer_data(struct ihex_writer *w, uint32_t addr, const uint8_t *d, size_t len)
{
	while (len > 0) {
		if (w->plen == 0)
			start_record(w, addr);
		size_t take = w->plim - w->plen;
		if (take > len)
			take = len;
		if (w->plen == 0 && take == w->plim) {
			emit(w->out, w->plim, w->pstart - (w->extbase + w->segbase), 0x00, d);
		} else {
			memcpy(w->pend + w->plen, d, take);
			w->plen += (unsigned)take;
			if (w->plen == w->plim) {
				emit(w->out, w->plen, w->pstart - (w->extbase + w->segbase), 0x00, w->pend);
				w->plen = 0;
			}
		}
		d += take;
		addr += (uint32_t)take;
		len -= take;
	}
}

void ihex_writer_break(struct ihex_writer *w)
{
	if (w->plen > 0)
		emit(w->out, w->plen, w->pstart - (w->extbase + w->segbase), 0x00, w->pend);
	w->plen = 0;
}

void ihex_writer_end(struct ihex_writer *w, bool has_entry, uint32_t entry)
{
	ihex_writer_break(w);
	/* objcopy writes no start record for address 0. */
	if (has_entry && entry != 0) {
		uint8_t b[4];
		if (entry <= 0xFFFFF) {
			b[0] = (uint8_t)((entry & 0xF0000) >> 12);
			b[1] = 0;
			b[2] = (uint8_t)(entry >> 8);
			b[3] = (uint8_t)entry;
			emit(w->out, 4, 0, 0x03, b);
		} else {
			b[0] = (uint8_t)(entry >> 24);
			b[1] = (uint8_t)(entry >> 16);
			b[2] = (uint8_t)(entry >> 8);
			b[3] = (uint8_t)entry;
			emit(w->out, 4, 0, 0x05, b);
		}
	}
	emit(w->out, 0, 0, 0x01, NULL);
}

static int wr(const struct image *img, FILE *out, const struct write_opts *o, struct fk_err *e)
{
	unsigned reclen = o && o->record_len ? o->record_len : IHEX_DEFAULT_RECLEN;
	if (reclen > 255)
		return fk_fail(e, FK_EUSAGE, "hex: record length %u is too long (1 to 255 data bytes)", reclen);
	struct obuf obs, *ob = &obs;
	if (obuf_open(ob, out, e))
		return e->code;
	struct ihex_writer w;
	ihex_writer_init(&w, ob, reclen);
	uint64_t prev_end = 0;
	size_t hint = 0;
	for (size_t i = 0; i < img->nseg; i++) {
		const struct segment *s = &img->seg[i];
		if (s->addr < prev_end) {
			obuf_close(ob);
			return fk_fail(e, FK_EDATA,
				       "data for several DfuSe targets overlaps at 0x%08x: convert one target at a time",
				       s->addr);
		}
		prev_end = (uint64_t)s->addr + s->len;
		size_t off = 0;
		while (off < s->len) {
			uint32_t a = s->addr + (uint32_t)off;
			uint64_t nb = image_next_break(img, a, &hint);
			size_t run = s->len - off;
			if (nb < (uint64_t)a + run)
				run = (size_t)(nb - a);
			ihex_writer_data(&w, a, s->data + off, run);
			ihex_writer_break(&w);
			off += run;
		}
	}
	ihex_writer_end(&w, img->has_entry, img->entry);
	int rc = obuf_finish(ob, e);
	obuf_close(ob);
	return rc;
}

/* ':' then hex digits up to the first line end; blank lines before it are
 * allowed (the reader skips them too), so hex text that starts with an empty
 * line is still hex, not a raw binary. */
static bool probe(const uint8_t *buf, size_t len)
{
	while (len > 0 && (buf[0] == '\n' || buf[0] == '\r')) {
		buf++;
		len--;
	}
	if (len < 11 || buf[0] != ':')
		return false;
	for (size_t i = 1; i < 11; i++)
		if (!hex_digit1[buf[i]])
			return false;
	return true;
}

const struct format fmt_ihex = {
	.name = "hex",
	.exts = ".hex .ihex .ihx .h86 .hex86",
	.probe = probe,
	.read = rd,
	.write = wr,
};
