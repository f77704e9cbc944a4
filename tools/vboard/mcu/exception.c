/* Exception entry and return in software. Unicorn 2.0.1 in M-class mode has
 * no NVIC and, with an interrupt hook installed, consumes every exception
 * (SVC, exception return, faults) without stacking anything. The core does
 * the ARMv7-M steps itself: push the basic 8-word frame on the active stack,
 * LR = EXC_RETURN, IPSR = the exception, PC from the vector table at VTOR;
 * and on a branch to EXC_RETURN (which Unicorn reports as exception 8 in
 * Handler mode) pop the frame again.
 *
 * Priorities as the SHPR and NVIC IPR registers set them (4 bits on the
 * M4/M7, 2 on the M0+; PRIGROUP sub-priorities are not split out): a pending
 * exception preempts when its priority is higher (numerically lower) than
 * the running one, BASEPRI, PRIMASK and FAULTMASK mask as on silicon, and
 * handlers nest (EXC_RETURN 0xFFFFFFF1). No floating-point frame: CONTROL.FPCA
 * is cleared on entry, EXC_RETURN always says a basic frame. */
#include "mcu_int.h"

#include <string.h>

#define XPSR_ALIGN (1u << 9)

static uint32_t rd(struct mcu *m, int reg)
{
	uint32_t v = 0;
	uc_reg_read(m->uc, reg, &v);
	return v;
}

static void wr(struct mcu *m, int reg, uint32_t v)
{
	uc_reg_write(m->uc, reg, &v);
}

void mcu_pend_exception(struct mcu *m, unsigned exc)
{
	if (exc < 2 || exc >= 32 * MCU_PEND_WORDS)
		return;
	m->pend[exc / 32] |= 1u << (exc % 32);
}

uint8_t mcu_prio_mask(const struct mcu *m)
{
	return ((m->chip.cpuid >> 4) & 0xFFF) == 0xC60 ? 0xC0 : 0xF0;
}

/* Priority of an exception: NMI and HardFault fixed above all others. */
static int prio_of(const struct mcu *m, unsigned exc)
{
	if (exc == 2)
		return -2;
	if (exc == 3)
		return -1;
	return m->prio[exc];
}

/* The priority the core runs at: the innermost active exception's, boosted
 * by BASEPRI, PRIMASK and FAULTMASK; 256 in Thread mode with nothing set. */
static int running_prio(struct mcu *m)
{
	int p = 256;
	uint32_t ipsr = rd(m, UC_ARM_REG_IPSR) & 0x1FF;
	if (ipsr && !m->nactive) /* Handler mode not entered here (a debugger set IPSR) */
		p = prio_of(m, ipsr);
	for (unsigned i = 0; i < m->nactive; i++)
		if (prio_of(m, m->active[i]) < p)
			p = prio_of(m, m->active[i]);
	uint32_t basepri = rd(m, UC_ARM_REG_BASEPRI) & mcu_prio_mask(m);
	if (basepri && (int)basepri < p)
		p = (int)basepri;
	if (rd(m, UC_ARM_REG_PRIMASK) & 1)
		p = p < 0 ? p : 0;
	if (rd(m, UC_ARM_REG_FAULTMASK) & 1)
		p = -1;
	return p;
}

/* The pending exception to take now, or 0. */
unsigned mcu_exception_ready(struct mcu *m)
{
	if (m->dhcsr_ctrl & 0x8) /* C_MASKINTS: a debugger steps without them */
		return 0;
	unsigned best = 0;
	int best_prio = 0;
	/* system exceptions always, IRQs (16 and up) when enabled in the NVIC */
	for (unsigned w = 0; w < MCU_PEND_WORDS; w++) {
		uint32_t ready = m->pend[w] & (w ? m->nvic_enabled[w] : (m->nvic_enabled[0] | 0xFFFFu));
		while (ready) {
			unsigned exc = w * 32 + (unsigned)__builtin_ctz(ready);
			ready &= ready - 1;
			int p = prio_of(m, exc);
			if (!best || p < best_prio) {
				best = exc;
				best_prio = p;
			}
		}
	}
	if (!best || m->nactive >= sizeof m->active / sizeof m->active[0])
		return 0;
	/* A pending exception of the running one's own number waits for it. */
	for (unsigned i = 0; i < m->nactive; i++)
		if (m->active[i] == best)
			return 0;
	return best_prio < running_prio(m) ? best : 0;
}

static bool read_word(struct mcu *m, uint32_t addr, uint32_t *v)
{
	uint8_t b[4];
	if (uc_mem_read(m->uc, addr, b, 4) != UC_ERR_OK)
		return false;
	*v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return true;
}

