/* DfuSe files (ST UM0391): a prefix, one target per alt setting, elements
 * (address, size, data) inside each target, and a DFU suffix with bcdDFU
 * 0x011A. Every field is little-endian. The reader checks each size field
 * against the bytes really there, so a damaged file is reported with the
 * byte offset of the first field that does not add up. */
#include <stdlib.h>
#include <string.h>

#include "dfu_suffix.h"
#include "formats.h"

#define PREFIX_LEN 11
#define TARGET_LEN 274
#define NAME_LEN 255
#define ELEMENT_LEN 8

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static bool probe(const uint8_t *buf, size_t len)
{
	return len >= 5 && memcmp(buf, "DfuSe", 5) == 0;
}

static int truncated(struct fk_err *e, const char *name, size_t off, const char *what,
		     size_t need, size_t have)
{
	return fk_fail(e, FK_EDATA,
		       "%s: offset %zu: truncated DfuSe file: %s needs %zu bytes, only %zu left before the suffix",
		       name, off, what, need, have);
}

int dfuse_parse(struct image *img, const uint8_t *buf, size_t len, const char *name,
		bool check_crc, struct fk_err *e)
{
	if (len < PREFIX_LEN)
		return truncated(e, name, 0, "the DfuSe prefix", PREFIX_LEN, len);
	if (memcmp(buf, "DfuSe", 5) != 0)
		return fk_fail(e, FK_EDATA, "%s: offset 0: no \"DfuSe\" signature: not a DfuSe file",
			       name);
	if (buf[5] != 1)
		return fk_fail(e, FK_EDATA,
			       "%s: offset 5: DfuSe version %u, only version 1 (UM0391) is known",
			       name, buf[5]);

	/* The suffix first: it tells where the targets must end. */
	struct dfu_suffix s;
	enum suffix_state st = dfu_suffix_parse(buf, len, &s);
	size_t soff = len >= DFU_SUFFIX_LEN ? len - DFU_SUFFIX_LEN : 0;
	if (len < PREFIX_LEN + DFU_SUFFIX_LEN || st == SUFFIX_NONE)
		return fk_fail(e, FK_EDATA,
			       "%s: offset %zu: no DFU suffix (\"UFD\" signature) at the end: file truncated? (re-create it with 'flashkit dfu')",
			       name, soff);
	if (st == SUFFIX_BAD_LEN)
		return fk_fail(e, FK_EDATA, "%s: offset %zu: DFU suffix bLength is %u, must be 16",
			       name, soff + 11, buf[soff + 11]);
	if (st == SUFFIX_BAD_CRC && check_crc)
		return fk_fail(e, FK_EDATA,
			       "%s: offset %zu: DFU suffix CRC is 0x%08x, data gives 0x%08x: file damaged (re-create it)",
			       name, soff + 12, s.crc, dfu_crc(buf, len - 4));
	if (s.bcd_dfu != DFU_BCD_DFUSE)
		return fk_fail(e, FK_EDATA,
			       "%s: offset %zu: DFU suffix bcdDFU is 0x%04x, a DfuSe file needs 0x011a (dfu-util would not treat it as DfuSe)",
			       name, soff + 6, s.bcd_dfu);
	/* DFUImageSize: the file without its suffix, as MicroPython's dfu.py,
	 * dfuse-pack.py before dfu-util 0.10 and fwupd write it (fwupd refuses
	 * anything else). UM0391 calls it "the total DFU file length", and
	 * dfuse-pack.py since 0.10 (and flashkit before) counts the suffix
	 * too; dfu-util ignores the field. Both are read. */
	uint32_t image_size = le32(buf + 6);
	if (image_size != soff && image_size != len)
		return fk_fail(e, FK_EDATA,
			       "%s: offset 6: DFUImageSize says %u bytes but the file has %zu (%zu without its DFU suffix): truncated or padded",
			       name, image_size, len, soff);

	size_t body = soff; /* targets must end exactly here */
	size_t off = PREFIX_LEN;
	unsigned ntargets = buf[10];
	if (ntargets == 0)
		return fk_fail(e, FK_EDATA, "%s: offset 10: bTargets is 0: the file holds no data",
			       name);
	for (unsigned t = 0; t < ntargets; t++) {
		if (body - off < TARGET_LEN)
			return truncated(e, name, off, "a target prefix", TARGET_LEN, body - off);
		const uint8_t *tp = buf + off;
		if (memcmp(tp, "Target", 6) != 0)
			return fk_fail(e, FK_EDATA,
				       "%s: offset %zu: target %u has no \"Target\" signature",
				       name, off, t);
		uint8_t alt = tp[6];
		uint32_t named = le32(tp + 7);
		uint32_t tsize = le32(tp + 7 + 4 + NAME_LEN);
		uint32_t nelem = le32(tp + 7 + 4 + NAME_LEN + 4);
		size_t tstart = off + TARGET_LEN;
		if (tsize > body - tstart)
			return fk_fail(e, FK_EDATA,
				       "%s: offset %zu: target %u (alt %u) dwTargetSize %u runs past the end of the data (%zu bytes left)",
				       name, off + 7 + 4 + NAME_LEN, t, alt, tsize, body - tstart);
		if (named) {
			char nm[NAME_LEN + 1];
			memcpy(nm, tp + 11, NAME_LEN);
			nm[NAME_LEN] = 0;
			if (image_set_target_name(img, alt, nm) < 0)
				return fk_fail(e, FK_EINTERNAL, "out of memory");
		}
		size_t tend = tstart + tsize;
		off = tstart;
		for (uint32_t i = 0; i < nelem; i++) {
			if (tend - off < ELEMENT_LEN)
				return fk_fail(e, FK_EDATA,
					       "%s: offset %zu: element %u of target %u (alt %u) lies outside dwTargetSize (%u elements in %u bytes)",
					       name, off, i, t, alt, nelem, tsize);
			uint32_t addr = le32(buf + off);
			uint32_t esize = le32(buf + off + 4);
			if (esize > tend - off - ELEMENT_LEN)
				return fk_fail(e, FK_EDATA,
					       "%s: offset %zu: element %u of target %u (alt %u) at 0x%08x says %u bytes, only %zu left in the target",
					       name, off + 4, i, t, alt, addr, esize,
					       tend - off - ELEMENT_LEN);
			char where[300];
			snprintf(where, sizeof where, "%s: offset %zu: element %u (alt %u)", name, off, i,
				 alt);
			int rc = image_add(img, addr, buf + off + ELEMENT_LEN, esize, alt, where, e);
			if (rc)
				return rc;
			off += ELEMENT_LEN + esize;
		}
		if (off != tend)
			return fk_fail(e, FK_EDATA,
				       "%s: offset %zu: target %u (alt %u) dwTargetSize %u does not match its %u elements (%zu bytes)",
				       name, tstart - 8, t, alt, tsize, nelem, off - tstart);
	}
	if (off != body)
		return fk_fail(e, FK_EDATA,
			       "%s: offset %zu: %zu unexpected bytes after the last of %u targets",
			       name, off, body - off, ntargets);
	img->has_suffix = true;
	img->suffix = s;
	return 0;
}

