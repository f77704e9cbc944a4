/* The Cortex-M core: Unicorn in Thumb + M-class mode with the Cortex-M4 CPU
 * model, driven in bounded slices by mcu_run(). Unicorn has no NVIC and no
 * debug logic of its own; halting, stepping, breakpoints and reset are done
 * here around uc_emu_start(). */
#include "mcu_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define DFSR_HALTED 0x1u
#define DFSR_BKPT 0x2u
#define DFSR_VCATCH 0x8u

void mcu_logf(const struct mcu *m, const char *fmt, ...)
{
	if (!m->log)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("mcu: ", m->log);
	vfprintf(m->log, fmt, ap);
	fputc('\n', m->log);
	va_end(ap);
	fflush(m->log);
}

static uint32_t rd(const struct mcu *m, int reg)
{
	uint32_t v = 0;
	uc_reg_read(m->uc, reg, &v);
	return v;
}

static void wr(struct mcu *m, int reg, uint32_t v)
{
	uc_reg_write(m->uc, reg, &v);
}

static uint32_t pc_now(const struct mcu *m)
{
	return rd(m, UC_ARM_REG_PC) & ~1u;
}

void mcu_fault(struct mcu *m, uint32_t pc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->st.fault_what, sizeof m->st.fault_what, fmt, ap);
	va_end(ap);
	m->st.faulted = true;
	m->st.fault_pc = pc;
	m->in_algo = false;
	m->hfsr |= 1u << 30; /* FORCED: what a debugger reading HFSR sees */
	mcu_logf(m, "fault at 0x%08x: %s (core stopped)", pc, m->st.fault_what);
	if ((m->demcr & (1u << 10)) && (m->dhcsr_ctrl & 1)) {
		/* DEMCR.VC_HARDERR with a debugger attached: halt instead of
		 * locking up, as the HardFault vector catch does on silicon. */
		mcu_set_halted(m, DFSR_VCATCH);
		return;
	}
	m->locked_up = true;
}

void mcu_set_halted(struct mcu *m, uint32_t reason)
{
	if (!m->halted) {
		m->halted = true;
		m->st.halt_pc = pc_now(m);
	}
	m->dfsr |= reason;
	m->locked_up = false; /* entering debug state leaves lockup */
	if (m->in_algo && (reason & DFSR_BKPT)) {
		uint64_t wrote = m->st.flash_programmed - m->algo_bytes0;
		m->st.algo_runs++;
		m->st.algo_addr = m->algo_start;
		mcu_logf(m, "algorithm at 0x%08x ran, wrote %llu bytes", m->algo_start,
			 (unsigned long long)wrote);
	}
	m->in_algo = false;
}

static void apply_fixups(struct mcu *m)
{
	for (unsigned i = 0; i < m->nfix; i++)
		memcpy(m->flash->mem + m->fix[i].off, m->fix[i].bytes, m->fix[i].n);
	for (unsigned i = 0; i < m->nfix; i++)
		mcu_code_changed(m, m->flash->base + m->fix[i].off, m->fix[i].n);
	m->nfix = 0;
}

/* Unicorn calls this before each instruction: counts, and stops at the end
 * of the slice or at an FPB breakpoint (before the instruction executes: a
 * uc_emu_stop() here keeps the current instruction from running). */
static void hook_code(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct mcu *m = user;
	(void)size;
	if (m->nfix)
		apply_fixups(m);
	if (m->stop_pending || m->run_count >= m->run_limit) {
		if (!m->stop_pc_valid) {
			m->stop_pc = (uint32_t)addr;
			m->stop_pc_valid = true;
		}
		m->stop_pending = true;
		uc_emu_stop(uc);
		return;
	}
	if (m->fp_active && mcu_fpb_match(m, (uint32_t)addr)) {
		m->stop_pending = true;
		m->stop_pc = (uint32_t)addr;
		m->stop_pc_valid = true;
		mcu_set_halted(m, DFSR_BKPT);
		m->st.halt_pc = (uint32_t)addr;
		uc_emu_stop(uc);
		return;
	}
	m->run_count++;
}

/* Exceptions Unicorn cannot take itself (2.0.1 has no M-profile exception
 * entry when a UC_HOOK_INTR hook is installed: the exception is consumed). */
