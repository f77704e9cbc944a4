#include "vuart_board.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "verdict.h"

static const char *mode_name[] = { "reset", "bootloader", "app" };

static void board_log(struct board *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void board_log(struct board *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b->last, sizeof b->last, fmt, ap);
	va_end(ap);
	if (b->log) {
		fprintf(b->log, "vuart: %s\n", b->last);
		fflush(b->log);
	}
}

/* Pin levels from the host's lines. An "inverted" adapter (the usual TTL
 * cable: RTS#/DTR# are active low) drives a pin high while the line is
 * deasserted; a "direct" one drives it high while asserted. */
static bool pin(const struct board *b, bool asserted)
{
	return b->wiring == WIRE_INVERTED ? !asserted : asserted;
}

static bool nrst(const struct board *b)
{
	return b->wiring == WIRE_NONE ? true : pin(b, b->dtr);
}

static bool boot0(const struct board *b)
{
	return b->wiring == WIRE_NONE ? b->boot0_jumper : pin(b, b->rts);
}

static void tx(struct board *b, const void *data, size_t len)
{
	if (len > sizeof b->tx - b->tx_len)
		len = sizeof b->tx - b->tx_len;
	memcpy(b->tx + b->tx_len, data, len);
	b->tx_len += len;
}

static void console_tx(void *ctx, uint8_t byte)
{
	tx(ctx, &byte, 1);
}

static void start_app(struct board *b, uint32_t entry, const char *how)
{
	uint8_t vt[8];
	b->mode = MODE_APP;
	b->app_starts++;
	b->app_entry = entry;
	if (vflash_read(b->proto.flash, entry, vt, sizeof vt) == VF_OK) {
		uint32_t sp = vt[0] | vt[1] << 8 | vt[2] << 16 | (uint32_t)vt[3] << 24;
		uint32_t pc = vt[4] | vt[5] << 8 | vt[6] << 16 | (uint32_t)vt[7] << 24;
		if (sp == 0xFFFFFFFFu)
			board_log(b, "%s: application at 0x%08x, but the flash is empty there "
			      "(the core would lock up)", how, entry);
		else
			board_log(b, "%s: application running from 0x%08x (SP=0x%08x, reset=0x%08x)",
			      how, entry, sp, pc);
	} else {
		board_log(b, "%s: application at 0x%08x (vector table unreadable)", how, entry);
	}
	if (b->app_banner && *b->app_banner)
		tx(b, b->app_banner, strlen(b->app_banner));
	/* The chip runs the image (not at power-on: that is what was there
	 * before the tool came); its console USART is this port. */
	if (b->run && b->run->set && strcmp(how, "power on") != 0) {
		vboard_run_at(b->run, b->proto.flash, entry, how, console_tx, b);
		board_log(b, "%s: %s", how, b->run->last.verdict);
	}
}

/* The chip leaves reset: BOOT0 picks system memory or flash. */
static void boot(struct board *b, const char *why)
{
	b->resets++;
	b->sync_baud = 0;
	if (boot0(b)) {
		b->mode = MODE_BOOTLOADER;
		b->bootloader_entries++;
		vp_reset(&b->proto);
		board_log(b, "%s with BOOT0 high: ROM bootloader%s", why,
		      b->no_answer ? " (it picked another interface: USART stays silent)"
				   : ", waiting for 0x7F");
	} else {
		start_app(b, b->proto.flash->base, why);
		/* logged by start_app; say why it is not the bootloader */
		if (b->log) {
			fprintf(b->log, "vuart: (BOOT0 was low at reset: the bootloader is not entered)\n");
			fflush(b->log);
		}
	}
	board_write_state(b);
}

void board_power_on(struct board *b)
{
	b->rts = b->dtr = false; /* port closed */
	b->host = (struct framing){ 115200, 8, 'N', 1 };
	if (nrst(b)) {
		boot(b, "power on");
	} else {
		b->mode = MODE_RESET;
		board_log(b, "power on: NRST held low by DTR");
		board_write_state(b);
	}
}

