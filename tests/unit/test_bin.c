/* Raw binary reader and writer (gaps, gap limit, 4 GiB), and the streaming
 * bin->hex and hex->bin paths against the in-memory writers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "formats.h"
#include "stream.h"

static const uint8_t T8[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

static char *wr(const struct format *f, const struct image *img, const struct write_opts *o,
		size_t *len, int want_rc, struct fk_err *e)
{
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);
	memset(e, 0, sizeof *e);
	assert_int_equal(f->write(img, fp, o, e), want_rc);
	fclose(fp);
	return buf;
}

static void read_at_address(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e = { 0 };
	struct read_opts o = { .name = "fw.bin", .has_address = true, .address = 0x08004000 };
	image_init(&img);
	assert_int_equal(fmt_bin.read(&img, T8, 8, &o, &e), 0);
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].addr, 0x08004000);
	assert_true(img.has_entry); /* like objcopy -I binary: start = first byte */
	assert_int_equal(img.entry, 0x08004000);
	image_free(&img);
	/* default address 0 */
	o.has_address = false;
	assert_int_equal(fmt_bin.read(&img, T8, 8, &o, &e), 0);
	assert_int_equal(img.seg[0].addr, 0);
	image_free(&img);
}

static void read_past_4g(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e = { 0 };
	struct read_opts o = { .name = "fw.bin", .has_address = true, .address = 0xFFFFFFFC };
	image_init(&img);
	assert_int_equal(fmt_bin.read(&img, T8, 8, &o, &e), FK_EDATA);
	assert_string_equal(e.msg, "fw.bin: offset 0x4: data placed at 0xfffffffc runs past the 4 GiB address space (check --address)");
	image_free(&img);
}

static void write_fills_gaps(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e = { 0 };
	size_t len;
	image_init(&img);
	assert_int_equal(image_add(&img, 0x08000010, T8, 8, 0, "t", &e), 0);
	assert_int_equal(image_add(&img, 0x08000000, T8, 4, 0, "t", &e), 0);
	struct write_opts o = { 0 };
	char *s = wr(&fmt_bin, &img, &o, &len, 0, &e);
	assert_int_equal(len, 0x18);
	assert_memory_equal(s, T8, 4);
	for (int i = 4; i < 16; i++)
		assert_int_equal((uint8_t)s[i], 0xFF);
	assert_memory_equal(s + 16, T8, 8);
	free(s);
	/* another fill byte */
	o.fill = 0x00;
	o.fill = 0xA5;
	s = wr(&fmt_bin, &img, &o, &len, 0, &e);
	assert_int_equal((uint8_t)s[4], 0xA5);
	free(s);
	image_free(&img);
}

static void write_refuses_big_gap(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e = { 0 };
	size_t len;
	image_init(&img);
	assert_int_equal(image_add(&img, 0x08000000, T8, 8, 0, "t", &e), 0);
	assert_int_equal(image_add(&img, 0x1FFF0000, T8, 8, 0, "t", &e), 0);
	struct write_opts o = { 0 };
	char *s = wr(&fmt_bin, &img, &o, &len, FK_EDATA, &e);
	assert_non_null(strstr(e.msg, "gap of 383.9 MiB between data ending at 0x08000007 and data at 0x1fff0000"));
	assert_non_null(strstr(e.msg, "over the gap limit of 16 MiB"));
	assert_non_null(strstr(e.msg, "write hex or dfu instead"));
	free(s);
	/* A raised limit lets it through. */
	o.gap_limit = 0x18000000;
	s = wr(&fmt_bin, &img, &o, &len, 0, &e);
	assert_int_equal(len, 0x1FFF0008 - 0x08000000);
	free(s);
	/* And a small one stops a small gap. */
	image_free(&img);
	image_init(&img);
	assert_int_equal(image_add(&img, 0, T8, 8, 0, "t", &e), 0);
	assert_int_equal(image_add(&img, 0x2000, T8, 8, 0, "t", &e), 0);
	o.gap_limit = 4096;
	s = wr(&fmt_bin, &img, &o, &len, FK_EDATA, &e);
	assert_non_null(strstr(e.msg, "gap of 8184 bytes"));
	free(s);
	image_free(&img);
}

/* ---- streaming paths ---- */

static char *tmpfile_with(const void *data, size_t len)
{
	static int n;
	char *path = malloc(64);
	snprintf(path, 64, "/tmp/fk-test-bin-%d-%d", (int)getpid(), n++);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	char *b = malloc(*len + 1);
	assert_int_equal(fread(b, 1, *len, f), *len);
	fclose(f);
	return b;
}