static void hook_intr(uc_engine *uc, uint32_t intno, void *user)
{
	struct mcu *m = user;
	uint32_t pc = pc_now(m);
	m->stop_pending = true;
	m->stop_pc = pc;
	m->stop_pc_valid = true;
	uc_emu_stop(uc);
	switch (intno) {
	case 7: /* EXCP_BKPT: PC is at the BKPT instruction, which does not retire */
		if (m->run_count)
			m->run_count--;
		mcu_set_halted(m, DFSR_BKPT);
		m->st.halt_pc = pc;
		break;
	case 2: /* EXCP_SWI: PC is after the SVC, the return address */
		m->svc_pending = true;
		break;
	case 1: /* EXCP_UDEF */
		mcu_fault(m, pc, "undefined instruction");
		break;
	case 3: /* EXCP_PREFETCH_ABORT: a jump to an erased or bad address */
		if (pc >= 0xFFFFFFF0u)
			mcu_fault(m, pc, "jump to 0x%08x (erased flash or an exception return with no exception)",
				  pc);
		else
			mcu_fault(m, pc, "instruction fetch from 0x%08x failed", pc);
		break;
	case 8: /* EXCP_EXCEPTION_EXIT: a branch to EXC_RETURN in Handler mode */
		m->exc_return_pending = pc | 1;
		break;
	default:
		mcu_fault(m, pc, "exception %u", intno);
		break;
	}
}

static bool hook_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
			  void *user)
{
	struct mcu *m = user;
	(void)size;
	(void)value;
	uint32_t pc = pc_now(m);
	const char *what = type == UC_MEM_FETCH_UNMAPPED ? "instruction fetch from"
			   : type == UC_MEM_WRITE_UNMAPPED ? "write to"
							    : "read of";
	m->stop_pending = true;
	mcu_fault(m, pc, "%s unmapped 0x%08x", what, (uint32_t)addr);
	uc_emu_stop(uc);
	return false;
}

/* The core stores into flash (mapped as RAM so code can run from it). The
 * hook runs before Unicorn writes the bytes: let the controller apply its
 * rules to the flash, and where the raw store would leave other bytes than
 * the controller allows, restore them after the slice stops. */
static void hook_flash_write(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
			     int64_t value, void *user)
{
	struct mcu *m = user;
	(void)type;
	uint32_t a = mcu_flash_addr(m, (uint32_t)addr);
	uint32_t off = a - m->flash->base;
	if (size > 8 || off + (uint32_t)size > m->flash->size)
		return;
	m->in_core_store = true;
	mcu_flash_store(m, a, (uint32_t)value, (unsigned)size);
	m->in_core_store = false;
	uint8_t raw[8];
	mcu_le_put(raw, (uint64_t)value, (unsigned)size);
	if (memcmp(raw, m->flash->mem + off, (size_t)size) == 0)
		return;
	/* Stopping here would abort and later replay the store (Unicorn
	 * restarts the instruction), so the bytes are put right before the
	 * next instruction instead (hook_code) or when the slice ends. */
	(void)uc;
	if (m->nfix < MCU_MAX_FIXUPS) {
		struct mcu_fixup *f = &m->fix[m->nfix++];
		f->off = off;
		f->n = (unsigned)size;
		memcpy(f->bytes, m->flash->mem + off, (size_t)size);
	}
}


struct mcu *mcu_new(const struct mcu_config *cfg, char *msg, size_t msglen)
{
	if (!cfg->flash || !cfg->flash->mem) {
		snprintf(msg, msglen, "mcu: no flash");
		return NULL;
	}
	const struct mcu_family_info *fi = mcu_family_info(cfg->chip.family);
	if (!fi) {
		snprintf(msg, msglen, "mcu: unknown family %d", (int)cfg->chip.family);
		return NULL;
	}
	struct mcu *m = calloc(1, sizeof *m);
	if (!m) {
		snprintf(msg, msglen, "mcu: out of memory");
		return NULL;
	}
	m->chip = cfg->chip;
	m->fi = fi;
	m->fc = fi->fc;
	m->flash = cfg->flash;
	m->log = cfg->log;
	m->powered = cfg->powered;
	m->rdp_at_power_on = cfg->rdp_level;

