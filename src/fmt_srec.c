/* Motorola S-record: reader for S0-S9 and writer in the layout of
 * GNU objcopy -O srec --srec-forceS3 (S0 header with the output name,
 * S3 data records per run, S7 start address, CRLF). */
#include <stdlib.h>
#include <string.h>

#include "formats.h"
#include "stream.h"

static int bad(const char *name, unsigned long line, struct fk_err *e, const char *what,
	       unsigned long a, unsigned long b)
{
	char msg[200];
	snprintf(msg, sizeof msg, what, a, b);
	return fk_fail(e, FK_EDATA, "%s:%lu: %s", name, line, msg);
}

/* Address bytes per record type; 0 for S4, which is reserved. */
static const uint8_t addr_bytes[10] = { 2, 2, 3, 4, 0, 2, 3, 4, 3, 2 };

static int parse(struct image *img, struct rec_adder *ra, const uint8_t *buf, size_t len,
		 const char *name, struct fk_err *e)
{
	struct linesrc l;
	const uint8_t *s;
	size_t n;
	int r;
	bool done = false;
	unsigned long ndata = 0;
	uint8_t b[256];
	int rc = 0;

	linesrc_mem(&l, buf, len);
	while ((r = linesrc_next(&l, &s, &n, name, e)) > 0) {
		unsigned long ln = l.line;
		if (n == 0 || (n == 1 && s[0] == 0x1A))
			continue;
		if (done)
			return bad(name, ln, e,
				   "data after the termination record (S7/S8/S9): two files joined?", 0, 0);
		if (s[0] != 'S')
			return bad(name, ln, e,
				   "line does not start with 'S' (byte 0x%02lx), so this is not an S-record", s[0], 0);
		if (n < 4)
			return bad(name, ln, e, "truncated record: %lu characters, a record has at least 4", n, 0);
		if (s[1] < '0' || s[1] > '9' || s[1] == '4')
			return bad(name, ln, e, "unknown record type 'S%c' (S0-S3 and S5-S9 exist)",
				   s[1] >= 0x20 && s[1] < 0x7f ? s[1] : '?', 0);
		unsigned type = (unsigned)(s[1] - '0');
		/* The count first: it says how long the line must be. */
		uint8_t x = hex_digit1[s[2]], y = hex_digit1[s[3]];
		if (!x || !y) {
			size_t col = x ? 4 : 3;
			return bad(name, ln, e, "bad hex digit '%c' in column %lu",
				   s[col - 1] >= 0x20 && s[col - 1] < 0x7f ? s[col - 1] : '?', col);
		}
		size_t count = (size_t)((x - 1) << 4 | (y - 1));
		size_t al = addr_bytes[type];
		if (n < 4 + 2 * count)
			return bad(name, ln, e,
				   "truncated record: the count field says %lu bytes follow, the line ends after %lu characters",
				   count, n);
		if (n > 4 + 2 * count)
			return bad(name, ln, e,
				   "record length mismatch: the count field says %lu bytes follow, the line has %lu characters too many",
				   count, n - 4 - 2 * count);
		if (count < al + 1)
			return bad(name, ln, e,
				   "record too short for its type: count %lu, it needs at least %lu", count, al + 1);
		b[0] = (uint8_t)count;
		for (size_t i = 1; i <= count; i++) {
			x = hex_digit1[s[2 + 2 * i]];
			y = hex_digit1[s[3 + 2 * i]];
			if (!x || !y) {
				size_t col = x ? 4 + 2 * i : 3 + 2 * i;
				return bad(name, ln, e, "bad hex digit '%c' in column %lu",
					   s[col - 1] >= 0x20 && s[col - 1] < 0x7f ? s[col - 1] : '?', col);
			}
			b[i] = (uint8_t)((x - 1) << 4 | (y - 1));
		}
		unsigned sum = 0;
		for (size_t i = 0; i <= count; i++)
			sum += b[i];
		if ((sum & 0xFF) != 0xFF)
			return bad(name, ln, e, "bad checksum 0x%02lX, the record needs 0x%02lX (file damaged?)",
				   b[count], (uint8_t)~(sum - b[count]));
		uint32_t a = 0;
		for (size_t i = 0; i < al; i++)
			a = a << 8 | b[1 + i];
		const uint8_t *d = b + 1 + al;
		size_t dl = count - al - 1;
		switch (type) {
		case 1:
		case 2:
		case 3:
			if ((uint64_t)a + dl > FK_ADDR_LIMIT)
				return bad(name, ln, e,
					   "address overflow: data at 0x%lX runs past the 4 GiB address space", a, 0);
			if (dl && (rc = rec_add(ra, a, d, dl, ln, e)))
				return rc;
			ndata++;
			break;
		case 5:
		case 6:
			if (a != (ndata & (type == 5 ? 0xFFFFu : 0xFFFFFFu)))
				return bad(name, ln, e,
					   "record count mismatch: the count record says %lu data records, the file has %lu before it (records lost?)",
					   a, ndata);
			break;
		case 7:
		case 8:
		case 9:
			img->has_entry = true;
			img->entry = a;
			done = true;
			break;
		default: /* S0 header: free text, nothing to keep */
			break;
		}
	}
	if (r < 0)
		return e->code;
	/* No S7/S8/S9 is accepted: srec_cat leaves it out when there is no
	 * start address. An S5/S6 count, when present, was checked above. */
	return 0;
}