static void stream_bin_to_hex_matches(void **state)
{
	(void)state;
	static uint8_t data[300001];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 31 + (i >> 11));
	uint32_t addrs[] = { 0, 0x1234, 0x0800FFF8, 0x08000000, 0xFFFA0000 };
	unsigned lens[] = { 0, 32, 7 };
	for (size_t k = 0; k < sizeof addrs / sizeof addrs[0]; k++)
		for (size_t r = 0; r < 3; r++) {
			char *in = tmpfile_with(data, sizeof data);
			struct write_opts wo = { .record_len = lens[r] };
			struct fk_err e = { 0 };
			char *out = tmpfile_with("", 0);
			FILE *f = fopen(out, "wb");
			assert_int_equal(stream_bin_to_hex(in, addrs[k], f, &wo, &e), 0);
			fclose(f);
			size_t slen, mlen;
			char *s = slurp(out, &slen);

			struct image img;
			struct read_opts ro = { .name = in, .has_address = true, .address = addrs[k] };
			image_init(&img);
			assert_int_equal(fmt_bin.read(&img, data, sizeof data, &ro, &e), 0);
			char *m = wr(&fmt_ihex, &img, &wo, &mlen, 0, &e);
			assert_int_equal(slen, mlen);
			assert_memory_equal(s, m, slen);
			free(s);
			free(m);
			image_free(&img);
			unlink(in);
			unlink(out);
			free(in);
			free(out);
		}
}

static int stream_h2b(const char *hex, char **bin, size_t *len, uint64_t gap, struct fk_err *e)
{
	char *in = tmpfile_with(hex, strlen(hex));
	char *out = tmpfile_with("stale contents that must go", 27);
	FILE *f = fopen(out, "r+b");
	struct write_opts wo = { .gap_limit = gap };
	memset(e, 0, sizeof *e);
	int rc = stream_hex_to_bin(in, f, &wo, e);
	fclose(f);
	*bin = rc ? NULL : slurp(out, len);
	unlink(in);
	unlink(out);
	free(in);
	free(out);
	return rc;
}

static void stream_hex_to_bin_matches(void **state)
{
	(void)state;
	/* In order, out of order (a record below the first), and a gap. */
	const char *hexes[] = {
		":020000040800F2\n:08FFF8000102030405060708DD\n:020000040801F1\n"
		":0C000000090A0B0C0D0E0F101112131446\n:00000001FF\n",
		":020000040801F1\n:0C000000090A0B0C0D0E0F101112131446\n:020000040800F2\n"
		":08FFF8000102030405060708DD\n:00000001FF\n",
		":0401000011121314B1\n:0400100011121314A2\n:00000001FF\n",
	};
	for (size_t k = 0; k < 3; k++) {
		char *bin;
		size_t blen, mlen;
		struct fk_err e;
		assert_int_equal(stream_h2b(hexes[k], &bin, &blen, 0, &e), 0);
		struct image img;
		struct read_opts ro = { .name = "t.hex" };
		image_init(&img);
		assert_int_equal(fmt_ihex.read(&img, (const uint8_t *)hexes[k], strlen(hexes[k]), &ro, &e), 0);
		struct write_opts wo = { 0 };
		char *m = wr(&fmt_bin, &img, &wo, &mlen, 0, &e);
		assert_int_equal(blen, mlen);
		assert_memory_equal(bin, m, blen);
		free(bin);
		free(m);
		image_free(&img);
	}
}

static void stream_hex_to_bin_errors(void **state)
{
	(void)state;
	char *bin;
	size_t len;
	struct fk_err e;
	assert_int_equal(stream_h2b(":0400000011121314B2\n:0400020011121314B0\n:00000001FF\n", &bin, &len, 0, &e),
			 FK_EDATA);
	assert_non_null(strstr(e.msg, ":2: data at 0x00000002 overlaps data already at 0x00000000-0x00000003"));
	assert_int_equal(stream_h2b(":0400000011121314B2\n", &bin, &len, 0, &e), FK_EDATA);
	assert_non_null(strstr(e.msg, ":1: no end-of-file record"));
	assert_int_equal(stream_h2b(":00000001FF\n", &bin, &len, 0, &e), FK_EDATA);
	assert_non_null(strstr(e.msg, "contains no data"));
	assert_int_equal(stream_h2b(":0400000011121314B2\n:020000041FFFDC\n:0400000011121314B2\n:00000001FF\n",
				    &bin, &len, 0, &e), FK_EDATA);
	assert_non_null(strstr(e.msg, "over the gap limit of 16 MiB"));
	assert_int_equal(stream_h2b(":0400000011121314B2\n:0400100011121314A2\n:00000001FF\n", &bin, &len, 8, &e),
			 FK_EDATA);
	assert_non_null(strstr(e.msg, "gap of 12 bytes"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(read_at_address),
		cmocka_unit_test(read_past_4g),
		cmocka_unit_test(write_fills_gaps),
		cmocka_unit_test(write_refuses_big_gap),
		cmocka_unit_test(stream_bin_to_hex_matches),
		cmocka_unit_test(stream_hex_to_bin_matches),
		cmocka_unit_test(stream_hex_to_bin_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
