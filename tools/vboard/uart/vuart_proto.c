/* AN3155, the USART protocol of the STM32 system-memory bootloader, on top
 * of the shared flash model. Every multi-byte field is collected whole,
 * then checked (complement or XOR checksum) and answered, as the ROM does. */
#include "vuart_proto.h"

#include <stdio.h>
#include <string.h>

enum {
	S_SYNC,      /* after reset: only 0x7F (autobaud) is understood */
	S_CMD,       /* command byte + complement */
	S_ADDR,      /* 4 address bytes + XOR */
	S_RD_LEN,    /* READ: N, ~N */
	S_WR_LEN,    /* WRITE: N */
	S_WR_DATA,   /* WRITE: N+1 bytes + checksum */
	S_ER_LEN,    /* ERASE: N (0xFF = global erase) */
	S_ER_LIST,   /* ERASE: pages + checksum, or 0x00 after 0xFF */
	S_EE_LEN,    /* EXTENDED ERASE: 2-byte N */
	S_EE_LIST,   /* EXTENDED ERASE: pages + checksum, or the checksum of a special N */
	S_WP_LEN,    /* WRITE PROTECT: N */
	S_WP_LIST,   /* WRITE PROTECT: sectors + checksum */
};

enum {
	CMD_GET = 0x00, CMD_GVR = 0x01, CMD_GID = 0x02, CMD_RM = 0x11, CMD_GO = 0x21,
	CMD_WM = 0x31, CMD_ER = 0x43, CMD_EE = 0x44, CMD_WP = 0x63, CMD_UW = 0x73,
	CMD_RP = 0x82, CMD_UR = 0x92,
};

/* STM32F4 option bytes as the ROM shows them at 0x1FFFC000 (RDP level 0,
 * no write protection); RDP flips to 0x55 while read-protected. */
#define OPT_BASE 0x1FFFC000u
#define OPT_SIZE 16u
#define SYSMEM_BASE 0x1FFF0000u
#define SYSMEM_SIZE 0x7800u

static void put(struct vuart_proto *p, uint8_t b)
{
	if (p->out_len < sizeof p->out)
		p->out[p->out_len++] = b;
}

static void ack(struct vuart_proto *p) { put(p, VP_ACK); }

static void nack(struct vuart_proto *p, const char *why)
{
	put(p, VP_NACK);
	if (why)
		snprintf(p->note, sizeof p->note, "NACK: %s", why);
	p->state = S_CMD;
	p->have = 0;
	p->need = 2;
}

static void expect(struct vuart_proto *p, int state, size_t need)
{
	p->state = state;
	p->have = 0;
	p->need = need;
}

static uint8_t xor_of(const uint8_t *b, size_t n)
{
	uint8_t x = 0;
	for (size_t i = 0; i < n; i++)
		x ^= b[i];
	return x;
}

static void event(struct vuart_proto *p, enum vp_event ev, uint32_t addr)
{
	p->event = ev;
	p->event_addr = addr;
}

static bool in_ram(const struct vuart_proto *p, uint32_t a, size_t n)
{
	return a >= p->cfg.ram_base && (uint64_t)a + n <= (uint64_t)p->cfg.ram_base + p->cfg.ram_size;
}

static void opt_bytes(const struct vuart_proto *p, uint8_t ob[OPT_SIZE])
{
	static const uint8_t def[OPT_SIZE] = {
		0xEF, 0xAA, 0x10, 0x55, 0xFF, 0xFF, 0x00, 0x00,
		0xFF, 0x0F, 0x00, 0xF0, 0xFF, 0xFF, 0x00, 0x00,
	};
	memcpy(ob, def, OPT_SIZE);
	if (p->flash->read_protected)
		ob[1] = 0x55, ob[3] = 0xAA;
	if (p->flash->write_protected)
		ob[9] = 0x00, ob[11] = 0xFF; /* nWRP bits cleared: sectors protected */
}

