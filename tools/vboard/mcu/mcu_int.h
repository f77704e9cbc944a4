/* Inside the core (core.c, memmap.c, debug.c, chip.c, flashctl_*.c): the
 * state of one virtual STM32. Front ends and peripheral models use mcu.h
 * only; this header is for the files that implement it. */
#ifndef MCU_INT_H
#define MCU_INT_H

#include <unicorn/unicorn.h>

#include "mcu.h"

#define MCU_MAX_REGIONS 48
#define MCU_FP_NCODE 6      /* FPB code comparators, as on a Cortex-M4 */
#define MCU_FP_NLIT 2
#define MCU_DWT_NCOMP 4
#define MCU_MAX_FIXUPS 16
#define MCU_PEND_WORDS 8    /* pending exceptions 0-255 */

/* Per-family facts that are not in struct mcu_chip. */
struct mcu_family_info {
	const char *name;          /* "stm32f4" */
	uint32_t dbgmcu_base;      /* DBGMCU_IDCODE address */
	uint32_t fsize_addr;       /* flash-size register (16 bit, KiB) */
	uint32_t sysmem_base, sysmem_size; /* system memory/OTP/ids, mapped read-only */
	uint32_t flashctl_base;    /* FLASH register block */
	uint32_t alias_base;       /* flash seen here too (boot from flash), 0 with */
	bool has_alias;            /*   has_alias, or none (H7) */
	uint32_t boot_addr;        /* where reset fetches SP and PC */
	const struct flashctl_ops *fc;
};
const struct mcu_family_info *mcu_family_info(enum mcu_family fam);

/* The n low bytes of v in memory (little-endian) order, and back: how a bus
 * access of width n meets the bytes of RAM, flash and the debug buffers. */
static inline void mcu_le_put(uint8_t *b, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t mcu_le_get(const uint8_t *b, unsigned n)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint32_t)b[i] << (8 * i);
	return v;
}

struct mcu;

/* A family's flash controller. Stores into flash, from the core or from the
 * probe, go through store(); it applies the controller's rules to m->flash
 * and sets its SR bits. */
struct flashctl_ops {
	void (*reset)(struct mcu *m);
	uint32_t (*reg_read)(struct mcu *m, uint32_t off);
	void (*reg_write)(struct mcu *m, uint32_t off, uint32_t v);
	/* addr is a flash address (the alias at 0 already translated). */
	void (*store)(struct mcu *m, uint32_t addr, uint32_t v, unsigned width);
	/* Option bytes at power-up: the RDP level. */
	void (*power_on)(struct mcu *m, unsigned rdp_level);
};
extern const struct flashctl_ops mcu_flashctl_f2, mcu_flashctl_l4, mcu_flashctl_h7;

/* Controller state; each family uses the fields it needs. */
struct flashctl_state {
	uint32_t acr, cr, sr, optcr, optcr1, optr, wrp1, wrp2, pcrop;
	unsigned key_stage, optkey_stage;
	bool key_fail;              /* wrong key sequence: locked until reset */
	bool cr_locked, opt_locked;
	uint8_t rdp;                /* RDP byte: 0xAA level 0, 0xCC level 2, else 1 */
	/* multi-word programming (L4 double word, H7 flash word) */
	uint32_t latch_addr;
	unsigned latch_fill;        /* bytes written so far */
	uint8_t latch_old[32];      /* flash contents before the first write */
	uint8_t latch_new[32];
	uint32_t wrp_sectors;       /* F2/F4/F7 nWRP: bit set = protected */
	uint32_t optr_prg;          /* L4 OPTR / H7 OPTSR_PRG written, not yet applied */
	uint32_t regs[64];          /* other words of the register block, stored */
	struct {                    /* H7: each bank has its own KEYR/CR/SR */
		uint32_t cr, sr;
		bool locked;
		unsigned key_stage;
		bool key_fail;
	} bank[2];
};

struct mcu_region {
	char name[24];
	uint32_t base, size;
	const struct mcu_periph_ops *ops;
	void *ctx;
};

struct mcu_fixup {          /* flash bytes to restore after a core store */
	uint32_t off;
	unsigned n;
	uint8_t bytes[8];
};

struct mcu_mmio {            /* Unicorn MMIO callback context */
	struct mcu *m;
	uint32_t base;
};

struct mcu {
	struct mcu_chip chip;
	const struct mcu_family_info *fi;
	struct vflash *flash;
	FILE *log;
	bool powered;
	unsigned rdp_at_power_on;

	uc_engine *uc;
	uc_hook h_code, h_intr, h_flash_w, h_alias_w, h_unmapped;
	uint8_t *ram;
	uint32_t ram_mapped;
	uint8_t *sysmem;
	struct mcu_xram {           /* the family's other RAMs: CCM, SRAM2, TCMs, AXI */
		uint32_t base, size;
		uint8_t *mem;
	} xram[4];
	unsigned nxram;
	uint32_t alias_base, alias_size; /* flash seen at alias_base too */

