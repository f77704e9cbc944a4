/* The virtual STM32 shared by every front end (stlink, dfu, uart, drive):
 * a Cortex-M core that executes Thumb code (Unicorn), halting debug as a
 * probe sees it (DHCSR/DCRSR/DCRDR/DEMCR, FPB, AIRCR), the memory map, the
 * family's flash controller over struct vflash, DBGMCU and the flash-size
 * register, and the peripherals a small firmware touches.
 *
 * Contract between the rooms of tools/vboard:
 *  - mcu/     implements this header (core.c, debug.c, memmap.c, flashctl_*.c,
 *             periph_*.c, boot.c, verdict.c ...). Nothing in mcu/ knows USB,
 *             a pty or a mount namespace.
 *  - stlink/  turns ST-LINK USB commands into mcu_mem_* / mcu_reg_* / mcu_run.
 *  - dfu/, uart/, drive/ write flash through vflash as today, then call
 *             mcu_boot() + mcu_run() to see what the image does.
 * The core only advances inside mcu_run(): a front end calls it between
 * commands (or from a thread that owns the mcu), so behaviour is
 * deterministic for a given sequence of calls. */
#ifndef MCU_H
#define MCU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vflash.h"

enum mcu_family { MCU_F2, MCU_F4, MCU_F7, MCU_L4, MCU_G0, MCU_C0, MCU_H7 };

/* What the chip is. Filled from the board file's data (make passes it to the
 * front end as options) or from mcu_chip_default(). */
struct mcu_chip {
	char name[32];          /* "stm32f401re" */
	enum mcu_family family;
	uint32_t dev_id;        /* DBGMCU_IDCODE[11:0], e.g. 0x433 */
	uint32_t rev_id;        /* DBGMCU_IDCODE[31:16] */
	uint32_t cpuid;         /* SCB CPUID: M4 0x410FC241, M7 0x411FC272, M0+ 0x410CC601 */
	uint32_t ram_base, ram_size;
	uint32_t flash_size_kib;/* value of the flash-size register */
};

/* Fill *chip for a family and a DBGMCU device id with the values silicon
 * reports (CPUID, DBGMCU/flash-size register addresses are per family).
 * Returns 0, or -1 for an unknown family name. family: "stm32f4", ... */
int mcu_chip_init(struct mcu_chip *chip, const char *family, uint32_t dev_id,
		  uint32_t ram_base, uint32_t ram_size, uint32_t flash_size_kib);
int mcu_family_parse(const char *name, enum mcu_family *out);

struct mcu;

struct mcu_config {
	struct mcu_chip chip;
	struct vflash *flash;   /* opened by the front end; the mcu does not close it */
	FILE *log;              /* event lines "mcu: ...", may be NULL */
	unsigned rdp_level;     /* 0 or 1: option bytes at power-up */
	bool powered;           /* false: no target voltage, the DP does not answer */
};

struct mcu *mcu_new(const struct mcu_config *cfg, char *msg, size_t msglen);
void mcu_free(struct mcu *m);

/* Results of the debug and bus accesses. */
enum { MCU_OK = 0, MCU_FAULT = -1, MCU_NOT_POWERED = -2, MCU_RDP = -3 };

/* Memory as a MEM-AP sees it (width 1, 2 or 4; len a multiple of width).
 * Reaches flash, RAM, the SCS debug registers, DBGMCU, the flash controller
 * and peripherals. With RDP level 1 and a debugger attached, flash reads fault
 * (MCU_RDP), as on silicon. */
int mcu_mem_read(struct mcu *m, uint32_t addr, uint8_t *buf, uint32_t len, unsigned width);
int mcu_mem_write(struct mcu *m, uint32_t addr, const uint8_t *buf, uint32_t len, unsigned width);
int mcu_read32(struct mcu *m, uint32_t addr, uint32_t *v);
int mcu_write32(struct mcu *m, uint32_t addr, uint32_t v);

/* Core registers by DCRSR REGSEL: 0-12 r0-r12, 13 sp, 14 lr, 15 pc (debug
 * return address), 16 xPSR, 17 MSP, 18 PSP, 20 CONTROL/FAULTMASK/BASEPRI/
 * PRIMASK packed as the ARMv7-M ARM says, 33 FPSCR, 64-95 s0-s31. Only valid
 * while halted (MCU_FAULT otherwise, as S_REGRDY would stay 0). */