/* Copy len bytes at addr into out; false if the ROM would refuse. */
static bool read_mem(struct vuart_proto *p, uint32_t addr, uint8_t *out, size_t len)
{
	if (vflash_contains(p->flash, addr, len))
		return vflash_read(p->flash, addr, out, len) == VF_OK;
	if (in_ram(p, addr, len)) {
		memcpy(out, p->ram + (addr - p->cfg.ram_base), len);
		return true;
	}
	if (addr >= OPT_BASE && (uint64_t)addr + len <= OPT_BASE + OPT_SIZE) {
		uint8_t ob[OPT_SIZE];
		opt_bytes(p, ob);
		memcpy(out, ob + (addr - OPT_BASE), len);
		return true;
	}
	if (addr >= SYSMEM_BASE && (uint64_t)addr + len <= SYSMEM_BASE + SYSMEM_SIZE) {
		memset(out, 0, len); /* the ROM's own code: not modelled */
		return true;
	}
	return false;
}

static bool addr_known(const struct vuart_proto *p, uint32_t a)
{
	return vflash_contains(p->flash, a, 1) || in_ram(p, a, 1) ||
	       (a >= OPT_BASE && a < OPT_BASE + OPT_SIZE) ||
	       (a >= SYSMEM_BASE && a < SYSMEM_BASE + SYSMEM_SIZE);
}

static void on_command(struct vuart_proto *p)
{
	uint8_t c = p->buf[0];
	bool rdp = p->flash->read_protected;

	if ((uint8_t)(c ^ p->buf[1]) != 0xFF) {
		nack(p, "command byte and its complement do not match");
		return;
	}
	p->cmd = c;
	switch (c) {
	case CMD_GET: {
		static const uint8_t cmds_ee[] = { CMD_GET, CMD_GVR, CMD_GID, CMD_RM, CMD_GO, CMD_WM,
						   CMD_EE, CMD_WP, CMD_UW, CMD_RP, CMD_UR };
		ack(p);
		put(p, sizeof cmds_ee);        /* N = bytes that follow - 1 */
		put(p, p->cfg.version);
		for (size_t i = 0; i < sizeof cmds_ee; i++)
			put(p, (cmds_ee[i] == CMD_EE && p->cfg.legacy_erase) ? CMD_ER : cmds_ee[i]);
		ack(p);
		expect(p, S_CMD, 2);
		return;
	}
	case CMD_GVR:
		ack(p);
		put(p, p->cfg.version);
		put(p, 0x00);
		put(p, 0x00);
		ack(p);
		expect(p, S_CMD, 2);
		return;
	case CMD_GID:
		ack(p);
		put(p, 1);
		put(p, (uint8_t)(p->cfg.pid >> 8));
		put(p, (uint8_t)p->cfg.pid);
		ack(p);
		expect(p, S_CMD, 2);
		return;
	case CMD_RM:
	case CMD_GO:
	case CMD_WM:
		if (rdp) {
			nack(p, "read protection is active");
			return;
		}
		ack(p);
		expect(p, S_ADDR, 5);
		return;
	case CMD_ER:
	case CMD_EE:
		if ((c == CMD_ER) != p->cfg.legacy_erase) {
			nack(p, "erase command not offered by this bootloader");
			return;
		}
		if (rdp) {
			nack(p, "read protection is active");
			return;
		}
		ack(p);
		if (c == CMD_ER)
			expect(p, S_ER_LEN, 1);
		else
			expect(p, S_EE_LEN, 2);
		return;
	case CMD_WP:
		if (rdp) {
			nack(p, "read protection is active");
			return;
		}
		ack(p);
		expect(p, S_WP_LEN, 1);
		return;
	case CMD_UW:
		if (rdp) {
			nack(p, "read protection is active");
			return;
		}
		ack(p);
		p->flash->write_protected = false;
		ack(p);
		snprintf(p->note, sizeof p->note, "write protection removed; system reset");
		event(p, VP_EV_SYSRESET, 0);
		expect(p, S_CMD, 2);
		return;
	case CMD_RP:
		ack(p);
		p->flash->read_protected = true;
		ack(p);
		snprintf(p->note, sizeof p->note, "read protection set; system reset");
		event(p, VP_EV_SYSRESET, 0);
		expect(p, S_CMD, 2);
		return;
	case CMD_UR:
		ack(p);
		/* Leaving RDP level 1 mass-erases the flash: that is the point. */
		p->flash->write_protected = false;
		vflash_mass_erase(p->flash);
		p->flash->read_protected = false;
		ack(p);
		snprintf(p->note, sizeof p->note, "read protection removed, flash mass-erased; system reset");
		event(p, VP_EV_SYSRESET, 0);
		expect(p, S_CMD, 2);
		return;
	default:
		nack(p, "unknown command");
		return;
	}
}

