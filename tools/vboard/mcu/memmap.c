/* The memory map: flash (mapped as RAM so code runs from it, and aliased
 * where the chip boots), SRAM, system memory with the flash-size register,
 * and MMIO for the peripheral space and the Private Peripheral Bus. The same
 * dispatch serves the core's loads/stores and a debugger's MEM-AP accesses. */
#include "mcu_int.h"

#include <stdlib.h>
#include <string.h>

#define PERIPH_BASE 0x40000000u
#define PERIPH_SIZE 0x20000000u
#define PPB_BASE 0xE0000000u
#define PPB_SIZE 0x00100000u

uint32_t mcu_flash_addr(const struct mcu *m, uint32_t addr)
{
	if (m->alias_size && addr >= m->alias_base && addr - m->alias_base < m->alias_size)
		return addr - m->alias_base + m->flash->base;
	return addr;
}

static bool in(uint32_t addr, uint32_t base, uint32_t size)
{
	return addr >= base && addr - base < size;
}

/* Unmodelled peripheral accesses are logged, but a firmware polling a
 * register would flood the log: say each address once (a small ring). */
static void log_unmodelled(struct mcu *m, const char *what, uint32_t addr)
{
	const unsigned n = sizeof m->unmod_seen / sizeof m->unmod_seen[0];
	for (unsigned i = 0; i < n; i++)
		if (m->unmod_seen[i] == (addr | 1))
			return;
	m->unmod_seen[m->unmod_next++ % n] = addr | 1;
	mcu_logf(m, "unmodelled %s 0x%08x", what, addr);
}

static uint32_t dbgmcu_read(struct mcu *m, uint32_t off)
{
	if (off == 0)
		return m->chip.rev_id << 16 | (m->chip.dev_id & 0xFFF);
	return off / 4 < 64 ? m->dbgmcu[off / 4] : 0;
}

static uint32_t narrow(uint32_t word, uint32_t addr, unsigned width)
{
	uint32_t v = word >> (8 * (addr & 3));
	return width == 4 ? v : v & ((1u << (8 * width)) - 1);
}

/* A narrower write to a 32-bit register: merge into the current value. */
static uint32_t widen(uint32_t cur, uint32_t addr, uint32_t v, unsigned width)
{
	if (width == 4)
		return v;
	unsigned sh = 8 * (addr & 3);
	uint32_t mask = ((1u << (8 * width)) - 1) << sh;
	return (cur & ~mask) | ((v << sh) & mask);
}

uint32_t mcu_io_read(struct mcu *m, uint32_t addr, unsigned width, bool *ok)
{
	*ok = true;
	for (unsigned i = 0; i < m->nregions; i++) {
		struct mcu_region *r = &m->regions[i];
		if (in(addr, r->base, r->size))
			return r->ops->read(r->ctx, addr - r->base, width);
	}
	uint32_t a4 = addr & ~3u, w = 0;
	if (in(addr, m->fi->dbgmcu_base, 0x100)) {
		w = dbgmcu_read(m, a4 - m->fi->dbgmcu_base);
	} else if (in(addr, m->fi->flashctl_base, 0x400)) {
		w = m->fc->reg_read(m, a4 - m->fi->flashctl_base);
	} else if (in(addr, PPB_BASE, PPB_SIZE)) {
		if (!mcu_scs_read(m, a4, &w))
			w = 0; /* unknown SCS words read as zero */
	} else if (in(addr, PERIPH_BASE, PERIPH_SIZE)) {
		log_unmodelled(m, "read", addr);
		return 0;
	} else {
		*ok = false;
		return 0;
	}
	return narrow(w, addr, width);
}

void mcu_io_write(struct mcu *m, uint32_t addr, uint32_t v, unsigned width, bool *ok)
{
	*ok = true;
	for (unsigned i = 0; i < m->nregions; i++) {
		struct mcu_region *r = &m->regions[i];
		if (in(addr, r->base, r->size)) {
			r->ops->write(r->ctx, addr - r->base, v, width);
			return;
		}
	}
	uint32_t a4 = addr & ~3u;
	if (in(addr, m->fi->dbgmcu_base, 0x100)) {
		uint32_t off = a4 - m->fi->dbgmcu_base;
		if (off && off / 4 < 64)
			m->dbgmcu[off / 4] = widen(m->dbgmcu[off / 4], addr, v, width);
	} else if (in(addr, m->fi->flashctl_base, 0x400)) {
		uint32_t off = a4 - m->fi->flashctl_base;
		uint32_t cur = width == 4 ? 0 : m->fc->reg_read(m, off);
		m->fc->reg_write(m, off, widen(cur, addr, v, width));
	} else if (in(addr, PPB_BASE, PPB_SIZE)) {
		uint32_t cur = 0;
		if (width != 4)
			mcu_scs_read(m, a4, &cur);
		mcu_scs_write(m, a4, widen(cur, addr, v, width));
	} else if (in(addr, PERIPH_BASE, PERIPH_SIZE)) {
		log_unmodelled(m, "write", addr);
	} else {
		*ok = false;
	}
}

