/* Pieces shared by the format readers/writers and the streaming convert
 * paths: a buffered output, a line reader with a fixed buffer, and the
 * Intel HEX record codec (implemented in fmt_ihex.c, so the format stays
 * in one file). The streaming paths (stream.c) convert bin<->hex without
 * holding the image in memory and give byte-identical results to the
 * in-memory path. */
#ifndef FK_STREAM_H
#define FK_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "formats.h"

/* Buffered output: writers format records straight into buf. Full
 * buffers go to the FILE in large blocks, or, when aw is set, to a writer
 * thread (the streaming paths) so encoding and writing overlap. */
#define OBUF_SIZE (1u << 20)
#define OBUF_SLACK 4096u       /* room past OBUF_SIZE for the record that crosses it */
struct awriter;
struct obuf {
	FILE *fp;
	char *buf;
	size_t n, cap;
	bool failed;
	struct awriter *aw;
	uint64_t off;          /* aw: file offset of buf[0] */
};
int obuf_open(struct obuf *o, FILE *fp, struct fk_err *e);
void obuf_flush(struct obuf *o);
/* Room for at least need bytes at o->buf + o->n (need <= OBUF_SLACK). A
 * record may run past cap into the slack; the flush hands on exactly cap
 * bytes, so the writer thread sees whole, aligned blocks. */
static inline char *obuf_room(struct obuf *o, size_t need)
{
	(void)need;
	if (o->n >= o->cap)
		obuf_flush(o);
	return o->buf + o->n;
}
/* Flush and report a write error as FK_EIO. */
int obuf_finish(struct obuf *o, struct fk_err *e);
void obuf_close(struct obuf *o);

/* A writer thread with a few buffers of OBUF_SIZE: aw_get a free one,
 * fill it, aw_put it (n bytes from buf + at, written at file offset off;
 * the buffer then goes back to the free list); aw_finish waits for the
 * last write and reports the first error. direct: write around the page
 * cache (O_DIRECT) while blocks are aligned, where the file system can;
 * for a big sequential output this saves copying it all into the cache
 * and then waiting for the fsync to write it out. */
int aw_start(struct awriter **w, int fd, bool direct, struct fk_err *e);
char *aw_get(struct awriter *w);
void aw_put(struct awriter *w, char *buf, size_t at, size_t n, uint64_t off);
int aw_finish(struct awriter *w, struct fk_err *e);

/* Two upper-case hex digits per byte, table-driven (shared by the writers). */
extern const char hex_pairs[513];
static inline char *put_hex8(char *p, uint8_t b)
{
	p[0] = hex_pairs[2 * b];
	p[1] = hex_pairs[2 * b + 1];
	return p + 2;
}
/* Value of a hex digit plus one, 0 for anything else. */
extern const uint8_t hex_digit1[256];
/* Two hex digits at once: table[pair16(p)] is the byte p[0..1] spell, or
 * negative when either is not a hex digit (65536 entries, built once). */
