/* SysTick (ARMv7-M/ARMv6-M SCS 0xE000E010): CSR, RVR, CVR, CALIB. The counter
 * is computed from the core's cycle count when it is read (no per-cycle
 * work), counting the core clock (CLKSOURCE=1) or the STM32's HCLK/8 reference
 * (CLKSOURCE=0). COUNTFLAG is set when the counter goes from 1 to 0 and is
 * cleared by reading CSR or writing CVR, so firmware can poll it for time.
 * With TICKINT the exception is pended on the core (exception 15) each time
 * the counter reaches 0; the core takes it at its next slice boundary
 * (tools/vboard/mcu/mcu.h), so HAL_GetTick-style firmware sees time pass.
 * Without a way to pend (pend NULL) that is logged once. */
#include "periph.h"

#include <string.h>

enum { CSR_ENABLE = 1, CSR_TICKINT = 2, CSR_CLKSOURCE = 4, CSR_COUNTFLAG = 1u << 16 };

void systick_init(struct periph_systick *s, struct vclock clock, uint32_t hz, FILE *log)
{
	memset(s, 0, sizeof *s);
	s->clock = clock;
	s->log = log;
	/* CALIB.TENMS: reference-clock ticks in 10 ms (HCLK/8 on STM32). */
	s->calib = hz ? (hz / 8 / 100 - 1) & 0xFFFFFF : 0;
}

static uint64_t now(const struct periph_systick *s)
{
	return s->clock.cycles ? s->clock.cycles(s->clock.ctx) : 0;
}

/* e counter clocks pass. */
static void advance(struct periph_systick *s, uint64_t e)
{
	uint64_t v = s->cvr, period = (uint64_t)s->rvr + 1;
	if (e < v) {
		s->cvr = (uint32_t)(v - e);
		return;
	}
	if (v > 0)
		s->countflag = s->fired = true; /* 1 -> 0 after v clocks */
	uint64_t r = e - v;    /* clocks since it reached 0; the next one reloads */
	if (r == 0 || s->rvr == 0) {
		s->cvr = 0;
		return;
	}
	if (r >= period)
		s->countflag = s->fired = true;
	uint64_t m = r % period;
	s->cvr = m == 0 ? 0 : (uint32_t)(period - m);
}

static void sync(struct periph_systick *s)
{
	uint64_t t = now(s);
	if (!(s->csr & CSR_ENABLE) || t < s->t0) {
		s->t0 = t;
		return;
	}
	uint64_t div = (s->csr & CSR_CLKSOURCE) ? 1 : 8;
	uint64_t e = (t - s->t0) / div;
	s->t0 += e * div;
	if (e)
		advance(s, e);
	if (s->fired && (s->csr & CSR_TICKINT) && s->pend) {
		s->pend(s->pend_ctx);
		s->pended++;
	}
	s->fired = false;
}

void systick_tick(void *ctx, uint64_t cycles)
{
	(void)cycles; /* the clock says where the core is */
	sync(ctx);
}

uint32_t systick_read(void *ctx, uint32_t off, unsigned width)
{
	struct periph_systick *s = ctx;
	uint32_t v = 0;
	sync(s);
	switch (off & ~3u) {
	case 0x0:
		v = s->csr | (s->countflag ? CSR_COUNTFLAG : 0);
		s->countflag = false;
		break;
	case 0x4: v = s->rvr; break;
	case 0x8: v = s->cvr; break;
	case 0xC: v = s->calib; break;
	}
	return periph_narrow_read(v, off, width);
}

void systick_write(void *ctx, uint32_t off, uint32_t val, unsigned width)
{
	struct periph_systick *s = ctx;
	sync(s);
	switch (off & ~3u) {
	case 0x0: {
		uint32_t v = periph_narrow_merge(s->csr, off, val, width) & 7;
		if ((v & CSR_TICKINT) && !s->pend && !s->warned_tickint && s->log) {
			fprintf(s->log, "mcu: SysTick TICKINT set, but nothing takes the exception here\n");
			s->warned_tickint = true;
		}
		s->csr = v;
		s->t0 = now(s);
		break;
	}
	case 0x4: s->rvr = periph_narrow_merge(s->rvr, off, val, width) & 0xFFFFFF; break;
	case 0x8: s->cvr = 0; s->countflag = false; break; /* any write clears */
	}
}
