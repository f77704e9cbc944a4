/* ELF32 reader: PT_LOAD segments at their load addresses, NOBITS ignored,
 * section starts as record breaks, entry point, and every error. The ELF
 * files are built here byte by byte, so each field can be broken. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "formats.h"

static uint8_t elf[4096];
static size_t elf_len;

static void p16(size_t off, uint16_t v)
{
	elf[off] = (uint8_t)v;
	elf[off + 1] = (uint8_t)(v >> 8);
}

static void p32(size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		elf[off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

#define PHOFF 52
#define SHOFF 0x800
/* phdr i: type, file offset, vaddr, paddr, filesz, memsz */
static void phdr(int i, uint32_t type, uint32_t off, uint32_t va, uint32_t pa, uint32_t fsz, uint32_t msz)
{
	size_t h = PHOFF + 32 * (size_t)i;
	p32(h, type);
	p32(h + 4, off);
	p32(h + 8, va);
	p32(h + 12, pa);
	p32(h + 16, fsz);
	p32(h + 20, msz);
}

static void shdr(int i, uint32_t type, uint32_t flags, uint32_t addr, uint32_t off, uint32_t size)
{
	size_t h = SHOFF + 40 * (size_t)i;
	p32(h + 4, type);
	p32(h + 8, flags);
	p32(h + 12, addr);
	p32(h + 16, off);
	p32(h + 20, size);
}

/* A Cortex-M style image: .isr_vector+.text at 0x08000000 (file 0x100, 0x40
 * bytes, the vector table is 0x10 of them), .data at 0x20000000 loaded at
 * 0x08000040 (file 0x200, 8 bytes), .bss (NOBITS, memsz only). */
static void build(void)
{
	memset(elf, 0, sizeof elf);
	memcpy(elf, "\x7f" "ELF", 4);
	elf[4] = 1; /* 32-bit */
	elf[5] = 1; /* little-endian */
	elf[6] = 1;
	p16(16, 2);  /* ET_EXEC */
	p16(18, 40); /* EM_ARM */
	p32(20, 1);
	p32(24, 0x08000011); /* entry (Thumb) */
	p32(28, PHOFF);
	p32(32, SHOFF);
	p16(40, 52);
	p16(42, 32);
	p16(44, 3);
	p16(46, 40);
	p16(48, 5);
	phdr(0, 1, 0x100, 0x08000000, 0x08000000, 0x40, 0x40);
	phdr(1, 1, 0x200, 0x20000000, 0x08000040, 8, 0x108);
	phdr(2, 1, 0x300, 0x20000108, 0x20000108, 0, 0x100); /* .bss only */
	for (int i = 0; i < 0x40; i++)
		elf[0x100 + i] = (uint8_t)i;
	for (int i = 0; i < 8; i++)
		elf[0x200 + i] = (uint8_t)(0xA0 + i);
	shdr(1, 1, 6, 0x08000000, 0x100, 0x10); /* .isr_vector */
	shdr(2, 1, 6, 0x08000010, 0x110, 0x30); /* .text */
	shdr(3, 1, 3, 0x20000000, 0x200, 8);    /* .data */
	shdr(4, 8, 3, 0x20000008, 0x208, 0x100); /* .bss */
	elf_len = SHOFF + 40 * 5;
}

static int rd(struct image *img, struct fk_err *e)
{
	struct read_opts o = { .name = "fw.elf" };
	image_init(img);
	memset(e, 0, sizeof *e);
	return fmt_elf.read(img, elf, elf_len, &o, e);
}

static void bad(const char *want)
{
	struct image img;
	struct fk_err e;
	int rc = rd(&img, &e);
	if (rc != FK_EDATA || !strstr(e.msg, want))
		fail_msg("rc %d, message '%s', expected '%s'", rc, e.msg, want);
	image_free(&img);
	build();
}

static void reads_load_segments(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e;
	build();
	assert_int_equal(rd(&img, &e), 0);
	/* .text and .data's load image are contiguous in flash: one segment. */
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].addr, 0x08000000);
	assert_int_equal(img.seg[0].len, 0x48);
	assert_int_equal(img.seg[0].data[0x3F], 0x3F);
	assert_int_equal(img.seg[0].data[0x40], 0xA0);
	assert_true(img.has_entry);
	assert_int_equal(img.entry, 0x08000011);
	/* Breaks: segment and section starts (at their load addresses) and ends. */
	size_t hint = 0;
	assert_int_equal(image_next_break(&img, 0x08000000, &hint), 0x08000010);
	assert_int_equal(image_next_break(&img, 0x08000010, &hint), 0x08000040);
	assert_int_equal(image_next_break(&img, 0x08000040, &hint), 0x08000048);
	image_free(&img);
}