const int16_t *hex_pair_table(void);
static inline unsigned pair16(const uint8_t *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

/* Lines from memory or from a file descriptor with a fixed buffer. */
struct linesrc {
	const uint8_t *mem;    /* whole input in memory, or NULL for fd */
	size_t memlen;
	int fd;
	uint8_t *buf;          /* fd mode: the window */
	size_t cap, start, end;
	bool eof;
	uint64_t pos;          /* byte offset of the next line in the input */
	unsigned long line;    /* number of the line last returned (1-based) */
};
void linesrc_mem(struct linesrc *l, const uint8_t *buf, size_t len);
int linesrc_fd(struct linesrc *l, int fd, size_t cap);
void linesrc_free(struct linesrc *l);
/* Next line without its LF, CR, or trailing blanks. 1 = got one, 0 = end,
 * <0 = error (e filled: name is the file name for the message). */
int linesrc_next(struct linesrc *l, const uint8_t **p, size_t *n, const char *name,
		 struct fk_err *e);

/* Reader plumbing for record formats (hex, srec): data in ascending order
 * goes straight into the image; records that come out of order wait and
 * are added sorted at the end, so any record order costs O(n log n) and
 * not a copy of the image per record. Errors name the record's line. */
struct late_rec {
	uint32_t addr, len;
	size_t at;             /* offset of the bytes in the arena */
	unsigned long line;
};
struct rec_adder {
	struct image *img;
	const char *name;
	uint64_t last_end;
	uint8_t *arena;
	size_t alen, acap;
	struct late_rec *r;
	size_t n, cap;
};
void rec_adder_init(struct rec_adder *a, struct image *img, const char *name);
int rec_add(struct rec_adder *a, uint32_t addr, const uint8_t *d, size_t len, unsigned long line,
	    struct fk_err *e);
int rec_adder_finish(struct rec_adder *a, struct fk_err *e); /* also frees */

/* Intel HEX reading, one line at a time. */
struct ihex_parser {
	const char *name;
	uint32_t base;         /* from 02 (segment * 16) or 04 (upper 16 bits) */
	bool seen_eof;
	bool has_entry;
	uint32_t entry;
	unsigned long entry_line;  /* line of the start record kept (the first) */
	unsigned long dup_line;    /* line of the first start record after it, or 0 */
	uint32_t dup_entry;        /* what that one said */
	uint8_t data[256];     /* data bytes, then the checksum */
};
void ihex_parser_init(struct ihex_parser *p, const char *name);
/* Parse one line (line number lineno, already stripped). Data records
 * set *addr and *len (> 0; bytes in p->data); others set *len = 0.
 * Returns 0 or FK_EDATA. */
int ihex_parse_line(struct ihex_parser *p, const uint8_t *s, size_t n, unsigned long lineno,
		    uint32_t *addr, size_t *len, struct fk_err *e);
/* After the last line: an end-of-file record must have been seen. */
int ihex_parser_finish(struct ihex_parser *p, unsigned long lines, struct fk_err *e);

/* Intel HEX writing, in the same record layout as GNU objcopy: records of
 * reclen bytes from the start of each run, never crossing a 64 KiB
 * boundary, 02 records below 1 MiB and 04 records above, CRLF, a 03/05
 * start record when the start address is not 0, then the EOF record. */
struct ihex_writer {
	struct obuf *out;
	unsigned reclen;
	uint32_t segbase, extbase;
	uint32_t pstart;       /* pending record: address and bytes so far */
	unsigned plen, plim;
	uint8_t pend[255];
};
void ihex_writer_init(struct ihex_writer *w, struct obuf *out, unsigned reclen);
/* Data of one run (a section); consecutive calls continue the run. */
void ihex_writer_data(struct ihex_writer *w, uint32_t addr, const uint8_t *d, size_t len);
/* End the current run: the next data starts a new record. */
void ihex_writer_break(struct ihex_writer *w);
void ihex_writer_end(struct ihex_writer *w, bool has_entry, uint32_t entry);

/* Default records and the gap limit (also in --help). */
#define IHEX_DEFAULT_RECLEN 16
#define SREC_DEFAULT_RECLEN 16
#define BIN_DEFAULT_GAP_LIMIT (16u << 20)
/* The bin writer's errors, shared with the streaming path (fmt_bin.c). */
int bin_gap_error(uint64_t end, uint32_t next, uint64_t limit, struct fk_err *e);
int bin_overflow_error(const char *name, uint32_t address, struct fk_err *e);
/* "16 MiB", "384 KiB", "12 bytes" for messages. */
const char *fmt_size(uint64_t n, char buf[32]);

/* Streaming conversions (stream.c). in_name is a regular file. They
 * return FK_OK, an error with e filled, or STREAM_FALLBACK when the input
 * needs the general path (a DFU suffix, for example). */
#define STREAM_FALLBACK (-1)
int stream_bin_to_hex(const char *in_name, uint32_t address, FILE *out,
		      const struct write_opts *wo, struct fk_err *e);
int stream_hex_to_bin(const char *in_name, FILE *out, const struct write_opts *wo,
		      struct fk_err *e);

#endif
