/* The ST-LINK debug protocol on the shared virtual STM32 (see vstlink_proto.h). */
#include "vstlink_proto.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void event(struct vstlink *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void event(struct vstlink *p, const char *fmt, ...)
{
	if (!p->log)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("stlink: ", p->log);
	vfprintf(p->log, fmt, ap);
	va_end(ap);
	fputc('\n', p->log);
	fflush(p->log);
}

void vstlink_default_cfg(struct vstlink_cfg *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->hw = 2;
	cfg->jtag = 37;
	cfg->msd = 26;
	cfg->vid = 0x0483;
	cfg->pid = 0x374b;
	cfg->voltage = 3.25;
	cfg->dpidr = 0x2ba01477;
	cfg->unreliable_after = -1;
	cfg->slice = 20000;
}

void vstlink_init(struct vstlink *p, const struct vstlink_cfg *cfg, struct mcu *mcu, FILE *log)
{
	memset(p, 0, sizeof *p);
	p->cfg = *cfg;
	p->mcu = mcu;
	p->log = log;
	p->mode = STL_MODE_DFU; /* as the probe powers up (OpenOCD exits DFU first) */
	p->swd_khz = 1800;
	p->rw_status = STL_OK;
}

void vstlink_version_string(const struct vstlink_cfg *c, char *out, unsigned len)
{
	int n = snprintf(out, len, "V%uJ%u", c->hw, c->jtag);
	if (c->msd && n > 0 && (unsigned)n < len)
		n += snprintf(out + n, len - (unsigned)n, "M%u", c->msd);
	if (c->bridge && n > 0 && (unsigned)n < len)
		n += snprintf(out + n, len - (unsigned)n, "B%u", c->bridge);
	if ((c->swim || !c->msd) && n > 0 && (unsigned)n < len)
		snprintf(out + n, len - (unsigned)n, "S%u", c->swim);
}

int vstlink_parse_version(struct vstlink_cfg *c, const char *s)
{
	unsigned hw = 0, jtag = 0, msd = 0, swim = 0, bridge = 0;
	bool seen_j = false;
	if (*s != 'V')
		return -1;
	while (*s) {
		char k = *s++;
		char *end;
		unsigned long v = strtoul(s, &end, 10);
		if (end == s || v > 63)
			return -1;
		s = end;
		switch (k) {
		case 'V': hw = (unsigned)v; break;
		case 'J': jtag = (unsigned)v; seen_j = true; break;
		case 'M': msd = (unsigned)v; break;
		case 'S': swim = (unsigned)v; break;
		case 'B': bridge = (unsigned)v; break;
		default: return -1;
		}
	}
	if ((hw != 2 && hw != 3) || !seen_j)
		return -1;
	c->hw = hw, c->jtag = jtag, c->msd = msd, c->swim = swim, c->bridge = bridge;
	return 0;
}

static void reply(struct vstlink *p, unsigned len)
{
	p->reply_len = len;
	p->reply_ready = true;
}

/* A status-only reply (2 bytes, as the probe sends). */
static void status(struct vstlink *p, uint8_t st)
{
	memset(p->reply, 0, 2);
	p->reply[0] = st;
	reply(p, 2);
}

/* Status byte, three padding bytes, then a 32-bit value. */
static void status_val(struct vstlink *p, uint8_t st, uint32_t v, unsigned len)
{
	memset(p->reply, 0, len);
	p->reply[0] = st;
	put32(p->reply + 4, v);
	reply(p, len);
}

static uint8_t mcu_status_code(int r)
{
	switch (r) {
	case MCU_OK: return STL_OK;
	case MCU_NOT_POWERED: return STL_SWD_DP_ERROR;
	default: return STL_SWD_AP_FAULT;
	}
}

/* Whether the target answers on SWD: powered, wired, and a firmware that
 * can talk to it. */
static uint8_t swd_answer(const struct vstlink *p)
{
	if (p->cfg.voltage < 1.0 || p->cfg.swd_dead || p->cfg.old_firmware)
		return STL_GET_IDCODE_ERROR;
	return STL_OK;
}