void board_set_lines(struct board *b, bool rts, bool dtr)
{
	bool was = nrst(b), boot_was = boot0(b);
	b->rts = rts;
	b->dtr = dtr;
	if (b->log && b->wiring != WIRE_NONE) {
		fprintf(b->log, "vuart: RTS %s, DTR %s -> BOOT0 %s, NRST %s\n",
			rts ? "on" : "off", dtr ? "on" : "off", boot0(b) ? "high" : "low",
			nrst(b) ? "high" : "low");
		fflush(b->log);
	}
	if (was && !nrst(b)) {
		b->mode = MODE_RESET;
		board_log(b, "NRST low: chip held in reset");
		board_write_state(b);
	} else if (!was && nrst(b)) {
		boot(b, "NRST released");
	} else if (boot_was != boot0(b)) {
		board_write_state(b);
	}
}

void board_set_framing(struct board *b, const struct framing *f)
{
	b->host = *f;
}

static bool even_parity_ok(uint8_t byte, char host_parity)
{
	/* The USART expects 8E1. A host sending 8N1 puts its stop bit (1) where
	 * the parity bit goes: right only when the byte has an odd number of
	 * ones. Odd parity is wrong for every byte. */
	int ones = __builtin_popcount(byte);
	if (host_parity == 'E')
		return true;
	if (host_parity == 'O')
		return false;
	return ones % 2 == 1;
}

void board_rx(struct board *b, uint8_t byte)
{
	if (b->mode != MODE_BOOTLOADER || b->no_answer)
		return; /* in reset, or an application that ignores 0x7F */

	const struct framing *h = &b->host;
	bool corrupt = h->bits != 8 || !even_parity_ok(byte, h->parity) || h->baud == 0 ||
		       h->baud > b->max_baud || (b->sync_baud && h->baud != b->sync_baud);
	struct vuart_proto *p = &b->proto;
	bool was_synced = p->synced;

	vp_feed(p, byte, corrupt);
	if (!was_synced && p->synced) {
		b->sync_baud = h->baud;
		board_log(b, "0x7F received: autobaud locked at %u baud, ACK", h->baud);
	}
	if (corrupt && was_synced)
		board_log(b, "byte 0x%02x received with framing %u %d%c%d: parity/framing error "
		      "(the bootloader wants 8E1 at the baud of the 0x7F)", byte, h->baud, h->bits,
		      h->parity, h->stop);
	if (p->note[0]) {
		board_log(b, "%s", p->note);
		p->note[0] = 0;
	}
	if (p->out_len) {
		tx(b, p->out, p->out_len);
		p->out_len = 0;
	}
	enum vp_event ev = p->event;
	p->event = VP_EV_NONE;
	if (ev == VP_EV_GO_FLASH) {
		start_app(b, p->event_addr, "GO");
		board_write_state(b);
	} else if (ev == VP_EV_SYSRESET) {
		boot(b, "system reset");
	}
}

void board_write_state(struct board *b)
{
	if (!b->state_path)
		return;
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", b->state_path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "mode=%s\nresets=%u\nbootloader_entries=%u\napp_starts=%u\napp_entry=0x%08x\n"
		"boot0=%s\nnrst=%s\nwrite_protected=%d\nread_protected=%d\nlast=%s\n",
		mode_name[b->mode], b->resets, b->bootloader_entries, b->app_starts, b->app_entry,
		boot0(b) ? "high" : "low", nrst(b) ? "high" : "low",
		b->proto.flash->write_protected, b->proto.flash->read_protected, b->last);
	fclose(f);
	rename(tmp, b->state_path);
}

void board_console_tick(struct board *b)
{
	if (b->mode == MODE_APP && b->app_banner && *b->app_banner)
		tx(b, b->app_banner, strlen(b->app_banner));
}