/* Enter exception exc; the return address is the current PC. */
bool mcu_exception_enter(struct mcu *m, unsigned exc)
{
	m->pend[exc / 32] &= ~(1u << (exc % 32));
	uint32_t control = rd(m, UC_ARM_REG_CONTROL);
	bool handler = rd(m, UC_ARM_REG_IPSR) & 0x1FF;
	bool psp = !handler && (control & 2);
	uint32_t sp = psp ? rd(m, UC_ARM_REG_PSP) : rd(m, UC_ARM_REG_MSP);
	uint32_t xpsr = rd(m, UC_ARM_REG_XPSR) | 1u << 24;
	uint32_t ret = rd(m, UC_ARM_REG_PC) & ~1u;
	if (sp & 4) {
		sp -= 4;
		xpsr |= XPSR_ALIGN;
	} else {
		xpsr &= ~XPSR_ALIGN;
	}
	sp -= 32;
	uint32_t frame[8] = { rd(m, UC_ARM_REG_R0), rd(m, UC_ARM_REG_R1), rd(m, UC_ARM_REG_R2),
			      rd(m, UC_ARM_REG_R3), rd(m, UC_ARM_REG_R12), rd(m, UC_ARM_REG_LR), ret, xpsr };
	uint32_t vector;
	if (uc_mem_write(m->uc, sp, frame, sizeof frame) != UC_ERR_OK) {
		mcu_fault(m, ret, "stacking exception %u to 0x%08x failed (stack pointer outside RAM)", exc, sp);
		return false;
	}
	if (!read_word(m, m->vtor + 4 * exc, &vector) || vector == 0xFFFFFFFFu || !(vector & 1)) {
		mcu_fault(m, ret, "exception %u: no handler in the vector table at 0x%08x", exc, m->vtor);
		return false;
	}
	/* Thread mode still: SPSEL can change here, banking the SPs properly. */
	if (psp) {
		wr(m, UC_ARM_REG_PSP, sp);
		wr(m, UC_ARM_REG_CONTROL, control & ~(2u | 4u));
	} else {
		wr(m, UC_ARM_REG_MSP, sp);
		wr(m, UC_ARM_REG_CONTROL, control & ~4u);
	}
	wr(m, UC_ARM_REG_XPSR, (xpsr & 0xF8000000u) | 1u << 24 | exc);
	wr(m, UC_ARM_REG_LR, handler ? 0xFFFFFFF1u : psp ? 0xFFFFFFFDu : 0xFFFFFFF9u);
	wr(m, UC_ARM_REG_PC, vector | 1);
	m->active[m->nactive++] = (uint16_t)exc;
	m->st.exceptions++;
	return true;
}

/* A branch to EXC_RETURN in Handler mode: pop the frame, back to where the
 * exception came from (Thread mode, or the handler it preempted). */
bool mcu_exception_return(struct mcu *m, uint32_t exc_return)
{
	uint32_t ipsr = rd(m, UC_ARM_REG_IPSR) & 0x1FF;
	bool to_thread = exc_return & 8;
	if ((exc_return & 0xFFFFFFF0u) != 0xFFFFFFF0u || (exc_return & 0xF) == 0x5 ||
	    (!to_thread && (exc_return & 4))) {
		mcu_fault(m, exc_return & ~1u, "exception return 0x%08x from exception %u not supported",
			  exc_return, ipsr);
		return false;
	}
	bool psp = exc_return & 4;
	uint32_t sp = psp ? rd(m, UC_ARM_REG_PSP) : rd(m, UC_ARM_REG_MSP);
	uint32_t frame[8];
	if (uc_mem_read(m->uc, sp, frame, sizeof frame) != UC_ERR_OK) {
		mcu_fault(m, exc_return & ~1u, "unstacking from 0x%08x failed", sp);
		return false;
	}
	sp += 32;
	if (frame[7] & XPSR_ALIGN)
		sp += 4;
	if (m->nactive)
		m->nactive--;
	/* The stacked IPSR (0 for Thread mode) first, then SPSEL, then the
	 * stack pointer itself. */
	wr(m, UC_ARM_REG_XPSR, (frame[7] & ~XPSR_ALIGN & (to_thread ? ~0x1FFu : ~0u)) | 1u << 24);
	if (psp) {
		wr(m, UC_ARM_REG_CONTROL, rd(m, UC_ARM_REG_CONTROL) | 2);
		wr(m, UC_ARM_REG_PSP, sp);
	} else {
		wr(m, UC_ARM_REG_MSP, sp);
	}
	static const int regs[] = { UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2,
				    UC_ARM_REG_R3, UC_ARM_REG_R12, UC_ARM_REG_LR };
	for (unsigned i = 0; i < 6; i++)
		wr(m, regs[i], frame[i]);
	wr(m, UC_ARM_REG_PC, frame[6] | 1);
	return true;
}