	uc_err e = uc_open(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS, &m->uc);
	if (e != UC_ERR_OK) {
		snprintf(msg, msglen, "mcu: unicorn: %s", uc_strerror(e));
		free(m);
		return NULL;
	}
	/* Cortex-M7 and M0+ chips run on the M4 model (Unicorn's M7 model adds
	 * nothing a flash loader or a small firmware needs; there is no M0+ one),
	 * CPUID reports the real core. */
	uc_ctl_set_cpu_model(m->uc, UC_CPU_ARM_CORTEX_M4);
	if (mcu_map_memory(m, msg, msglen) < 0) {
		mcu_free(m);
		return NULL;
	}
	uc_hook_add(m->uc, &m->h_code, UC_HOOK_CODE, (void *)hook_code, m, 1, 0);
	uc_hook_add(m->uc, &m->h_intr, UC_HOOK_INTR, (void *)hook_intr, m, 1, 0);
	uc_hook_add(m->uc, &m->h_unmapped, UC_HOOK_MEM_UNMAPPED, (void *)hook_unmapped, m, 1, 0);
	uc_hook_add(m->uc, &m->h_flash_w, UC_HOOK_MEM_WRITE, (void *)hook_flash_write, m,
		    m->flash->base, (uint64_t)m->flash->base + m->flash->size - 1);
	if (m->alias_size)
		uc_hook_add(m->uc, &m->h_alias_w, UC_HOOK_MEM_WRITE, (void *)hook_flash_write, m,
			    m->alias_base, (uint64_t)m->alias_base + m->alias_size - 1);

	m->fc->power_on(m, cfg->rdp_level);
	m->dwt_ctrl = (uint32_t)MCU_DWT_NCOMP << 28;
	mcu_reset(m);
	m->halted = false;
	return m;
}

void mcu_free(struct mcu *m)
{
	if (!m)
		return;
	if (m->uc)
		uc_close(m->uc);
	free(m->ram);
	free(m->sysmem);
	for (unsigned i = 0; i < m->nxram; i++)
		free(m->xram[i].mem);
	free(m);
}

FILE *mcu_log(const struct mcu *m)
{
	return m->log;
}

uint64_t mcu_cycles(const struct mcu *m)
{
	/* exact inside a slice too: a peripheral read mid-slice (SysTick's
	 * counter, a GPIO time stamp) sees the instructions run so far */
	return m->cycles + (m->in_emu ? m->run_count : 0);
}

void mcu_status(const struct mcu *m, struct mcu_status *st)
{
	*st = m->st;
}

void mcu_flash_changed(struct mcu *m)
{
	mcu_code_changed(m, m->flash->base, m->flash->size);
}

void mcu_code_changed(struct mcu *m, uint32_t addr, uint32_t len)
{
	uint32_t lo, hi;
	if (vflash_contains(m->flash, addr, 1)) {
		lo = addr - m->flash->base;
		hi = lo + len > m->flash->size ? m->flash->size : lo + len;
		if (m->dirty_flash_hi <= m->dirty_flash_lo) {
			m->dirty_flash_lo = lo;
			m->dirty_flash_hi = hi;
		} else {
			m->dirty_flash_lo = lo < m->dirty_flash_lo ? lo : m->dirty_flash_lo;
			m->dirty_flash_hi = hi > m->dirty_flash_hi ? hi : m->dirty_flash_hi;
		}
	} else if (addr >= m->chip.ram_base && addr - m->chip.ram_base < m->ram_mapped) {
		lo = addr - m->chip.ram_base;
		hi = lo + len > m->ram_mapped ? m->ram_mapped : lo + len;
		if (m->dirty_ram_hi <= m->dirty_ram_lo) {
			m->dirty_ram_lo = lo;
			m->dirty_ram_hi = hi;
		} else {
			m->dirty_ram_lo = lo < m->dirty_ram_lo ? lo : m->dirty_ram_lo;
			m->dirty_ram_hi = hi > m->dirty_ram_hi ? hi : m->dirty_ram_hi;
		}
	}
}

/* Drop translated code of what the host changed. Unicorn 2.0.1's full
 * UC_CTL_TB_FLUSH leaves the whole next uc_emu_start() about 50 times
 * slower (measured: 1M instructions in 4.9 s instead of 3 ms), so only the
 * changed ranges go, flash at its alias too. */