static void mem_read(struct vstlink *p, const uint8_t *c, unsigned width, bool inc)
{
	uint32_t addr = get32(c + 2);
	unsigned len = get16(c + 6);
	if (len > STL_DATA_SIZE)
		len = STL_DATA_SIZE;
	memset(p->reply, 0, len + 2);
	int r = MCU_FAULT;
	if (!p->connected) {
		r = MCU_NOT_POWERED;
	} else if (p->unreliable_fired) {
		r = MCU_FAULT;
	} else if (inc) {
		r = mcu_mem_read(p->mcu, addr, p->reply, len, width);
	} else {
		r = MCU_OK;
		for (unsigned o = 0; o + 4 <= len && r == MCU_OK; o += 4)
			r = mcu_mem_read(p->mcu, addr, p->reply + o, 4, 4);
	}
	p->rw_status = mcu_status_code(r);
	p->rw_fault_addr = r == MCU_OK ? 0 : addr;
	p->bytes_read += len;
	/* one byte is sent as two, as the probe's firmware does */
	reply(p, width == 1 && len == 1 ? 2 : len);
}

/* A clone with marginal SWD: once BYTES were written in this session at a
 * clock above the limit, its transfers fail from then on. */
static bool unreliable_now(struct vstlink *p)
{
	if (p->unreliable_fired)
		return true;
	if (p->cfg.unreliable_after < 0 || (long)p->session_written < p->cfg.unreliable_after)
		return false;
	if (p->cfg.unreliable_khz && p->swd_khz <= p->cfg.unreliable_khz)
		return false;
	event(p, "unreliable: transfers fail from byte %llu at %u kHz",
	      (unsigned long long)p->session_written, p->swd_khz);
	p->unreliable_fired = true;
	return true;
}

static void mem_write(struct vstlink *p, const uint8_t *c, const uint8_t *data, unsigned len)
{
	uint32_t addr = get32(c + 2);
	unsigned width = c[1] == 0x0d ? 1 : c[1] == 0x48 ? 2 : 4;
	int r;
	if (!p->connected) {
		r = MCU_NOT_POWERED;
	} else if (unreliable_now(p)) {
		/* a clone's marginal SWD: the write never reaches the target */
		p->rw_status = STL_SWD_AP_ERROR;
		p->rw_fault_addr = addr;
		return;
	} else if (c[1] == 0x50) { /* no address increment: one register, many words */
		r = MCU_OK;
		for (unsigned o = 0; o + 4 <= len && r == MCU_OK; o += 4)
			r = mcu_mem_write(p->mcu, addr, data + o, 4, 4);
	} else {
		r = mcu_mem_write(p->mcu, addr, data, len, width);
	}
	p->rw_status = mcu_status_code(r);
	p->rw_fault_addr = r == MCU_OK ? 0 : addr;
	p->bytes_written += len;
	p->session_written += len;
}

static void freq_v3(struct vstlink *p)
{
	static const uint32_t khz[] = { 24000, 8000, 3300, 1000, 200, 50, 5 };
	memset(p->reply, 0, 52);
	p->reply[0] = STL_OK;
	p->reply[8] = (uint8_t)(sizeof khz / sizeof khz[0]);
	for (unsigned i = 0; i < sizeof khz / sizeof khz[0]; i++)
		put32(p->reply + 12 + 4 * i, khz[i]);
	reply(p, 52);
}

/* SWD clock divisors of the V2 firmware, as OpenOCD's table maps them. */
static unsigned swd_div_khz(unsigned div)
{
	static const struct { unsigned div, khz; } map[] = {
		{ 0, 4000 }, { 1, 1800 }, { 2, 1200 }, { 3, 950 }, { 7, 480 }, { 15, 240 },
		{ 31, 125 }, { 40, 100 }, { 79, 50 }, { 158, 25 }, { 265, 15 }, { 798, 5 },
	};
	for (unsigned i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].div >= div)
			return map[i].khz;
	return 5;
}

