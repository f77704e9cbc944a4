/* ELF32 little-endian ARM: the PT_LOAD segments' file bytes at their
 * physical (load) addresses, as a flasher or objcopy places them; .bss and
 * other NOBITS space contributes nothing. Section starts become record
 * breaks so the hex we write from an ELF matches objcopy's record by
 * record. No writer: flashkit does not make ELF files. */
#include <string.h>

#include "formats.h"
#include "stream.h"

#define EHDR_SIZE 52
#define PT_LOAD 1
#define SHT_NOBITS 8
#define SHF_ALLOC 2
#define EM_ARM 40

static uint16_t u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static const char *machine_name(unsigned m)
{
	switch (m) {
	case 3: return " (x86)";
	case 8: return " (MIPS)";
	case 62: return " (x86-64)";
	case 183: return " (AArch64)";
	case 243: return " (RISC-V)";
	case 94: return " (Xtensa)";
	case 83: return " (AVR)";
	default: return "";
	}
}

static int bad(const char *name, uint64_t off, struct fk_err *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int bad(const char *name, uint64_t off, struct fk_err *e, const char *fmt, ...)
{
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return fk_fail(e, FK_EDATA, "%s: offset 0x%llx: %s", name, (unsigned long long)off, msg);
}

struct phdr {
	uint32_t type, offset, vaddr, paddr, filesz;
};

static void get_phdr(const uint8_t *p, struct phdr *h)
{
	h->type = u32(p);
	h->offset = u32(p + 4);
	h->vaddr = u32(p + 8);
	h->paddr = u32(p + 12);
	h->filesz = u32(p + 16);
}

/* Section starts and ends at their load addresses, as record breaks. */
/* A program header with file bytes to load (not .bss only). */
static bool loads_bytes(const struct phdr *h)
{
	return h->type == PT_LOAD && h->filesz != 0;
}

/* Program header i (at file offset hoff) into *h and its load address into
 * *a; one that loads bytes must have them inside the file and inside the
 * 4 GiB address space. 0, or bad()'s code. */
static int segment_hdr(const uint8_t *buf, size_t len, uint64_t hoff, unsigned i, bool use_vaddr,
		       const char *name, struct fk_err *e, struct phdr *h, uint32_t *a)
{
	get_phdr(buf + hoff, h);
	*a = use_vaddr ? h->vaddr : h->paddr;
	if (!loads_bytes(h))
		return 0;
	if ((uint64_t)h->offset + h->filesz > len)
		return bad(name, hoff, e,
			   "program header %u: segment bytes at file offset 0x%x+0x%x run past the end of the file (%zu bytes): truncated?",
			   i, h->offset, h->filesz, len);
	if ((uint64_t)*a + h->filesz > FK_ADDR_LIMIT)
		return bad(name, hoff, e,
			   "program header %u: address overflow: 0x%x bytes at 0x%08x run past the 4 GiB address space",
			   i, h->filesz, *a);
	return 0;
}

/* Section header sh: its file bytes (*off, *size) when it is an allocated
 * section with bytes in the file (not .bss, not empty). */
static bool alloc_section(const uint8_t *sh, uint32_t *off, uint32_t *size)
{
	uint32_t type = u32(sh + 4), flags = u32(sh + 8);
	*off = u32(sh + 16);
	*size = u32(sh + 20);
	return type != 0 && type != SHT_NOBITS && (flags & SHF_ALLOC) && *size != 0;
}

/* The load address of the section bytes at file offset off (size bytes),
 * as the first PT_LOAD segment that holds them all gives it; false when no
 * segment holds them. */
static bool section_lma(const uint8_t *ph, unsigned phnum, unsigned phentsize, bool use_vaddr,
			uint32_t off, uint32_t size, uint64_t *lma)
{
	for (unsigned j = 0; j < phnum; j++) {
		struct phdr h;
		get_phdr(ph + (size_t)j * phentsize, &h);
		if (!loads_bytes(&h) || off < h.offset || (uint64_t)off + size > (uint64_t)h.offset + h.filesz)
			continue;
		*lma = (uint64_t)(use_vaddr ? h.vaddr : h.paddr) + (off - h.offset);
		return true;
	}
	return false;
}

static void add_breaks(struct image *img, const uint8_t *buf, size_t len, const uint8_t *ph,
		       unsigned phnum, unsigned phentsize, bool use_vaddr)
{
	uint32_t shoff = u32(buf + 32);
	unsigned shentsize = u16(buf + 46), shnum = u16(buf + 48);
	if (!shoff || shentsize < 40 || (uint64_t)shoff + (uint64_t)shnum * shentsize > len)
		return; /* only a layout hint: without sections, records just run on */
	for (unsigned i = 0; i < shnum; i++) {
		uint32_t off, size;
		uint64_t lma;
		if (!alloc_section(buf + shoff + (size_t)i * shentsize, &off, &size) ||
		    !section_lma(ph, phnum, phentsize, use_vaddr, off, size, &lma))
			continue;
		if (lma < FK_ADDR_LIMIT)
			image_add_break(img, (uint32_t)lma);
		if (lma + size < FK_ADDR_LIMIT)
			image_add_break(img, (uint32_t)(lma + size));
	}
}

/* What objcopy -O binary takes: every allocated section with file bytes,
 * at the load address its segment gives it. Not the segments' bytes: a
 * segment may hold more than its sections, e.g. the ELF and program headers
 * when the first PT_LOAD starts at file offset 0 (NXP MCUXpresso .axf
 * files), which would otherwise land in flash in front of the vector table.
 * Returns 0 (sections loaded), -1 (no usable section table, or no section
 * inside a segment: load the segments instead) or an error code. */
static int load_sections(struct image *img, const uint8_t *buf, size_t len, const uint8_t *ph,
			 unsigned phnum, unsigned phentsize, bool use_vaddr, const char *name,
			 struct fk_err *e)
{
	uint32_t shoff = u32(buf + 32);
	unsigned shentsize = u16(buf + 46), shnum = u16(buf + 48);
	if (!shoff || shnum == 0 || shentsize < 40 ||
	    (uint64_t)shoff + (uint64_t)shnum * shentsize > len)
		return -1;
	bool any = false;
	for (unsigned i = 0; i < shnum; i++) {
		uint64_t shpos = shoff + (uint64_t)i * shentsize;
		uint32_t off, size;
		uint64_t lma;
		if (!alloc_section(buf + shpos, &off, &size) ||
		    !section_lma(ph, phnum, phentsize, use_vaddr, off, size, &lma))
			continue;
		if ((uint64_t)off + size > len)
			return bad(name, shpos, e,
				   "section %u: bytes at file offset 0x%x+0x%x run past the end of the file (%zu bytes): truncated?",
				   i, off, size, len);
		if (lma + size > FK_ADDR_LIMIT)
			return bad(name, shpos, e,
				   "section %u: address overflow: 0x%x bytes at 0x%08llx run past the 4 GiB address space",
				   i, size, (unsigned long long)lma);
		struct fk_err le = { 0 };
		if (image_add(img, (uint32_t)lma, buf + off, size, 0, "", &le)) {
			const char *m = strncmp(le.msg, ": ", 2) == 0 ? le.msg + 2 : le.msg;
			if (le.code != FK_EDATA)
				return fk_fail(e, le.code, "%s: %s", name, m);
			return bad(name, shpos, e, "section %u: %s", i, m);
		}
		any = true;
	}
	return any ? 0 : -1;
}

static int rd(struct image *img, const uint8_t *buf, size_t len, const struct read_opts *o,
	      struct fk_err *e)
{
	const char *name = o->name;

	if (len < 4 || memcmp(buf, "\x7f" "ELF", 4) != 0)
		return bad(name, 0, e, "not an ELF file (no \\x7fELF signature)");
	if (len < EHDR_SIZE)
		return bad(name, len, e, "truncated ELF header: the file has %zu bytes, the header needs %d",
			   len, EHDR_SIZE);
	if (buf[4] == 2)
		return bad(name, 4, e,
			   "64-bit ELF: flashkit reads 32-bit ARM (Cortex-M) firmware; is this a host program?");
	if (buf[4] != 1)
		return bad(name, 4, e, "unknown ELF class %u (1 is 32-bit)", buf[4]);
	if (buf[5] == 2)
		return bad(name, 5, e, "big-endian ELF: ARM Cortex-M firmware is little-endian");
	if (buf[5] != 1)
		return bad(name, 5, e, "unknown ELF data encoding %u (1 is little-endian)", buf[5]);
	unsigned etype = u16(buf + 16), machine = u16(buf + 18);
	if (machine != EM_ARM)
		return bad(name, 18, e,
			   "ELF machine %u%s, not ARM (40): this is not an STM32 firmware file", machine,
			   machine_name(machine));
	if (etype == 1)
		return bad(name, 16, e, "relocatable object file (.o), not a linked program: link it first");
	uint32_t phoff = u32(buf + 28);
	unsigned phentsize = u16(buf + 42), phnum = u16(buf + 44);
	if (phnum == 0)
		return bad(name, 44, e, "no program headers, so nothing to load");
	if (phentsize < 32)
		return bad(name, 42, e, "program header size %u, ELF32 needs 32", phentsize);
	if ((uint64_t)phoff + (uint64_t)phnum * phentsize > len)
		return bad(name, phoff, e,
			   "%u program headers of %u bytes run past the end of the file (%zu bytes): truncated?",
			   phnum, phentsize, len);
	const uint8_t *ph = buf + phoff;

	/* Like binutils: when every load address is 0, the linker did not set
	 * them and the virtual addresses are meant. */
	bool use_vaddr = true, any = false;
	for (unsigned i = 0; i < phnum; i++) {
		struct phdr h;
		get_phdr(ph + (size_t)i * phentsize, &h);
		if (h.type != PT_LOAD)
			continue;
		any = true;
		if (h.paddr != 0)
			use_vaddr = false;
	}
	if (!any)
		return bad(name, phoff, e, "no PT_LOAD segment, so nothing to load");

	/* Every segment must be inside the file and the address space, whichever
	 * way its bytes are taken below. */
	for (unsigned i = 0; i < phnum; i++) {
		uint64_t hoff = phoff + (uint64_t)i * phentsize;
		struct phdr h;
		uint32_t a;
		int hrc = segment_hdr(buf, len, hoff, i, use_vaddr, name, e, &h, &a);
		if (hrc)
			return hrc;
	}
	size_t before = image_total(img);
	int rc = load_sections(img, buf, len, ph, phnum, phentsize, use_vaddr, name, e);
	if (rc < 0)
		goto segments;
	if (rc)
		return rc;
	goto done;
segments:
	for (unsigned i = 0; i < phnum; i++) {
		uint64_t hoff = phoff + (uint64_t)i * phentsize;
		struct phdr h;
		uint32_t a;
		int hrc = segment_hdr(buf, len, hoff, i, use_vaddr, name, e, &h, &a);
		if (hrc)
			return hrc;
		if (!loads_bytes(&h))
			continue;
		struct fk_err le = { 0 };
		if (image_add(img, a, buf + h.offset, h.filesz, 0, "", &le)) {
			const char *m = strncmp(le.msg, ": ", 2) == 0 ? le.msg + 2 : le.msg;
			if (le.code != FK_EDATA)
				return fk_fail(e, le.code, "%s: %s", name, m);
			return bad(name, hoff, e, "program header %u: %s", i, m);
		}
		image_add_break(img, a);
		if ((uint64_t)a + h.filesz < FK_ADDR_LIMIT)
			image_add_break(img, a + h.filesz);
	}
done:
	if (image_total(img) == before)
		return fk_fail(e, FK_EDATA,
			       "%s: no loadable bytes (every PT_LOAD segment is empty or .bss): nothing to flash",
			       name);
	add_breaks(img, buf, len, ph, phnum, phentsize, use_vaddr);
	img->has_entry = true;
	img->entry = u32(buf + 24);
	return 0;
}

static bool probe(const uint8_t *buf, size_t len)
{
	return len >= 4 && memcmp(buf, "\x7f" "ELF", 4) == 0;
}

const struct format fmt_elf = {
	.name = "elf",
	.exts = ".elf .axf .out",
	.probe = probe,
	.read = rd,
};