static void drop_changed_code(struct mcu *m)
{
	if (m->dirty_ram_hi > m->dirty_ram_lo)
		uc_ctl_remove_cache(m->uc, (uint64_t)m->chip.ram_base + m->dirty_ram_lo,
				    (uint64_t)m->chip.ram_base + m->dirty_ram_hi);
	if (m->dirty_flash_hi > m->dirty_flash_lo) {
		uc_ctl_remove_cache(m->uc, (uint64_t)m->flash->base + m->dirty_flash_lo,
				    (uint64_t)m->flash->base + m->dirty_flash_hi);
		if (m->alias_size && m->dirty_flash_lo < m->alias_size) {
			uint32_t hi = m->dirty_flash_hi < m->alias_size ? m->dirty_flash_hi : m->alias_size;
			uc_ctl_remove_cache(m->uc, (uint64_t)m->alias_base + m->dirty_flash_lo,
					    (uint64_t)m->alias_base + hi);
		}
	}
	m->dirty_ram_lo = m->dirty_ram_hi = m->dirty_flash_lo = m->dirty_flash_hi = 0;
}

bool mcu_halted(const struct mcu *m)
{
	return m->halted;
}

/* Registers by DCRSR REGSEL. */
static int regsel_uc(unsigned regsel)
{
	if (regsel <= 12)
		return UC_ARM_REG_R0 + (int)regsel;
	if (regsel >= 64 && regsel <= 95)
		return UC_ARM_REG_S0 + (int)(regsel - 64);
	switch (regsel) {
	case 13: return UC_ARM_REG_SP;
	case 14: return UC_ARM_REG_LR;
	case 15: return UC_ARM_REG_PC;
	case 16: return UC_ARM_REG_XPSR;
	case 17: return UC_ARM_REG_MSP;
	case 18: return UC_ARM_REG_PSP;
	case 33: return UC_ARM_REG_FPSCR;
	default: return -1;
	}
}

int mcu_reg_read(struct mcu *m, unsigned regsel, uint32_t *v)
{
	if (!m->powered)
		return MCU_NOT_POWERED;
	if (!m->halted)
		return MCU_FAULT;
	if (regsel == 20) {
		*v = (rd(m, UC_ARM_REG_CONTROL) & 0xFF) << 24 | (rd(m, UC_ARM_REG_FAULTMASK) & 1) << 16 |
		     (rd(m, UC_ARM_REG_BASEPRI) & 0xFF) << 8 | (rd(m, UC_ARM_REG_PRIMASK) & 1);
		return MCU_OK;
	}
	int r = regsel_uc(regsel);
	if (r < 0) {
		*v = 0;
		return MCU_OK;
	}
	*v = rd(m, r);
	if (regsel == 15)
		*v &= ~1u;
	if (regsel == 16)
		*v |= 1u << 24; /* Thumb, always on an M profile core */
	return MCU_OK;
}

int mcu_reg_write(struct mcu *m, unsigned regsel, uint32_t v)
{
	if (!m->powered)
		return MCU_NOT_POWERED;
	if (!m->halted)
		return MCU_FAULT;
	if (regsel == 20) {
		wr(m, UC_ARM_REG_PRIMASK, v & 1);
		wr(m, UC_ARM_REG_BASEPRI, (v >> 8) & 0xFF);
		wr(m, UC_ARM_REG_FAULTMASK, (v >> 16) & 1);
		wr(m, UC_ARM_REG_CONTROL, (v >> 24) & 0x7);
		return MCU_OK;
	}
	int r = regsel_uc(regsel);
	if (r < 0)
		return MCU_OK;
	if (regsel == 15)
		v |= 1; /* Unicorn keeps the Thumb state in bit 0 of a PC write */
	wr(m, r, v);
	return MCU_OK;
}

void mcu_halt(struct mcu *m)
{
	if (!m->powered)
		return;
	m->dhcsr_ctrl |= 0x2; /* C_HALT */
	mcu_set_halted(m, DFSR_HALTED);
}

void mcu_resume(struct mcu *m)
{
	if (!m->powered)
		return;
	m->dhcsr_ctrl &= ~0x2u;
	if (!m->halted)
		return;
	m->halted = false;
	uint32_t pc = pc_now(m);
	/* Code started in RAM by a debugger is a flash loader (or OpenOCD's
	 * CRC/erase-check algorithm): note it so the log can show it ran. */
	m->in_algo = mcu_is_ram(m, pc);
	if (m->in_algo) {
		m->algo_start = pc;
		m->algo_bytes0 = m->st.flash_programmed;
	}
}