static void debug_cmd(struct vstlink *p, const uint8_t *c)
{
	uint32_t v = 0;
	int r;
	switch (c[1]) {
	case 0x30: /* APIV2_ENTER, SWD (0xa3) or JTAG (0xa4) */
	case 0x20: { /* APIV1_ENTER */
		uint8_t st = swd_answer(p);
		p->mode = STL_MODE_DEBUG;
		p->connected = st == STL_OK;
		p->session_written = 0;
		p->unreliable_fired = false;
		event(p, "enter %s at %u kHz: %s", c[2] == 0xa4 ? "jtag" : "swd", p->swd_khz,
		      st == STL_OK ? "target answers" : "no answer from the target");
		status(p, st);
		return;
	}
	case 0x21: /* EXIT: no reply */
		if (p->mode == STL_MODE_DEBUG)
			event(p, "exit debug mode");
		p->mode = STL_MODE_MASS;
		p->connected = false;
		return;
	case 0x22: /* READCOREID (API v1) */
		memset(p->reply, 0, 4);
		put32(p->reply, p->connected ? p->cfg.dpidr : 0);
		reply(p, 4);
		return;
	case 0x31: /* READ_IDCODES */
		memset(p->reply, 0, 12);
		p->reply[0] = p->connected ? STL_OK : STL_GET_IDCODE_ERROR;
		put32(p->reply + 4, p->connected ? p->cfg.dpidr : 0);
		reply(p, 12);
		return;
	case 0x32: /* APIV2_RESETSYS */
	case 0x03: /* APIV1_RESETSYS */
		if (!p->connected) {
			status(p, STL_SWD_DP_ERROR);
			return;
		}
		mcu_reset(p->mcu);
		event(p, "reset (system)");
		status(p, STL_OK);
		return;
	case 0x3c: /* DRIVE_NRST: 0 low, 1 high, 2 pulse */
		if (c[2] == 0) {
			p->nrst_low = true;
		} else {
			if (p->connected && (p->nrst_low || c[2] == 2)) {
				mcu_reset(p->mcu);
				event(p, "reset (NRST)");
			}
			p->nrst_low = false;
		}
		status(p, STL_OK);
		return;
	case 0x33: /* APIV2_READREG */
		r = p->connected ? mcu_reg_read(p->mcu, c[2], &v) : MCU_NOT_POWERED;
		status_val(p, mcu_status_code(r), v, 8);
		return;
	case 0x34: /* APIV2_WRITEREG */
		r = p->connected ? mcu_reg_write(p->mcu, c[2], get32(c + 3)) : MCU_NOT_POWERED;
		status(p, mcu_status_code(r));
		return;
	case 0x3a: { /* APIV2_READALLREGS: status, r0-r15, xPSR, MSP, PSP, special */
		memset(p->reply, 0, 88);
		uint8_t st = STL_OK;
		static const unsigned sel[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
						13, 14, 15, 16, 17, 18, 20 };
		for (unsigned i = 0; i < sizeof sel / sizeof sel[0]; i++) {
			r = p->connected ? mcu_reg_read(p->mcu, sel[i], &v) : MCU_NOT_POWERED;
			if (r != MCU_OK)
				st = mcu_status_code(r), v = 0;
			put32(p->reply + 4 + 4 * i, v);
		}
		p->reply[0] = st;
		reply(p, 88);
		return;
	}
	case 0x35: /* APIV2_WRITEDEBUGREG */
	case 0x0f: /* APIV1_WRITEDEBUGREG */
		r = p->connected ? mcu_write32(p->mcu, get32(c + 2), get32(c + 6)) : MCU_NOT_POWERED;
		status(p, mcu_status_code(r));
		return;
	case 0x36: /* APIV2_READDEBUGREG */
		r = !p->connected ? MCU_NOT_POWERED
		    : p->unreliable_fired ? MCU_FAULT : mcu_read32(p->mcu, get32(c + 2), &v);
		status_val(p, mcu_status_code(r), v, 8);
		return;
	case 0x01: /* GETSTATUS (API v1): 0x80 running, 0x81 halted */
		memset(p->reply, 0, 2);
		p->reply[0] = p->connected && mcu_halted(p->mcu) ? 0x81 : 0x80;
		reply(p, 2);
		return;
	case 0x02: /* FORCEDEBUG */
		if (p->connected)
			mcu_halt(p->mcu);
		status(p, p->connected ? STL_OK : STL_SWD_DP_ERROR);
		return;
	case 0x09: /* RUNCORE */
		if (p->connected)
			mcu_resume(p->mcu);
		status(p, p->connected ? STL_OK : STL_SWD_DP_ERROR);
		return;
	case 0x0a: /* STEPCORE */
		if (p->connected)
			mcu_step(p->mcu);
		status(p, p->connected ? STL_OK : STL_SWD_DP_ERROR);
		return;
	case 0x3b: /* GETLASTRWSTATUS */
		status(p, p->rw_status);
		p->rw_status = STL_OK;
		return;
	case 0x3e: /* GETLASTRWSTATUS2: status, then the faulting address */
		status_val(p, p->rw_status, p->rw_fault_addr, 12);
		p->rw_status = STL_OK;
		return;
	case 0x43: /* SWD_SET_FREQ (divisor) */
		p->swd_khz = swd_div_khz(get16(c + 2));
		event(p, "swd clock %u kHz", p->swd_khz);
		status(p, STL_OK);
		return;
	case 0x44: /* JTAG_SET_FREQ */
		status(p, STL_OK);
		return;
	case 0x61: /* APIV3_SET_COM_FREQ: kHz at [4] */
		p->swd_khz = get32(c + 4);
		event(p, "swd clock %u kHz", p->swd_khz);
		memset(p->reply, 0, 8);
		p->reply[0] = STL_OK;
		put32(p->reply + 4, p->swd_khz);
		reply(p, 8);
		return;
	case 0x62: /* APIV3_GET_COM_FREQ */
		freq_v3(p);
		return;
	case 0x45: { /* READ_DAP_REG: port (0xffff = DP), register */
		uint16_t port = get16(c + 2), reg = get16(c + 4);
		v = port == 0xffff && (reg & 0xf) == 0 ? p->cfg.dpidr : 0;
		status_val(p, p->connected ? STL_OK : STL_SWD_DP_ERROR, v, 8);
		return;
	}
	case 0x46: /* WRITE_DAP_REG */
	case 0x4b: /* INIT_AP */
	case 0x4c: /* CLOSE_AP_DBG */
	case 0x41: /* STOP_TRACE_RX */
		status(p, p->connected || c[1] == 0x41 ? STL_OK : STL_SWD_DP_ERROR);
		return;
	case 0x40: /* START_TRACE_RX */
		status(p, STL_OK);
		return;
	case 0x42: /* GET_TRACE_NB: nothing captured */
		memset(p->reply, 0, 2);
		reply(p, 2);
		return;
	case 0x07: /* READMEM_32BIT */
		mem_read(p, c, 4, true);
		return;
	case 0x54: /* READMEM_32BIT_NO_ADDR_INC */
		mem_read(p, c, 4, false);
		return;
	case 0x47: /* READMEM_16BIT */
		mem_read(p, c, 2, true);
		return;
	case 0x0c: /* READMEM_8BIT */
		mem_read(p, c, 1, true);
		return;
	default:
		event(p, "unknown debug command 0x%02x", c[1]);
		status(p, STL_FAULT);
		return;
	}
}