static int rd(struct image *img, const uint8_t *buf, size_t len, const struct read_opts *o,
	      struct fk_err *e)
{
	return dfuse_parse(img, buf, len, o && o->name ? o->name : "input", true, e);
}

/* The names STM32 ROM DFU bootloaders give their alt settings (F2/F4/F7);
 * a file made for alt 1 is most likely option bytes. Cosmetic: dfu-util
 * matches targets by alt number only. */
static const char *default_name(uint8_t alt)
{
	static const char *const names[] = { "Internal Flash", "Option Bytes", "OTP Memory",
					     "Device Feature" };
	return alt < 4 ? names[alt] : "ST...";
}

static int put(FILE *out, uint32_t *zcrc, const uint8_t *p, size_t n)
{
	*zcrc = dfu_crc_update(*zcrc, p, n);
	return fwrite(p, 1, n, out) == n ? 0 : -1;
}

static int wr(const struct image *img, FILE *out, const struct write_opts *o, struct fk_err *e)
{
	if (img->nseg == 0)
		return fk_fail(e, FK_EDATA, "the image holds no data: nothing to put in a DfuSe file");

	/* Sizes first: the prefix and each target header carry them. */
	uint64_t total = PREFIX_LEN; /* DFUImageSize: everything before the suffix */
	unsigned ntargets = 0;
	for (size_t i = 0; i < img->nseg; i++) {
		if (img->seg[i].len > 0xFFFFFFFFu - ELEMENT_LEN)
			return fk_fail(e, FK_EDATA, "segment at 0x%08x is too large for a DfuSe element",
				       img->seg[i].addr);
		if (i == 0 || img->seg[i].alt != img->seg[i - 1].alt) {
			ntargets++;
			total += TARGET_LEN;
		}
		total += ELEMENT_LEN + img->seg[i].len;
	}
	if (ntargets > 255)
		return fk_fail(e, FK_EDATA, "more than 255 alt settings: a DfuSe file holds at most 255 targets");
	if (total + DFU_SUFFIX_LEN > 0xFFFFFFFFu)
		return fk_fail(e, FK_EDATA, "the DfuSe file would be %llu bytes, over the 4 GiB DFUImageSize limit",
			       (unsigned long long)(total + DFU_SUFFIX_LEN));

	struct dfu_suffix s = { .bcd_device = DFUSE_DEFAULT_DEVICE, .id_product = DFUSE_DEFAULT_PID,
				.id_vendor = DFUSE_DEFAULT_VID, .bcd_dfu = DFU_BCD_DFUSE };
	/* All-zero ids mean "not given" (a zeroed write_opts): keep a DfuSe
	 * input's ids, else the defaults. */
	if (o && (o->vid || o->pid || o->bcd_device)) {
		s.id_vendor = o->vid;
		s.id_product = o->pid;
		s.bcd_device = o->bcd_device;
	} else if (img->has_suffix && img->suffix.bcd_dfu == DFU_BCD_DFUSE) {
		s.id_vendor = img->suffix.id_vendor;
		s.id_product = img->suffix.id_product;
		s.bcd_device = img->suffix.bcd_device;
	}

	uint32_t zcrc = 0;
	uint8_t hdr[TARGET_LEN];
	memcpy(hdr, "DfuSe\x01", 6);
	put32(hdr + 6, (uint32_t)total);
	hdr[10] = (uint8_t)ntargets;
	int bad = put(out, &zcrc, hdr, PREFIX_LEN);

	for (size_t i = 0; i < img->nseg && !bad;) {
		uint8_t alt = img->seg[i].alt;
		size_t j = i;
		uint64_t tsize = 0;
		while (j < img->nseg && img->seg[j].alt == alt)
			tsize += ELEMENT_LEN + img->seg[j++].len;
		const char *nm = image_target_name(img, alt);
		if (!nm || !*nm)
			nm = o && o->target_name && *o->target_name ? o->target_name
								     : default_name(alt);
		memset(hdr, 0, sizeof hdr);
		memcpy(hdr, "Target", 6);
		hdr[6] = alt;
		put32(hdr + 7, 1);
		size_t n = strlen(nm);
		memcpy(hdr + 11, nm, n < NAME_LEN ? n : NAME_LEN - 1);
		put32(hdr + 11 + NAME_LEN, (uint32_t)tsize);
		put32(hdr + 15 + NAME_LEN, (uint32_t)(j - i));
		bad |= put(out, &zcrc, hdr, TARGET_LEN);
		for (; i < j && !bad; i++) {
			uint8_t el[ELEMENT_LEN];
			put32(el, img->seg[i].addr);
			put32(el + 4, (uint32_t)img->seg[i].len);
			bad |= put(out, &zcrc, el, ELEMENT_LEN);
			bad |= put(out, &zcrc, img->seg[i].data, img->seg[i].len);
		}
	}
	uint8_t suf[DFU_SUFFIX_LEN];
	dfu_suffix_finish(zcrc, &s, suf);
	if (!bad)
		bad = fwrite(suf, 1, sizeof suf, out) != sizeof suf;
	if (bad)
		return fk_fail(e, FK_EIO, "write error while writing the DfuSe file");
	return 0;
}

const struct format fmt_dfuse = {
	.name = "dfu", .exts = ".dfu", .probe = probe, .read = rd, .write = wr,
};
