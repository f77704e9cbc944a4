#include "vflash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int vflash_parse_layout(struct vflash *f, const char *layout, char *msg, size_t msglen)
{
	const char *p = layout;
	uint64_t off = 0;

	f->nsect = 0;
	while (*p) {
		char *end;
		unsigned long count = strtoul(p, &end, 10);
		if (end == p || *end != '*')
			goto bad;
		p = end + 1;
		unsigned long sz = strtoul(p, &end, 10);
		if (end == p)
			goto bad;
		if (*end == 'K')
			sz *= 1024, end++;
		else if (*end == 'M')
			sz *= 1024 * 1024, end++;
		p = end;
		if (*p == ',')
			p++;
		else if (*p)
			goto bad;
		if (count == 0 || sz == 0 || f->nsect + count > VFLASH_MAX_SECTORS)
			goto bad;
		for (unsigned long i = 0; i < count; i++) {
			f->sect_off[f->nsect++] = (uint32_t)off;
			off += sz;
			if (off > 0x10000000u)
				goto bad;
		}
	}
	if (f->nsect == 0)
		goto bad;
	f->sect_off[f->nsect] = (uint32_t)off;
	f->size = (uint32_t)off;
	return 0;
bad:
	snprintf(msg, msglen, "bad flash layout '%s' (want e.g. 4*16K,1*64K,3*128K)", layout);
	return -1;
}

int vflash_open(struct vflash *f, const char *path, uint32_t base, const char *layout,
		char *msg, size_t msglen)
{
	memset(f, 0, sizeof *f);
	f->fd = -1;
	if (vflash_parse_layout(f, layout, msg, msglen) < 0)
		return -1;
	f->base = base;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(msg, msglen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		snprintf(msg, msglen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	bool fresh = (uint64_t)st.st_size != f->size;
	if (fresh && ftruncate(fd, f->size) < 0) {
		snprintf(msg, msglen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	f->mem = mmap(NULL, f->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (f->mem == MAP_FAILED) {
		snprintf(msg, msglen, "%s: mmap: %s", path, strerror(errno));
		close(fd);
		f->mem = NULL;
		return -1;
	}
	if (fresh)
		memset(f->mem, 0xFF, f->size); /* a new chip comes erased */
	f->fd = fd;
	return 0;
}

void vflash_close(struct vflash *f)
{
	if (f->mem) {
		msync(f->mem, f->size, MS_SYNC);
		munmap(f->mem, f->size);
	}
	if (f->fd >= 0)
		close(f->fd);
	f->mem = NULL;
	f->fd = -1;
}

bool vflash_contains(const struct vflash *f, uint32_t addr, size_t len)
{
	return addr >= f->base && (uint64_t)addr + len <= (uint64_t)f->base + f->size;
}

int vflash_sector_of(const struct vflash *f, uint32_t addr)
{
	if (!vflash_contains(f, addr, 1))
		return -1;
	uint32_t off = addr - f->base;
	unsigned lo = 0, hi = f->nsect;
	while (hi - lo > 1) {
		unsigned mid = (lo + hi) / 2;
		if (f->sect_off[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return (int)lo;
}

uint32_t vflash_sector_addr(const struct vflash *f, unsigned sector)
{
	return f->base + f->sect_off[sector];
}

uint32_t vflash_sector_size(const struct vflash *f, unsigned sector)
{
	return f->sect_off[sector + 1] - f->sect_off[sector];
}

static bool touches_protected(const struct vflash *f, uint32_t off, uint32_t len)
{
	return f->write_protected || (f->protect_end && off < f->protect_end && len);
}

int vflash_erase_sector(struct vflash *f, unsigned sector)
{
	if (sector >= f->nsect)
		return VF_RANGE;
	uint32_t off = f->sect_off[sector], len = vflash_sector_size(f, sector);
	if (touches_protected(f, off, len))
		return VF_PROTECTED;
	memset(f->mem + off, 0xFF, len);
	return VF_OK;
}

int vflash_mass_erase(struct vflash *f)
{
	if (f->write_protected)
		return VF_PROTECTED;
	/* Mass erase on a real chip wipes everything, bootloader included:
	 * protect_end models what a careful ROM/tool refuses page by page. */
	memset(f->mem, 0xFF, f->size);
	return VF_OK;
}

int vflash_program(struct vflash *f, uint32_t addr, const uint8_t *data, size_t len, bool strict)
{
	if (!vflash_contains(f, addr, len))
		return VF_RANGE;
	uint32_t off = addr - f->base;
	if (touches_protected(f, off, (uint32_t)len))
		return VF_PROTECTED;
	int rc = VF_OK;
	for (size_t i = 0; i < len; i++) {
		uint8_t old = f->mem[off + i];
		if (strict && (data[i] & ~old))
			rc = VF_NOT_ERASED;
		f->mem[off + i] = old & data[i];
	}
	return rc;
}

int vflash_read(const struct vflash *f, uint32_t addr, uint8_t *out, size_t len)
{
	if (!vflash_contains(f, addr, len))
		return VF_RANGE;
	if (f->read_protected)
		return VF_PROTECTED;
	memcpy(out, f->mem + (addr - f->base), len);
	return VF_OK;
}

void vflash_sync(struct vflash *f)
{
	if (f->mem)
		msync(f->mem, f->size, MS_SYNC);
}