static bool is_write(const uint8_t *c)
{
	return c[0] == 0xf2 && (c[1] == 0x08 || c[1] == 0x0d || c[1] == 0x48 || c[1] == 0x50);
}

static void command(struct vstlink *p, const uint8_t *c)
{
	p->commands++;
	p->reply_ready = false;
	/* Time passes between commands: the core runs (a flash loader
	 * works while OpenOCD polls its progress). */
	if (p->connected && !p->nrst_low)
		mcu_run(p->mcu, p->cfg.slice);

	switch (c[0]) {
	case 0xf1: { /* GET_VERSION: big-endian V:4 X:6 Y:6, then VID, PID */
		unsigned x = p->cfg.hw == 3 ? 0 : p->cfg.jtag;
		unsigned y = p->cfg.hw == 3 ? 0 : p->cfg.msd ? p->cfg.msd : p->cfg.swim;
		uint16_t ver = (uint16_t)(p->cfg.hw << 12 | (x & 0x3f) << 6 | (y & 0x3f));
		p->reply[0] = (uint8_t)(ver >> 8);
		p->reply[1] = (uint8_t)ver;
		put16(p->reply + 2, p->cfg.vid);
		put16(p->reply + 4, p->cfg.pid);
		reply(p, 6);
		return;
	}
	case 0xfb: /* APIV3_GET_VERSION_EX */
		memset(p->reply, 0, 12);
		p->reply[0] = (uint8_t)p->cfg.hw;
		p->reply[1] = (uint8_t)p->cfg.swim;
		p->reply[2] = (uint8_t)p->cfg.jtag;
		p->reply[3] = (uint8_t)p->cfg.msd;
		p->reply[4] = (uint8_t)p->cfg.bridge;
		put16(p->reply + 8, p->cfg.vid);
		put16(p->reply + 10, p->cfg.pid);
		reply(p, 12);
		return;
	case 0xf5: /* GET_CURRENT_MODE */
		p->reply[0] = (uint8_t)p->mode;
		p->reply[1] = 0;
		reply(p, 2);
		return;
	case 0xf3: /* DFU command; 0x07 DFU_EXIT: no reply */
		if (c[1] == 0x07)
			p->mode = STL_MODE_MASS;
		return;
	case 0xf7: { /* GET_TARGET_VOLTAGE: two ADC readings, V = 2 * b * 1.2 / a */
		uint32_t a = 1489;
		uint32_t b = (uint32_t)(p->cfg.voltage * a / 2.4 + 0.5);
		put32(p->reply, a);
		put32(p->reply + 4, b);
		event(p, "target voltage %.2f V", p->cfg.voltage);
		reply(p, 8);
		return;
	}
	case 0xf2:
		debug_cmd(p, c);
		return;
	default:
		event(p, "unknown command 0x%02x", c[0]);
		return;
	}
}