static int rd(struct image *img, const uint8_t *buf, size_t len, const struct read_opts *o,
	      struct fk_err *e)
{
	struct rec_adder ra;
	rec_adder_init(&ra, img, o->name);
	int rc = parse(img, &ra, buf, len, o->name, e);
	int rc2 = rec_adder_finish(&ra, e); /* frees; adds the out-of-order records */
	return rc ? rc : rc2;
}

static void emit(struct obuf *o, char type, unsigned al, uint32_t addr, const uint8_t *d,
		 size_t len)
{
	char *p = obuf_room(o, 2 + 2 * (1 + al + len + 1) + 2);
	char *q = p;
	unsigned count = al + (unsigned)len + 1;
	unsigned sum = count;

	*q++ = 'S';
	*q++ = type;
	q = put_hex8(q, (uint8_t)count);
	for (unsigned i = al; i-- > 0;) {
		uint8_t x = (uint8_t)(addr >> (8 * i));
		sum += x;
		q = put_hex8(q, x);
	}
	for (size_t i = 0; i < len; i++) {
		sum += d[i];
		q = put_hex8(q, d[i]);
	}
	q = put_hex8(q, (uint8_t)~sum);
	*q++ = '\r';
	*q++ = '\n';
	o->n += (size_t)(q - p);
}

static int wr(const struct image *img, FILE *out, const struct write_opts *o, struct fk_err *e)
{
	size_t reclen = o && o->record_len ? o->record_len : SREC_DEFAULT_RECLEN;
	if (reclen > 250)
		return fk_fail(e, FK_EUSAGE, "srec: record length %zu is too long (1 to 250 data bytes)", reclen);
	struct obuf obs, *ob = &obs;
	if (obuf_open(ob, out, e))
		return e->code;
	/* objcopy's header is the output name, cut at 40 characters. */
	const char *hdr = o && o->out_name ? o->out_name : "";
	size_t hl = strlen(hdr);
	emit(ob, '0', 2, 0, (const uint8_t *)hdr, hl > 40 ? 40 : hl);
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
		uint64_t nb = 0;
		while (off < s->len) {
			uint32_t a = s->addr + (uint32_t)off;
			if (nb <= a)
				nb = image_next_break(img, a, &hint);
			size_t k = s->len - off < reclen ? s->len - off : reclen;
			if (nb < (uint64_t)a + k)
				k = (size_t)(nb - a);
			emit(ob, '3', 4, a, s->data + off, k);
			off += k;
		}
	}
	emit(ob, '7', 4, img->has_entry ? img->entry : 0, NULL, 0);
	int rc = obuf_finish(ob, e);
	obuf_close(ob);
	return rc;
}

/* 'S', a record type digit, then hex digits (after any blank lines, which
 * the reader skips too). */
static bool probe(const uint8_t *buf, size_t len)
{
	while (len > 0 && (buf[0] == '\n' || buf[0] == '\r')) {
		buf++;
		len--;
	}
	if (len < 10 || buf[0] != 'S' || buf[1] < '0' || buf[1] > '9')
		return false;
	for (size_t i = 2; i < 10; i++)
		if (!hex_digit1[buf[i]])
			return false;
	return true;
}

const struct format fmt_srec = {
	.name = "srec",
	.exts = ".srec .s19 .s28 .s37 .mot .sx .s",
	.probe = probe,
	.read = rd,
	.write = wr,
};
