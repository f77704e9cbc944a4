/* Exception entry and return in software. Unicorn 2.0.1 in M-class mode has
 * no NVIC and, with an interrupt hook installed, consumes every exception
 * (SVC, exception return, faults) without stacking anything. The core does
 * the ARMv7-M steps itself: push the basic 8-word frame on the active stack,
 * LR = EXC_RETURN, IPSR = the exception, PC from the vector table at VTOR;
 * and on a branch to EXC_RETURN (which Unicorn reports as exception 8 in
 * Handler mode) pop the frame again.
 *
 * Simplifications: no nesting and no priorities (an exception is taken only
 * from Thread mode with PRIMASK and FAULTMASK clear), no floating-point
 * frame (CONTROL.FPCA is cleared on entry). */
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

/* The pending exception to take now, or 0. */
unsigned mcu_exception_ready(struct mcu *m)
{
	unsigned exc = 0;
	/* system exceptions always, IRQs (16 and up) when enabled in the NVIC */
	for (unsigned w = 0; w < MCU_PEND_WORDS && !exc; w++) {
		uint32_t ready = m->pend[w] & (w ? m->nvic_enabled[w] : (m->nvic_enabled[0] | 0xFFFFu));
		if (ready)
			exc = w * 32 + (unsigned)__builtin_ctz(ready);
	}
	if (!exc)
		return 0;
	if ((rd(m, UC_ARM_REG_IPSR) & 0x1FF) || (rd(m, UC_ARM_REG_PRIMASK) & 1) ||
	    (rd(m, UC_ARM_REG_FAULTMASK) & 1) || (m->dhcsr_ctrl & 0x8) /* C_MASKINTS */)
		return 0;
	return exc;
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
	bool psp = control & 2;
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
	wr(m, UC_ARM_REG_LR, psp ? 0xFFFFFFFDu : 0xFFFFFFF9u);
	wr(m, UC_ARM_REG_PC, vector | 1);
	m->st.exceptions++;
	return true;
}

/* A branch to EXC_RETURN in Handler mode: pop the frame, back to Thread. */
bool mcu_exception_return(struct mcu *m, uint32_t exc_return)
{
	uint32_t ipsr = rd(m, UC_ARM_REG_IPSR) & 0x1FF;
	if ((exc_return & 0xFFFFFFF0u) != 0xFFFFFFF0u || !(exc_return & 8)) {
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
	/* Thread mode first, then SPSEL, then the stack pointer itself. */
	wr(m, UC_ARM_REG_XPSR, (frame[7] & ~(XPSR_ALIGN | 0x1FFu)) | 1u << 24);
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