/* Unicorn's MMIO callbacks: offsets from the mapped region's base. */
static uint64_t mmio_read(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
	(void)uc;
	struct mcu_mmio *c = user;
	bool ok;
	return mcu_io_read(c->m, c->base + (uint32_t)off, size, &ok);
}

static void mmio_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *user)
{
	(void)uc;
	struct mcu_mmio *c = user;
	bool ok;
	mcu_io_write(c->m, c->base + (uint32_t)off, (uint32_t)v, size, &ok);
}

/* RAM the board file does not list but firmware commonly uses (CubeMX puts
 * the H7's stack in AXI SRAM, the F405's CCM and the L4's SRAM2 hold data). */
static const struct { enum mcu_family fam; uint32_t dev_id, base, size; } extra_rams[] = {
	{ MCU_F4, 0x413, 0x10000000u, 64 * 1024 },  /* F405/407 CCM */
	{ MCU_F4, 0x419, 0x10000000u, 64 * 1024 },  /* F42x/43x CCM */
	{ MCU_F7, 0, 0x00000000u, 16 * 1024 },      /* ITCM RAM */
	{ MCU_L4, 0, 0x10000000u, 32 * 1024 },      /* SRAM2 */
	{ MCU_H7, 0, 0x00000000u, 64 * 1024 },      /* ITCM */
	{ MCU_H7, 0, 0x24000000u, 512 * 1024 },     /* AXI SRAM */
	{ MCU_H7, 0, 0x30000000u, 288 * 1024 },     /* SRAM1-3 */
	{ MCU_H7, 0, 0x38000000u, 64 * 1024 },      /* SRAM4 */
};

bool mcu_is_ram(const struct mcu *m, uint32_t addr)
{
	if (addr >= m->chip.ram_base && addr - m->chip.ram_base < m->ram_mapped)
		return true;
	for (unsigned i = 0; i < m->nxram; i++)
		if (addr >= m->xram[i].base && addr - m->xram[i].base < m->xram[i].size)
			return true;
	return false;
}

static int map_extra_rams(struct mcu *m)
{
	for (unsigned i = 0; i < sizeof extra_rams / sizeof extra_rams[0]; i++) {
		uint32_t base = extra_rams[i].base, size = extra_rams[i].size;
		if (extra_rams[i].fam != m->chip.family ||
		    (extra_rams[i].dev_id && extra_rams[i].dev_id != m->chip.dev_id) || m->nxram >= 4)
			continue;
		/* not over the board's RAM or the flash alias */
		if ((uint64_t)base < (uint64_t)m->chip.ram_base + m->ram_mapped &&
		    (uint64_t)m->chip.ram_base < (uint64_t)base + size)
			continue;
		if (m->alias_size && (uint64_t)base < (uint64_t)m->alias_base + m->alias_size &&
		    (uint64_t)m->alias_base < (uint64_t)base + size)
			continue;
		uint8_t *mem = aligned_alloc(4096, size);
		if (!mem)
			return -1;
		memset(mem, 0, size);
		if (uc_mem_map_ptr(m->uc, base, size, UC_PROT_ALL, mem) != UC_ERR_OK) {
			free(mem);
			continue;
		}
		m->xram[m->nxram++] = (struct mcu_xram){ base, size, mem };
	}
	return 0;
}

static uint32_t round_page(uint32_t n)
{
	return (n + 0xFFFu) & ~0xFFFu;
}