static void on_addr(struct vuart_proto *p)
{
	uint32_t a = (uint32_t)p->buf[0] << 24 | (uint32_t)p->buf[1] << 16 |
		     (uint32_t)p->buf[2] << 8 | p->buf[3];
	if (xor_of(p->buf, 4) != p->buf[4]) {
		nack(p, "address checksum wrong");
		return;
	}
	if (!addr_known(p, a)) {
		nack(p, "address outside every memory");
		return;
	}
	if (p->cmd == CMD_GO && p->cfg.nack_go) {
		nack(p, "injected fault: GO refused");
		return;
	}
	p->addr = a;
	ack(p);
	switch (p->cmd) {
	case CMD_RM:
		expect(p, S_RD_LEN, 2);
		break;
	case CMD_WM:
		expect(p, S_WR_LEN, 1);
		break;
	case CMD_GO:
		expect(p, S_CMD, 2);
		if (vflash_contains(p->flash, a, 1))
			event(p, VP_EV_GO_FLASH, a);
		else
			/* stm32flash runs code in RAM only to reset the chip
			 * (SYSRESETREQ), so that is what RAM code does here. */
			event(p, VP_EV_SYSRESET, a);
		break;
	}
}

static void on_read_len(struct vuart_proto *p)
{
	uint8_t n = p->buf[0];
	uint8_t data[256];

	if ((uint8_t)(n ^ p->buf[1]) != 0xFF) {
		nack(p, "READ length and complement do not match");
		return;
	}
	if (!read_mem(p, p->addr, data, (size_t)n + 1)) {
		nack(p, "READ outside readable memory");
		return;
	}
	ack(p);
	/* A weak flash cell: what reads back differs from what was written, so a
	 * verifying programmer must say so (stm32flash -v: "Failed to verify"). */
	if (p->cfg.bad_read && vflash_contains(p->flash, p->addr, (size_t)n + 1))
		data[0] ^= 0x01;
	for (unsigned i = 0; i <= n; i++)
		put(p, data[i]);
	expect(p, S_CMD, 2);
}

static void on_write_data(struct vuart_proto *p)
{
	size_t n = (size_t)p->buf[0] + 1;
	const uint8_t *data = p->buf + 1;

	if (xor_of(p->buf, n + 1) != p->buf[n + 1]) {
		nack(p, "WRITE data checksum wrong");
		return;
	}
	p->writes++;
	if (p->cfg.nack_write_from && p->writes >= p->cfg.nack_write_from) {
		nack(p, "injected fault: WRITE refused");
		return;
	}
	if (in_ram(p, p->addr, n)) {
		memcpy(p->ram + (p->addr - p->cfg.ram_base), data, n);
		ack(p);
		expect(p, S_CMD, 2);
		return;
	}
	if (!vflash_contains(p->flash, p->addr, n)) {
		nack(p, "WRITE outside flash and RAM");
		return;
	}
	if (p->flash->write_protected) {
		nack(p, "flash is write-protected");
		return;
	}
	int rc = vflash_program(p->flash, p->addr, data, n, true);
	if (rc == VF_NOT_ERASED) {
		snprintf(p->note, sizeof p->note,
			 "programming error at 0x%08x: flash not erased", p->addr);
		nack(p, NULL);
		return;
	}
	if (rc != VF_OK) {
		nack(p, "flash refused the write");
		return;
	}
	ack(p);
	expect(p, S_CMD, 2);
}

/* Erase the listed pages (F4: page = sector); NACK if any is refused. */
static void erase_pages(struct vuart_proto *p, const uint8_t *list, size_t count, bool wide)
{
	if (p->flash->write_protected) {
		nack(p, "flash is write-protected");
		return;
	}
	for (size_t i = 0; i < count; i++) {
		unsigned s = wide ? (unsigned)list[2 * i] << 8 | list[2 * i + 1] : list[i];
		if (vflash_erase_sector(p->flash, s) != VF_OK) {
			snprintf(p->note, sizeof p->note, "NACK: cannot erase page %u", s);
			nack(p, NULL);
			return;
		}
	}
	snprintf(p->note, sizeof p->note, "erased %zu page(s) from page %u", count,
		 wide ? (unsigned)list[0] << 8 | list[1] : list[0]);
	ack(p);
	expect(p, S_CMD, 2);
}