static bool at_wfi(struct mcu *m)
{
	uint8_t b[2];
	uint32_t pc = pc_now(m);
	if (uc_mem_read(m->uc, pc - 2, b, 2) != UC_ERR_OK)
		return false;
	uint16_t insn = (uint16_t)(b[0] | b[1] << 8);
	return insn == 0xBF30 || insn == 0xBF20; /* WFI, WFE */
}

/* uc_emu_start() until the slice ends, a halt or a fault; exceptions, WFI
 * and resets the core asked for are handled between the starts. */
static uint64_t run_slice(struct mcu *m, uint64_t n)
{
	uint64_t slept = 0;
	m->run_limit = n;
	m->run_count = 0;
	while (m->run_count < m->run_limit && !m->halted && !m->locked_up) {
		unsigned exc = mcu_exception_ready(m);
		if (exc) {
			m->sleeping = false;
			if (!mcu_exception_enter(m, exc))
				break;
		}
		if (m->sleeping) {
			slept = m->run_limit - m->run_count;
			break;
		}
		drop_changed_code(m);
		m->stop_pending = false;
		m->stop_pc_valid = false;
		uint32_t pc = pc_now(m);
		m->in_emu = true;
		uc_err e = uc_emu_start(m->uc, pc | 1, 0xFFFFFFFFull, 0, 0);
		m->in_emu = false;
		if (m->stop_pc_valid)
			wr(m, UC_ARM_REG_PC, m->stop_pc | 1);
		apply_fixups(m);
		if (m->reset_pending) {
			mcu_do_pending_reset(m);
			break;
		}
		if (m->svc_pending) {
			m->svc_pending = false;
			if (!mcu_exception_enter(m, 11))
				break;
			continue;
		}
		if (m->exc_return_pending) {
			uint32_t r = m->exc_return_pending;
			m->exc_return_pending = 0;
			if (!mcu_exception_return(m, r))
				break;
			continue;
		}
		if (e != UC_ERR_OK && !m->locked_up) {
			uint32_t fpc = pc_now(m);
			switch (e) {
			case UC_ERR_INSN_INVALID:
				mcu_fault(m, fpc, "invalid instruction");
				break;
			case UC_ERR_READ_UNMAPPED:
			case UC_ERR_WRITE_UNMAPPED:
			case UC_ERR_FETCH_UNMAPPED:
				mcu_fault(m, fpc, "unmapped access");
				break;
			case UC_ERR_WRITE_PROT:
				mcu_fault(m, fpc, "write to read-only memory");
				break;
			default:
				mcu_fault(m, fpc, "%s", uc_strerror(e));
				break;
			}
		}
		if (!m->stop_pending && m->run_count < m->run_limit && !m->halted && !m->locked_up) {
			/* Unicorn returns by itself when the CPU sleeps (WFI/WFE) */
			if (at_wfi(m)) {
				m->sleeping = true;
				continue;
			}
			break; /* a return we do not know: do not spin */
		}
	}
	uint64_t ran = m->run_count;
	m->st.instructions += ran;
	m->cycles += ran + slept;
	if (ran)
		m->s_retire_st = true;
	for (unsigned i = 0; i < m->nregions; i++)
		if (m->regions[i].ops->tick && ran + slept)
			m->regions[i].ops->tick(m->regions[i].ctx, ran + slept);
	return ran + slept;
}

uint64_t mcu_run(struct mcu *m, uint64_t n)
{
	if (!m->powered || m->halted || m->locked_up || n == 0)
		return 0;
	return run_slice(m, n);
}

int mcu_step(struct mcu *m)
{
	if (!m->powered)
		return MCU_NOT_POWERED;
	if (!m->halted)
		return MCU_FAULT;
	m->halted = false;
	m->in_algo = false;
	run_slice(m, 1);
	if (m->locked_up)
		return MCU_FAULT;
	mcu_set_halted(m, DFSR_HALTED);
	m->st.halt_pc = pc_now(m);
	return MCU_OK;
}