static void hex_from_elf_breaks_at_sections(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e;
	build();
	assert_int_equal(rd(&img, &e), 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct write_opts o = { 0 };
	assert_int_equal(fmt_ihex.write(&img, f, &o, &e), 0);
	fclose(f);
	/* objcopy's layout: .isr_vector (16), .text (16, 16, 16), .data (8), 05 entry. */
	assert_non_null(strstr(buf, ":020000040800F2\r\n:10000000000102030405060708090A0B0C0D0E0F78\r\n"
				    ":10001000101112131415161718191A1B1C1D1E1F68\r\n"));
	assert_non_null(strstr(buf, ":08004000A0A1A2A3A4A5A6A7"));
	assert_non_null(strstr(buf, ":040000050800001"));
	free(buf);
	image_free(&img);
}

static void zero_paddr_means_vaddr(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e;
	build();
	phdr(0, 1, 0x100, 0x08000000, 0, 0x40, 0x40);
	phdr(1, 1, 0x200, 0x08000040, 0, 8, 8);
	phdr(2, 6, 0, 0, 0, 0, 0); /* PT_PHDR: ignored */
	assert_int_equal(rd(&img, &e), 0);
	assert_int_equal(img.seg[0].addr, 0x08000000);
	assert_int_equal(img.seg[0].len, 0x48);
	image_free(&img);
}

static void errors(void **state)
{
	(void)state;
	build();
	elf[0] = 'X';
	bad("fw.elf: offset 0x0: not an ELF file");
	elf_len = 40;
	bad("fw.elf: offset 0x28: truncated ELF header");
	elf[4] = 2;
	bad("fw.elf: offset 0x4: 64-bit ELF");
	elf[4] = 3;
	bad("offset 0x4: unknown ELF class 3");
	elf[5] = 2;
	bad("fw.elf: offset 0x5: big-endian ELF");
	p16(18, 62);
	bad("fw.elf: offset 0x12: ELF machine 62 (x86-64), not ARM (40)");
	p16(16, 1);
	bad("offset 0x10: relocatable object file");
	p16(44, 0);
	bad("offset 0x2c: no program headers");
	p16(42, 16);
	bad("offset 0x2a: program header size 16");
	p16(44, 200);
	bad("offset 0x34: 200 program headers of 32 bytes run past the end of the file");
	phdr(1, 1, 0x200, 0x20000000, 0x08000040, 0x1000, 0x1000);
	bad("fw.elf: offset 0x54: program header 1: segment bytes at file offset 0x200+0x1000 run past the end");
	phdr(1, 1, 0x200, 0x20000000, 0x08000020, 8, 8);
	/* the sections are what is loaded: the error names the one that overlaps */
	bad("fw.elf: offset 0x878: section 3: data at 0x08000020 overlaps data already at 0x08000000-0x0800003f");
	phdr(1, 1, 0x200, 0x20000000, 0xFFFFFFFC, 8, 8);
	bad("offset 0x54: program header 1: address overflow");
	for (int i = 0; i < 3; i++)
		phdr(i, 6, 0, 0, 0, 0, 0);
	bad("no PT_LOAD segment");
	phdr(0, 1, 0x100, 0x20000000, 0x20000000, 0, 0x100);
	phdr(1, 1, 0x100, 0x20000100, 0x20000100, 0, 0x100);
	bad("fw.elf: no loadable bytes");
}

static void broken_sections_are_only_hints(void **state)
{
	(void)state;
	struct image img;
	struct fk_err e;
	build();
	p32(32, 0x7FFFFFF0); /* section headers past the end: no breaks, still fine */
	assert_int_equal(rd(&img, &e), 0);
	size_t hint = 0;
	assert_int_equal(image_next_break(&img, 0x08000000, &hint), 0x08000040);
	image_free(&img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_load_segments),
		cmocka_unit_test(hex_from_elf_breaks_at_sections),
		cmocka_unit_test(zero_paddr_means_vaddr),
		cmocka_unit_test(errors),
		cmocka_unit_test(broken_sections_are_only_hints),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