int mcu_map_memory(struct mcu *m, char *msg, size_t msglen)
{
	struct vflash *f = m->flash;
	const struct mcu_family_info *fi = m->fi;
	if (f->size % 4096) {
		snprintf(msg, msglen, "mcu: flash size %u is not a multiple of 4 KiB", f->size);
		return -1;
	}
	uc_err e = uc_mem_map_ptr(m->uc, f->base, f->size, UC_PROT_ALL, f->mem);
	if (e == UC_ERR_OK && fi->has_alias) {
		uint32_t asz = f->size;
		if (fi->alias_base + (uint64_t)asz > f->base)
			asz = f->base - fi->alias_base;
		m->alias_base = fi->alias_base;
		m->alias_size = asz;
		e = uc_mem_map_ptr(m->uc, m->alias_base, asz, UC_PROT_ALL, f->mem);
	}
	if (e != UC_ERR_OK) {
		snprintf(msg, msglen, "mcu: mapping flash at 0x%08x: %s", f->base, uc_strerror(e));
		return -1;
	}
	m->ram_mapped = round_page(m->chip.ram_size ? m->chip.ram_size : 4096);
	m->ram = aligned_alloc(4096, m->ram_mapped);
	m->sysmem = aligned_alloc(4096, fi->sysmem_size);
	if (!m->ram || !m->sysmem) {
		snprintf(msg, msglen, "mcu: out of memory");
		return -1;
	}
	memset(m->ram, 0, m->ram_mapped);
	memset(m->sysmem, 0xFF, fi->sysmem_size);
	uint32_t fs = fi->fsize_addr - fi->sysmem_base;
	m->sysmem[fs] = (uint8_t)m->chip.flash_size_kib;
	m->sysmem[fs + 1] = (uint8_t)(m->chip.flash_size_kib >> 8);
	e = uc_mem_map_ptr(m->uc, m->chip.ram_base, m->ram_mapped, UC_PROT_ALL, m->ram);
	if (e == UC_ERR_OK)
		e = uc_mem_map_ptr(m->uc, fi->sysmem_base, fi->sysmem_size, UC_PROT_READ | UC_PROT_EXEC,
				   m->sysmem);
	if (e == UC_ERR_OK && map_extra_rams(m) < 0) {
		snprintf(msg, msglen, "mcu: out of memory");
		return -1;
	}
	struct mcu_mmio *ck = m->mmio;
	ck[0] = (struct mcu_mmio){ m, PERIPH_BASE };
	ck[1] = (struct mcu_mmio){ m, PPB_BASE };
	if (e == UC_ERR_OK)
		e = uc_mmio_map(m->uc, PERIPH_BASE, PERIPH_SIZE, mmio_read, &ck[0], mmio_write, &ck[0]);
	if (e == UC_ERR_OK)
		e = uc_mmio_map(m->uc, PPB_BASE, PPB_SIZE, mmio_read, &ck[1], mmio_write, &ck[1]);
	if (e != UC_ERR_OK) {
		snprintf(msg, msglen, "mcu: memory map: %s", uc_strerror(e));
		return -1;
	}
	return 0;
}

int mcu_map_periph(struct mcu *m, const char *name, uint32_t base, uint32_t size,
		   const struct mcu_periph_ops *ops, void *ctx)
{
	if (m->nregions >= MCU_MAX_REGIONS || !ops || !ops->read || !ops->write)
		return -1;
	struct mcu_region *r = &m->regions[m->nregions++];
	snprintf(r->name, sizeof r->name, "%s", name);
	r->base = base;
	r->size = size;
	r->ops = ops;
	r->ctx = ctx;
	return 0;
}

/* Plain memory at addr: a host pointer and how many bytes follow it, or
 * NULL. *flash tells the caller the bytes are flash (RDP, controller). */
static uint8_t *plain(struct mcu *m, uint32_t addr, uint32_t *avail, bool *flash)
{
	struct vflash *f = m->flash;
	uint32_t fa = mcu_flash_addr(m, addr);
	*flash = false;
	if (vflash_contains(f, fa, 1)) {
		*flash = true;
		*avail = f->size - (fa - f->base);
		if (fa != addr) { /* alias: stop at its end too */
			uint32_t left = m->alias_size - (addr - m->alias_base);
			if (left < *avail)
				*avail = left;
		}
		return f->mem + (fa - f->base);
	}
	if (in(addr, m->chip.ram_base, m->ram_mapped)) {
		*avail = m->ram_mapped - (addr - m->chip.ram_base);
		return m->ram + (addr - m->chip.ram_base);
	}
	for (unsigned i = 0; i < m->nxram; i++) {
		if (in(addr, m->xram[i].base, m->xram[i].size)) {
			*avail = m->xram[i].size - (addr - m->xram[i].base);
			return m->xram[i].mem + (addr - m->xram[i].base);
		}
	}
	if (in(addr, m->fi->sysmem_base, m->fi->sysmem_size)) {
		*avail = m->fi->sysmem_size - (addr - m->fi->sysmem_base);
		return m->sysmem + (addr - m->fi->sysmem_base);
	}
	return NULL;
}

static bool bad_width(uint32_t addr, uint32_t len, unsigned width)
{
	return (width != 1 && width != 2 && width != 4) || len % width || addr % width;
}