static void mass_erase(struct vuart_proto *p)
{
	if (vflash_mass_erase(p->flash) != VF_OK) {
		nack(p, "flash is write-protected");
		return;
	}
	snprintf(p->note, sizeof p->note, "mass erase");
	ack(p);
	expect(p, S_CMD, 2);
}

static void on_block(struct vuart_proto *p)
{
	switch (p->state) {
	case S_SYNC:
		break;
	case S_CMD:
		on_command(p);
		break;
	case S_ADDR:
		on_addr(p);
		break;
	case S_RD_LEN:
		on_read_len(p);
		break;
	case S_WR_LEN:
		p->state = S_WR_DATA;
		p->need = 1 + (size_t)p->buf[0] + 1 + 1; /* N, data, checksum */
		break;
	case S_WR_DATA:
		on_write_data(p);
		break;
	case S_ER_LEN:
		p->state = S_ER_LIST;
		p->need = p->buf[0] == 0xFF ? 2 : 1 + (size_t)p->buf[0] + 1 + 1;
		break;
	case S_ER_LIST:
		if (p->buf[0] == 0xFF) {
			if (p->buf[1] != 0x00)
				nack(p, "global erase complement wrong");
			else
				mass_erase(p);
		} else if (xor_of(p->buf, p->need - 1) != p->buf[p->need - 1]) {
			nack(p, "ERASE checksum wrong");
		} else {
			erase_pages(p, p->buf + 1, (size_t)p->buf[0] + 1, false);
		}
		break;
	case S_EE_LEN: {
		unsigned n = (unsigned)p->buf[0] << 8 | p->buf[1];
		p->state = S_EE_LIST;
		p->need = n >= 0xFFF0 ? 3 : 2 + 2 * ((size_t)n + 1) + 1;
		break;
	}
	case S_EE_LIST: {
		unsigned n = (unsigned)p->buf[0] << 8 | p->buf[1];
		if (xor_of(p->buf, p->need - 1) != p->buf[p->need - 1])
			nack(p, "EXTENDED ERASE checksum wrong");
		else if (n == 0xFFFF || n == 0xFFFE || n == 0xFFFD)
			mass_erase(p); /* global, bank 1, bank 2: one bank here */
		else if (n >= 0xFFF0)
			nack(p, "reserved EXTENDED ERASE code");
		else
			erase_pages(p, p->buf + 2, (size_t)n + 1, true);
		break;
	}
	case S_WP_LEN:
		p->state = S_WP_LIST;
		p->need = 1 + (size_t)p->buf[0] + 1 + 1;
		break;
	case S_WP_LIST:
		if (xor_of(p->buf, p->need - 1) != p->buf[p->need - 1]) {
			nack(p, "WRITE PROTECT checksum wrong");
			break;
		}
		p->flash->write_protected = true;
		ack(p);
		snprintf(p->note, sizeof p->note, "write protection set; system reset");
		event(p, VP_EV_SYSRESET, 0);
		expect(p, S_CMD, 2);
		break;
	}
}

void vp_init(struct vuart_proto *p, const struct vp_config *cfg, struct vflash *flash, uint8_t *ram)
{
	memset(p, 0, sizeof *p);
	p->cfg = *cfg;
	p->flash = flash;
	p->ram = ram;
	vp_reset(p);
}

void vp_reset(struct vuart_proto *p)
{
	p->synced = false;
	p->state = S_SYNC;
	p->have = 0;
	p->need = 1;
	p->event = VP_EV_NONE;
}

void vp_feed(struct vuart_proto *p, uint8_t byte, bool corrupt)
{
	if (p->state == S_SYNC) {
		/* Autobaud only locks on a clean 0x7F; anything else is noise. */
		if (byte == 0x7F && !corrupt) {
			p->synced = true;
			ack(p);
			expect(p, S_CMD, 2);
		}
		return;
	}
	if (corrupt) {
		nack(p, "framing or parity error on the line");
		return;
	}
	/* Length states keep N at buf[0] and extend need to the whole frame,
	 * so the checksum of WRITE and ERASE covers N too; every other
	 * handler starts a new field with expect() or nack(). */
	p->buf[p->have++] = byte;
	if (p->have == p->need)
		on_block(p);
}
