/* Run an image on the shared core with the board's peripherals, and judge it.
 * The core only advances inside mcu_run(); time is its cycle count at the
 * board's reset clock, so a run is deterministic and as long in virtual time
 * as asked, however long it takes on the host. */
#include "verdict.h"

#include <stdlib.h>
#include <string.h>

#include "periph.h"

/* The boards attached to cores (one per core; a front end has one or two). */
struct board {
	struct mcu *m;
	struct vboard_spec spec;
	struct periph_set *p;
	FILE *console;             /* during vboard_run_*: the caller's */
	FILE *console_file;        /* spec.console */
	void (*out)(void *ctx, uint8_t byte);
	void *out_ctx;
	uint32_t boot_at;
	bool booted;
	FILE *log;                 /* pin changes, boot notes: spec.log or the core's log */
	bool own_log;
};
#define MAX_BOARDS 8
static struct board *boards[MAX_BOARDS];

static struct board *find(const struct mcu *m)
{
	for (int i = 0; i < MAX_BOARDS; i++)
		if (boards[i] && boards[i]->m == m)
			return boards[i];
	return NULL;
}

static void console_byte(void *ctx, uint8_t byte)
{
	struct board *b = ctx;
	if (b->out)
		b->out(b->out_ctx, byte);
	if (b->console)
		fputc(byte, b->console);
	if (b->console_file)
		fputc(byte, b->console_file);
}

static int attach(struct mcu *m, const struct vboard_spec *s, FILE *log, bool own_log, char *msg,
		  size_t msglen)
{
	int slot = -1;
	for (int i = 0; i < MAX_BOARDS && slot < 0; i++)
		if (!boards[i])
			slot = i;
	struct board *b = slot >= 0 ? calloc(1, sizeof *b) : NULL;
	if (!b) {
		snprintf(msg, msglen, "too many virtual boards in one process");
		return -1;
	}
	b->m = m;
	b->spec = *s;
	b->log = log;
	b->own_log = own_log;
	struct periph_config pc = {
		.family = s->fam, .hz = s->hz, .usart = s->usart, .tx_port = s->tx_port,
		.tx_pin = s->tx_pin, .tx_af = s->tx_af, .console = console_byte, .console_ctx = b,
		.log = log,
	};
	b->p = periph_attach(m, &pc, msg, msglen);
	if (!b->p) {
		if (own_log && log)
			fclose(log);
		free(b);
		return -1;
	}
	if (s->console[0])
		b->console_file = fopen(s->console, "a");
	boards[slot] = b;
	return 0;
}

int vboard_attach(struct mcu *m, const struct vboard_spec *s, char *msg, size_t msglen)
{
	/* spec.log: the run's own event log; else the core's. */
	FILE *log = s->log[0] ? fopen(s->log, "a") : NULL;
	if (log)
		setvbuf(log, NULL, _IOLBF, 0);
	return attach(m, s, log ? log : mcu_log(m), log != NULL, msg, msglen);
}

void vboard_detach(struct mcu *m)
{
	for (int i = 0; i < MAX_BOARDS; i++)
		if (boards[i] && boards[i]->m == m) {
			if (boards[i]->console_file)
				fclose(boards[i]->console_file);
			if (boards[i]->own_log && boards[i]->log)
				fclose(boards[i]->log);
			periph_free(boards[i]->p);
			free(boards[i]);
			boards[i] = NULL;
		}
}

static bool mcu_reader(void *ctx, uint32_t addr, uint8_t *buf, uint32_t len)
{
	return mcu_mem_read(ctx, addr, buf, len, 1) == MCU_OK;
}

/* Slices short enough for SysTick: the core brings its cycle count up to
 * date between mcu_run() calls, and a firmware polling COUNTFLAG must see
 * every period, so a slice is at most half a period (and 2048 cycles: the
 * time stamps of pin changes are that exact). */
static uint64_t slice(const struct board *b)
{
	const struct periph_systick *t = &b->p->systick;
	uint64_t s = 2048;
	if (t->csr & 1) {
		uint64_t period = ((uint64_t)t->rvr + 1) * ((t->csr & 4) ? 1 : 8);
		if (period / 2 < s)
			s = period / 2 ? period / 2 : 1;
	}
	return s;
}

/* Run for ms of virtual time, or until the core faults or halts. */
static void run_for(struct board *b, unsigned ms)
{
	struct mcu *m = b->m;
	uint64_t target = (uint64_t)b->spec.hz * ms / 1000, c0 = mcu_cycles(m), ran = 0;
	for (;;) {
		uint64_t done = mcu_cycles(m) - c0;
		if (done >= target)
			break;
		uint64_t left = target - done, n = slice(b);
		n = mcu_run(m, left < n ? left : n);
		ran += n;
		struct mcu_status st;
		mcu_status(m, &st);
		/* n == 0: halted or faulted. A core whose cycle count does not move
		 * with its instructions still ends: by instructions. */
		if (n == 0 || st.faulted || mcu_halted(m) || ran >= target)
			break;
	}
}