int vstlink_out(struct vstlink *p, const uint8_t *buf, unsigned len)
{
	if (p->want) {
		/* the data phase of a memory write (may come in pieces) */
		unsigned n = len < p->want - p->got ? len : p->want - p->got;
		memcpy(p->data + p->got, buf, n);
		p->got += n;
		if (p->got == p->want) {
			unsigned total = p->want;
			p->want = 0;
			mem_write(p, p->pending, p->data, total);
		}
		return n == len ? 0 : -1;
	}
	if (len < 2)
		return -1;
	uint8_t c[STL_CMD_SIZE] = { 0 };
	memcpy(c, buf, len < STL_CMD_SIZE ? len : STL_CMD_SIZE);
	if (is_write(c)) {
		unsigned n = get16(c + 6);
		if (n > STL_DATA_SIZE)
			return -1;
		p->commands++;
		if (p->connected && !p->nrst_low)
			mcu_run(p->mcu, p->cfg.slice);
		memcpy(p->pending, c, sizeof c);
		p->got = 0;
		p->want = n;
		p->reply_ready = false;
		if (n == 0)
			mem_write(p, c, p->data, 0);
		return 0;
	}
	command(p, c);
	return 0;
}

int vstlink_in(struct vstlink *p, uint8_t *buf, unsigned len)
{
	if (!p->reply_ready)
		return -1;
	unsigned n = len < p->reply_len ? len : p->reply_len;
	memcpy(buf, p->reply, n);
	p->reply_ready = false;
	return (int)n;
}