	/* run control */
	bool halted;
	bool locked_up;             /* faulted: stays stopped until halt/reset */
	uint64_t run_limit, run_count;
	bool stop_pending;          /* a hook asked Unicorn to stop */
	bool stop_pc_valid;         /* where to go on: Unicorn does not sync the */
	uint32_t stop_pc;           /*   PC when a memory hook stops it mid-block */
	bool in_emu;                /* inside uc_emu_start(): MMIO comes from the core */
	int reset_pending;          /* AIRCR from the core: 1 VECTRESET, 2 SYSRESETREQ */
	uint32_t pend[MCU_PEND_WORDS]; /* pending exceptions (exception.c) */
	uint32_t nvic_enabled[MCU_PEND_WORDS]; /* NVIC ISER, by exception number */
	uint8_t prio[32 * MCU_PEND_WORDS]; /* SHPR and NVIC IPR bytes by exception */
	uint16_t active[16];        /* exceptions being handled, innermost last */
	unsigned nactive;
	bool svc_pending;           /* an SVC to take after the slice stops */
	uint32_t exc_return_pending;/* an EXC_RETURN branch to complete, or 0 */
	bool sleeping;              /* WFI/WFE until an exception is pending */
	/* Host writes into RAM/flash that may hold translated code: offsets
	 * [lo, hi) per region, dropped from Unicorn's cache before the next run
	 * (a full TB flush makes the next slice slow, see core.c). */
	uint32_t dirty_ram_lo, dirty_ram_hi, dirty_flash_lo, dirty_flash_hi;
	bool in_algo;               /* resumed in RAM: OpenOCD's loader is running */
	uint32_t algo_start;
	uint64_t algo_bytes0;
	uint64_t cycles;

	/* debug registers */
	uint32_t dhcsr_ctrl;        /* C_DEBUGEN, C_HALT, C_STEP, C_MASKINTS, C_SNAPSTALL */
	bool s_reset_st, s_retire_st;
	uint32_t dcrdr, demcr, dfsr, vtor, aircr_prigroup, scr, ccr, shcsr;
	uint32_t cfsr, hfsr, mmfar, bfar, cpacr;
	uint32_t fp_ctrl_enable;
	uint32_t fp_comp[MCU_FP_NCODE + MCU_FP_NLIT];
	unsigned fp_active;         /* enabled code comparators (fast path when 0) */
	uint32_t dwt_ctrl, dwt_comp[MCU_DWT_NCOMP][3];
	uint32_t dbgmcu[64];        /* DBGMCU_CR, freeze registers: stored, no effect */

	/* flash controller */
	const struct flashctl_ops *fc;
	struct flashctl_state fcs;
	struct mcu_fixup fix[MCU_MAX_FIXUPS];
	unsigned nfix;
	bool in_core_store;         /* store() called from the core's write hook */

	struct mcu_mmio mmio[2];
	uint32_t unmod_seen[32];    /* unmodelled addresses already logged */
	unsigned unmod_next;

	struct mcu_region regions[MCU_MAX_REGIONS];
	unsigned nregions;

	struct mcu_status st;
};

/* Host-side change of memory the core may have translated code from. */
void mcu_code_changed(struct mcu *m, uint32_t addr, uint32_t len);

void mcu_logf(const struct mcu *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* memmap.c: everything that is not plain memory (SCS, DBGMCU, flash
 * controller, peripherals). ok=false: nothing there (a bus fault). */
uint32_t mcu_io_read(struct mcu *m, uint32_t addr, unsigned width, bool *ok);
void mcu_io_write(struct mcu *m, uint32_t addr, uint32_t v, unsigned width, bool *ok);
int mcu_map_memory(struct mcu *m, char *msg, size_t msglen);
/* A store into flash (core or probe): through the controller. */
void mcu_flash_store(struct mcu *m, uint32_t addr, uint32_t v, unsigned width);

/* debug.c: the SCS, DWT, FPB. Offsets from 0xE0000000. */
bool mcu_scs_read(struct mcu *m, uint32_t addr, uint32_t *v);
bool mcu_scs_write(struct mcu *m, uint32_t addr, uint32_t v);
bool mcu_fpb_match(const struct mcu *m, uint32_t pc);

/* core.c */
void mcu_set_halted(struct mcu *m, uint32_t dfsr_reason);
void mcu_core_reset(struct mcu *m);
void mcu_do_pending_reset(struct mcu *m);
void mcu_fault(struct mcu *m, uint32_t pc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* exception.c */
unsigned mcu_exception_ready(struct mcu *m);
uint8_t mcu_prio_mask(const struct mcu *m); /* implemented priority bits */
bool mcu_exception_enter(struct mcu *m, unsigned exc);
bool mcu_exception_return(struct mcu *m, uint32_t exc_return);

/* Is addr in RAM the core can run from (main RAM or a family's other RAM)? */
bool mcu_is_ram(const struct mcu *m, uint32_t addr);

/* Flash helpers for the controllers: log and count. */
int mcu_flash_erase_sector(struct mcu *m, unsigned sector);
int mcu_flash_mass_erase(struct mcu *m);
/* Program len bytes at addr (AND rule). Returns VF_* from vflash_program. */
int mcu_flash_program(struct mcu *m, uint32_t addr, const uint8_t *data, unsigned len);
bool mcu_flash_erased(const struct mcu *m, uint32_t addr, unsigned len);
void mcu_flash_set_rdp(struct mcu *m, uint8_t rdp);
/* An address in the flash alias as its flash address (others unchanged). */
uint32_t mcu_flash_addr(const struct mcu *m, uint32_t addr);

#endif