static void judge(struct board *b, unsigned ms, struct vboard_result *r)
{
	struct mcu *m = b->m;
	const struct vboard_spec *s = &b->spec;
	struct mcu_status st;
	mcu_status(m, &st);
	struct vboard_facts f = { 0 };
	f.boot_at = b->boot_at;
	uint32_t sp = 0, pc = 0;
	f.erased = mcu_read32(m, b->boot_at, &sp) == MCU_OK && mcu_read32(m, b->boot_at + 4, &pc) == MCU_OK &&
		   sp == 0xFFFFFFFFu && pc == 0xFFFFFFFFu;
	f.faulted = st.faulted;
	f.fault_pc = st.fault_pc;
	f.fault_what = st.fault_what;
	f.halted = !st.faulted && mcu_halted(m);
	f.halt_pc = st.halt_pc;
	f.instructions = st.instructions;
	f.ms = ms;
	struct vboard_reader rd = { mcu_reader, m };
	f.linked_at = st.faulted ? vboard_linked_base(s, &rd, b->boot_at) : b->boot_at;
	const struct periph_gpio *g = &b->p->gpio;
	f.led_port = s->led_port;
	f.led_pin = s->led_pin;
	f.led_level = -1;
	f.other_port = f.other_pin = -1;
	if (s->led_port >= 0 && s->led_port < GPIO_PORTS) {
		f.led_level = g->pin[s->led_port][s->led_pin].level;
		f.led_toggles = g->pin[s->led_port][s->led_pin].toggles;
	}
	if (!f.led_toggles)
		for (int p = 0; p < GPIO_PORTS; p++)
			for (int i = 0; i < 16; i++)
				if (g->pin[p][i].toggles > f.other_toggles) {
					f.other_toggles = g->pin[p][i].toggles;
					f.other_port = p;
					f.other_pin = i;
				}
	f.console = b->p->usart.text;
	f.lost = b->p->usart.lost;
	f.lost_why = b->p->usart.lost_why;
	memset(r, 0, sizeof *r);
	vboard_verdict_text(&f, r);
	snprintf(r->console, sizeof r->console, "%s", b->p->usart.text);
	if (b->log)
		fprintf(b->log, "mcu: verdict: %s\n", r->verdict);
}

int vboard_run_result(struct mcu *m, unsigned ms, FILE *console, struct vboard_result *r)
{
	struct board *b = find(m);
	if (!b)
		return -1;
	if (!b->booted) {
		/* The stlink front end's core: OpenOCD reset and ran it already,
		 * with the peripherals counting. The verdict is about the chip
		 * after a reset, so it starts again from one, as "reset run" does
		 * (and a board whose bootloader region is erased gets the model's
		 * stand-in, see boot.c). */
		char note[256];
		periph_reset(b->p);
		if (b->log)
			fprintf(b->log, "mcu: reset for the verdict: boot from 0x%08x\n", b->spec.flash_base);
		b->boot_at = vboard_boot(m, &b->spec, b->spec.flash_base, note, sizeof note);
		if (note[0] && b->log)
			fprintf(b->log, "mcu: %s\n", note);
	}
	b->console = console;
	run_for(b, ms);
	b->console = NULL;
	if (b->console_file)
		fflush(b->console_file);
	judge(b, ms, r);
	b->booted = false; /* the next judge starts from a reset again */
	if (b->spec.result[0])
		vboard_result_save(b->spec.result, r);
	return (int)r->kind;
}

int vboard_run_and_judge(struct mcu *m, unsigned ms, FILE *console, char *verdict, size_t len)
{
	struct vboard_result r;
	int k = vboard_run_result(m, ms, console, &r);
	if (k >= 0)
		snprintf(verdict, len, "%s", r.verdict);
	else
		snprintf(verdict, len, "no board attached to this core (vboard_attach)");
	return k;
}

int vboard_boot_and_judge(const struct vboard_spec *s, struct vflash *f, uint32_t addr,
			  const char *why, void (*console_out)(void *ctx, uint8_t byte),
			  void *console_ctx, struct vboard_result *r)
{
	char msg[256];
	struct mcu_config cfg;
	memset(&cfg, 0, sizeof cfg);
	memset(r, 0, sizeof *r);
	r->kind = VB_ERROR;
	if (mcu_chip_init(&cfg.chip, s->family, s->dev_id, s->ram_base, s->ram_size,
			  s->flash_size / 1024) != 0) {
		snprintf(r->verdict, sizeof r->verdict, "not run: unknown family '%s'", s->family);
		goto out;
	}
	cfg.flash = f;
	cfg.powered = true;
	cfg.log = s->log[0] ? fopen(s->log, "a") : NULL;
	if (cfg.log)
		setvbuf(cfg.log, NULL, _IOLBF, 0);
	struct mcu *m = mcu_new(&cfg, msg, sizeof msg);
	if (!m) {
		snprintf(r->verdict, sizeof r->verdict, "not run: %s", msg);
		if (cfg.log)
			fclose(cfg.log);
		goto out;
	}
	if (attach(m, s, cfg.log, false, msg, sizeof msg) != 0) {
		snprintf(r->verdict, sizeof r->verdict, "not run: %s", msg);
	} else {
		struct board *b = find(m);
		b->out = console_out;
		b->out_ctx = console_ctx;
		char note[256];
		if (cfg.log)
			fprintf(cfg.log, "mcu: %s: boot from 0x%08x\n", why, addr);
		b->boot_at = vboard_boot(m, s, addr, note, sizeof note);
		b->booted = true;
		if (note[0] && cfg.log)
			fprintf(cfg.log, "mcu: %s\n", note);
		vboard_run_result(m, s->ms, NULL, r);
		vboard_detach(m);
	}
	mcu_free(m);
	if (cfg.log)
		fclose(cfg.log);
	return (int)r->kind;
out:
	if (s->result[0])
		vboard_result_save(s->result, r);
	return (int)r->kind;
}