int mcu_reg_read(struct mcu *m, unsigned regsel, uint32_t *v);
int mcu_reg_write(struct mcu *m, unsigned regsel, uint32_t v);

/* Run control, the same effect as the DHCSR writes a probe makes. */
void mcu_halt(struct mcu *m);
void mcu_resume(struct mcu *m);
int mcu_step(struct mcu *m);          /* one instruction, stays halted */
bool mcu_halted(const struct mcu *m);

/* Reset: system reset (AIRCR.SYSRESETREQ or NRST). With DEMCR.VC_CORERESET
 * set, the core halts at the reset vector (how "reset halt" works). */
void mcu_reset(struct mcu *m);

/* Let a running core execute up to n instructions. Returns how many cycles
 * passed: the instructions that ran, plus the rest of the slice when the
 * core sleeps in WFI/WFE with no exception pending (time still passes for
 * SysTick). Stops early on halt (BKPT, FPB match, DHCSR.C_HALT, a step) or
 * fault; 0 when halted, faulted or not powered. */
uint64_t mcu_run(struct mcu *m, uint64_t n);

/* Exceptions: Unicorn 2.0.1 has no NVIC and takes no exception itself, so
 * the core does ARMv7-M entry (8-word frame, EXC_RETURN in LR, handler from
 * the vector table at VTOR) and return in software. A model pends one
 * (SysTick 15, IRQ n as 16 + n; ICSR.PENDSTSET/PENDSVSET and NVIC ISPR pend
 * too); mcu_run() takes it before the next instruction when its priority
 * (SHPR, NVIC IPR) is above the running one, BASEPRI, PRIMASK, FAULTMASK and
 * DHCSR.C_MASKINTS allow, and for an IRQ when the firmware enabled it in the
 * NVIC (ISER). Handlers nest. No FP frame. SVC is taken at once; WFI/WFE
 * wake on a pending exception. */
void mcu_pend_exception(struct mcu *m, unsigned exc);

/* Boot as the chip does: VTOR = base, MSP and PC from the vector table there,
 * core running. A boot from an erased or invalid vector table is recorded as
 * a fault (see mcu_status). */
void mcu_boot(struct mcu *m, uint32_t base);

/* A front end wrote the flash through struct vflash (DFU, UART, drive):
 * forget code translated from the old contents. */
void mcu_flash_changed(struct mcu *m);

/* Memory-mapped peripherals outside the core (GPIO, RCC, USART ...):
 * accesses inside [base, base+size) call these. An access that no region
 * claims is logged ("mcu: unmodelled read 0x40013800") and reads as 0. */
struct mcu_periph_ops {
	uint32_t (*read)(void *ctx, uint32_t off, unsigned width);
	void (*write)(void *ctx, uint32_t off, uint32_t val, unsigned width);
	void (*tick)(void *ctx, uint64_t cycles); /* optional: time passes */
};
int mcu_map_periph(struct mcu *m, const char *name, uint32_t base, uint32_t size,
		   const struct mcu_periph_ops *ops, void *ctx);

/* What happened: for event logs, tests and the verdict line. */
struct mcu_status {
	uint64_t instructions;  /* since the last reset/boot */
	bool faulted;           /* HardFault/lockup: the core stopped */
	uint32_t fault_pc;
	char fault_what[96];    /* "read of unmapped 0x30000000", "erased vector table" */
	uint32_t halt_pc;       /* where the core last halted */
	uint32_t algo_runs;     /* times code ran from RAM between resume and BKPT */
	uint32_t algo_addr;     /* the last such start address (OpenOCD's work area) */
	uint64_t flash_programmed; /* bytes written through the flash controller */
	uint32_t exceptions;    /* exceptions taken since the last reset/boot */
};
void mcu_status(const struct mcu *m, struct mcu_status *st);
uint64_t mcu_cycles(const struct mcu *m); /* core clock cycles, for time; exact
					   * in a peripheral callback mid-slice too */
FILE *mcu_log(const struct mcu *m);

#endif