int mcu_mem_read(struct mcu *m, uint32_t addr, uint8_t *buf, uint32_t len, unsigned width)
{
	if (!m->powered)
		return MCU_NOT_POWERED;
	if (bad_width(addr, len, width))
		return MCU_FAULT;
	while (len) {
		uint32_t avail;
		bool isflash;
		uint8_t *p = plain(m, addr, &avail, &isflash);
		if (p) {
			if (isflash && m->flash->read_protected)
				return MCU_RDP;
			uint32_t n = avail < len ? avail : len;
			memcpy(buf, p, n);
			buf += n, addr += n, len -= n;
			continue;
		}
		bool ok;
		uint32_t v = mcu_io_read(m, addr, width, &ok);
		if (!ok)
			return MCU_FAULT;
		mcu_le_put(buf, v, width);
		buf += width, addr += width, len -= width;
	}
	return MCU_OK;
}

int mcu_mem_write(struct mcu *m, uint32_t addr, const uint8_t *buf, uint32_t len, unsigned width)
{
	if (!m->powered)
		return MCU_NOT_POWERED;
	if (bad_width(addr, len, width))
		return MCU_FAULT;
	while (len) {
		uint32_t avail;
		bool isflash;
		uint8_t *p = plain(m, addr, &avail, &isflash);
		if (p && isflash) {
			/* A debugger writes flash like the core does: through the
			 * controller (PG/PSIZE, the AND rule). */
			if (m->flash->read_protected)
				return MCU_RDP;
			mcu_flash_store(m, mcu_flash_addr(m, addr), mcu_le_get(buf, width), width);
			buf += width, addr += width, len -= width;
			continue;
		}
		if (p && mcu_is_ram(m, addr)) {
			uint32_t n = avail < len ? avail : len;
			memcpy(p, buf, n);
			if (in(addr, m->chip.ram_base, m->ram_mapped))
				mcu_code_changed(m, addr, n); /* it may be code: OpenOCD's loaders */
			else
				uc_ctl_remove_cache(m->uc, addr, (uint64_t)addr + n);
			buf += n, addr += n, len -= n;
			continue;
		}
		if (p) { /* system memory, OTP: read-only here */
			buf += width, addr += width, len -= width;
			continue;
		}
		bool ok;
		mcu_io_write(m, addr, mcu_le_get(buf, width), width, &ok);
		if (!ok)
			return MCU_FAULT;
		buf += width, addr += width, len -= width;
	}
	return MCU_OK;
}

int mcu_read32(struct mcu *m, uint32_t addr, uint32_t *v)
{
	uint8_t b[4];
	int rc = mcu_mem_read(m, addr, b, 4, 4);
	*v = rc == MCU_OK ? mcu_le_get(b, 4) : 0;
	return rc;
}

int mcu_write32(struct mcu *m, uint32_t addr, uint32_t v)
{
	uint8_t b[4];
	mcu_le_put(b, v, 4);
	return mcu_mem_write(m, addr, b, 4, 4);
}

/* --- flash helpers shared by the controllers --- */

void mcu_flash_store(struct mcu *m, uint32_t addr, uint32_t v, unsigned width)
{
	m->fc->store(m, addr, v, width);
}

int mcu_flash_erase_sector(struct mcu *m, unsigned sector)
{
	int rc = vflash_erase_sector(m->flash, sector);
	mcu_code_changed(m, vflash_sector_addr(m->flash, sector), vflash_sector_size(m->flash, sector));
	if (rc == VF_OK)
		mcu_logf(m, "erase sector %u (0x%08x, %u KiB)", sector,
			 vflash_sector_addr(m->flash, sector), vflash_sector_size(m->flash, sector) / 1024);
	else
		mcu_logf(m, "erase sector %u refused (%s)", sector,
			 rc == VF_PROTECTED ? "write protected" : "no such sector");
	return rc;
}

int mcu_flash_mass_erase(struct mcu *m)
{
	int rc = vflash_mass_erase(m->flash);
	mcu_flash_changed(m);
	mcu_logf(m, rc == VF_OK ? "mass erase (%u KiB)" : "mass erase refused (%u KiB protected)",
		 m->flash->size / 1024);
	return rc;
}

bool mcu_flash_erased(const struct mcu *m, uint32_t addr, unsigned len)
{
	const uint8_t *p = m->flash->mem + (addr - m->flash->base);
	for (unsigned i = 0; i < len; i++)
		if (p[i] != 0xFF)
			return false;
	return true;
}

int mcu_flash_program(struct mcu *m, uint32_t addr, const uint8_t *data, unsigned len)
{
	int rc = vflash_program(m->flash, addr, data, len, true);
	if (rc == VF_OK)
		m->st.flash_programmed += len;
	if (!m->in_core_store)
		mcu_code_changed(m, addr, len);
	return rc;
}

void mcu_flash_set_rdp(struct mcu *m, uint8_t rdp)
{
	m->fcs.rdp = rdp;
	m->flash->read_protected = rdp != 0xAA;
}