static uint32_t read_vector(struct mcu *m, uint32_t addr)
{
	uint8_t b[4] = { 0xFF, 0xFF, 0xFF, 0xFF };
	uc_mem_read(m->uc, addr, b, 4); /* unmapped: stays erased */
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Core registers as after reset, SP and PC from the vector table at base. */
static void load_vectors(struct mcu *m, uint32_t base)
{
	for (int r = 0; r <= 12; r++)
		wr(m, UC_ARM_REG_R0 + r, 0);
	wr(m, UC_ARM_REG_PRIMASK, 0);
	wr(m, UC_ARM_REG_BASEPRI, 0);
	wr(m, UC_ARM_REG_FAULTMASK, 0);
	wr(m, UC_ARM_REG_CONTROL, 0);
	wr(m, UC_ARM_REG_XPSR, 1u << 24);
	uint32_t sp = read_vector(m, base), pc = read_vector(m, base + 4);
	wr(m, UC_ARM_REG_MSP, sp & ~3u);
	wr(m, UC_ARM_REG_PSP, 0);
	wr(m, UC_ARM_REG_LR, 0xFFFFFFFFu);
	wr(m, UC_ARM_REG_PC, pc | 1);
	m->vtor = base;
}

void mcu_core_reset(struct mcu *m)
{
	m->locked_up = false;
	m->in_algo = false;
	m->nfix = 0;
	memset(m->pend, 0, sizeof m->pend);
	memset(m->nvic_enabled, 0, sizeof m->nvic_enabled);
	memset(m->prio, 0, sizeof m->prio);
	m->nactive = 0;
	m->sleeping = m->svc_pending = false;
	m->exc_return_pending = 0;
	m->st.exceptions = 0;
	m->st.instructions = 0;
	m->st.faulted = false;
	m->st.fault_pc = 0;
	m->st.fault_what[0] = 0;
	/* front ends write the flash file behind the core's back, then reset or
	 * boot it: start from fresh translations of the flash */
	mcu_flash_changed(m);
	m->cfsr = m->hfsr = m->mmfar = m->bfar = 0;
	m->scr = m->shcsr = 0;
	m->ccr = 0x200;
	m->aircr_prigroup = 0;
	load_vectors(m, m->fi->boot_addr);
}

void mcu_reset(struct mcu *m)
{
	if (!m->powered)
		return;
	mcu_core_reset(m);
	m->fc->reset(m);
	/* The debug domain survives a system reset: DHCSR.C_DEBUGEN, DEMCR and
	 * the FPB keep their values; S_RESET_ST tells the debugger it happened. */
	m->s_reset_st = true;
	m->dhcsr_ctrl &= ~0x6u; /* C_HALT, C_STEP */
	m->halted = false;
	if ((m->demcr & 1) && (m->dhcsr_ctrl & 1)) { /* VC_CORERESET with C_DEBUGEN */
		m->dhcsr_ctrl |= 0x2;
		mcu_set_halted(m, DFSR_VCATCH);
		m->st.halt_pc = pc_now(m);
	}
	mcu_logf(m, "reset%s", m->halted ? " (halted at the reset vector)" : "");
}

void mcu_do_pending_reset(struct mcu *m)
{
	int kind = m->reset_pending;
	m->reset_pending = 0;
	if (kind == 2) {
		mcu_reset(m);
		return;
	}
	mcu_core_reset(m);
	m->halted = false;
	if ((m->demcr & 1) && (m->dhcsr_ctrl & 1)) {
		m->dhcsr_ctrl |= 0x2;
		mcu_set_halted(m, DFSR_VCATCH);
	}
}

void mcu_boot(struct mcu *m, uint32_t base)
{
	if (!m->powered)
		return;
	mcu_core_reset(m);
	m->halted = false;
	load_vectors(m, base);
	uint32_t sp = read_vector(m, base), pc = read_vector(m, base + 4);
	bool pc_in_flash = vflash_contains(m->flash, mcu_flash_addr(m, pc & ~1u), 2);
	bool pc_in_ram = mcu_is_ram(m, pc & ~1u);
	if (sp == 0xFFFFFFFFu && pc == 0xFFFFFFFFu)
		mcu_fault(m, base, "erased vector table at 0x%08x (no application)", base);
	else if (!(pc & 1))
		mcu_fault(m, pc, "reset vector 0x%08x at 0x%08x is not a Thumb address", pc, base + 4);
	else if (!pc_in_flash && !pc_in_ram)
		mcu_fault(m, pc & ~1u, "reset vector 0x%08x at 0x%08x points outside flash and RAM", pc,
			  base + 4);
	else
		mcu_logf(m, "boot from 0x%08x: SP 0x%08x, PC 0x%08x", base, sp, pc & ~1u);
}
