/* Running what was flashed on a virtual board, and the one line a person reads
 * about it: "running: LED PA5 toggled 6 times in 300 ms, console: 'blinky on
 * nucleo-f401'", "HardFault at 0x08000134 after 12 instructions: the image is
 * linked for 0x08000000 but runs at 0x08004000", "no application: the flash
 * at 0x08004000 is erased".
 *
 * Every front end calls this after the event that starts the chip: the drive's
 * reset after programming, DFU :leave, the UART bootloader's GO or an NRST
 * release with BOOT0 low, OpenOCD's reset run. The board data (LED pin,
 * console USART, clock, memory) comes from the board file through one option,
 * --run SPEC, that makefiles/virtual.mk writes:
 *
 *   board=nucleo-f401,family=stm32f4,dev=0x433,flash=0x08000000:512K,
 *   ram=0x20000000:96K,app=0x08000000,bootloader=0,hz=16000000,led=A5,
 *   usart=2,tx=A2:7,ms=300[,result=PATH][,console=PATH][,log=PATH]
 *
 * result=PATH gets the verdict (first line) and the console output (the rest);
 * console=PATH gets the console bytes as they are sent; log=PATH the model's
 * event lines (pin changes, unmodelled accesses, the boot). */
#ifndef VERDICT_H
#define VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mcu.h"
#include "vflash.h"

struct vboard_spec {
	char board[48];
	char family[16];          /* "stm32f4" */
	enum mcu_family fam;
	uint32_t dev_id;
	uint32_t flash_base, flash_size, ram_base, ram_size;
	uint32_t app;             /* FLASH_BASE + IMAGE_OFFSET */
	uint32_t bootloader;      /* bytes of a bootloader before app (Crazyflie: 16K), 0 none */
	uint32_t hz;              /* core clock out of reset */
	int led_port, led_pin;    /* -1: no LED */
	unsigned usart;           /* console USART 2 or 3; 0: none */
	int tx_port, tx_pin, tx_af;
	unsigned ms;              /* how long to run (virtual time) */
	char result[512], console[512], log[512]; /* paths, may be empty */
};

/* Parse SPEC. Returns 0, or -1 with msg filled. */
int vboard_spec_parse(struct vboard_spec *s, const char *text, char *msg, size_t msglen);

/* VB_ERROR: the model could not run it (an internal problem, not the image's). */
enum vboard_kind { VB_RUNNING = 0, VB_FAULT = 1, VB_NO_APP = 2, VB_ERROR = 3 };

struct vboard_result {
	enum vboard_kind kind;
	char verdict[384];
	char console[2048];       /* what reached the console, NUL-terminated */
	uint64_t instructions;
	unsigned toggles;         /* of the LED pin */
};

/* The front ends that own only the flash (dfu, uart, drive): a chip around f,
 * booted from addr (why: "reset", ":leave", "GO" ...) as silicon does, run
 * for s->ms of virtual time, judged. Console bytes also go to console_out
 * (called per byte, may be NULL: the vuart pty). Writes s->result if set.
 * Returns r->kind. */
int vboard_boot_and_judge(const struct vboard_spec *s, struct vflash *f, uint32_t addr,
			  const char *why, void (*console_out)(void *ctx, uint8_t byte),
			  void *console_ctx, struct vboard_result *r);

/* The stlink front end owns its core: attach the board's peripherals once,
 * after mcu_new(), then judge after each "reset run" (the core keeps running
 * from where it is for ms). console: where the USART's bytes go meanwhile,
 * may be NULL. Returns the kind (VB_*), or -1 when m has no board attached. */
int vboard_attach(struct mcu *m, const struct vboard_spec *s, char *msg, size_t msglen);
void vboard_detach(struct mcu *m);
int vboard_run_and_judge(struct mcu *m, unsigned ms, FILE *console, char *verdict, size_t len);
/* The same with the whole result (console text, counts). */
int vboard_run_result(struct mcu *m, unsigned ms, FILE *console, struct vboard_result *r);

/* boot.c: start the chip at addr as silicon (and the board's bootloader)
 * would. A board with a bootloader region whose first word is erased: the
 * model does what that bootloader does on a normal start, VTOR and the jump to
 * s->app (the Crazyflie's cf2loader without its radio). Writes what it did to
 * note. Returns the address whose vector table was used. */
uint32_t vboard_boot(struct mcu *m, const struct vboard_spec *s, uint32_t addr, char *note,
		     size_t notelen);

/* The address an image is linked for, from its vector table at run address
 * `at` (handlers are absolute addresses), or `at` itself when the table fits
 * there or nothing better is known (boot_link.c). Memory through read(). */
struct vboard_reader {
	bool (*read)(void *ctx, uint32_t addr, uint8_t *buf, uint32_t len);
	void *ctx;
};
uint32_t vboard_linked_base(const struct vboard_spec *s, const struct vboard_reader *r, uint32_t at);

/* What a run showed, and the line it makes (verdict_text.c, pure). */
struct vboard_facts {
	uint32_t boot_at;         /* the vector table the core started from */
	bool erased;              /* ...was erased */
	uint32_t linked_at;       /* vboard_linked_base() of the image there */
	bool faulted, halted;
	uint32_t fault_pc, halt_pc;
	const char *fault_what;   /* the core's words, may be "" */
	uint64_t instructions;
	unsigned ms;
	int led_port, led_pin;    /* -1: the board has no LED */
	int led_level;            /* -1: not driven */
	unsigned led_toggles;
	int other_port, other_pin;/* the pin that toggled most, when not the LED (-1: none) */
	unsigned other_toggles;
	const char *console;      /* console text (NUL-terminated) */
	const char *lost_why;     /* why console bytes were lost, "" if none */
	uint64_t lost;
};
void vboard_verdict_text(const struct vboard_facts *f, struct vboard_result *r);

/* Keep/restore the result in s->result (front ends whose run happens in
 * another process, the drive's watcher); print it as the front end's last
 * lines (the verdict, then the console text). */
int vboard_result_save(const char *path, const struct vboard_result *r);
int vboard_result_load(const char *path, struct vboard_result *r);
void vboard_result_print(FILE *out, const struct vboard_spec *s, const struct vboard_result *r);
/* The front end's exit status: the command's, or 65 when the command
 * succeeded but the image did not run (fault, no application). */
int vboard_exit_status(int command_status, const struct vboard_result *r);

/* The glue a front end needs (verdict_frontend.c): its --run option, a run
 * at each start event, and at exit the last verdict printed and the exit
 * status. Runs may happen in another process (the drive's watcher): each
 * run's result goes to a file the front end reads at exit. */
struct vboard_run_opt {
	bool set;                 /* --run given */
	struct vboard_spec spec;
	char own_result[64];      /* a private result file when spec.result is empty */
	struct vboard_result last;
	bool ran;
};
/* --run SPEC. Returns 0, or -1 with msg filled. */
int vboard_run_option(struct vboard_run_opt *o, const char *spec_text, char *msg, size_t msglen);
/* A start event (no-op without --run): boot at addr, run, judge. Returns the kind, -1 if not set. */
int vboard_run_at(struct vboard_run_opt *o, struct vflash *f, uint32_t addr, const char *why,
		  void (*console_out)(void *ctx, uint8_t byte), void *console_ctx);
/* At exit: print the last run's verdict and console (to out) and return the
 * front end's exit status (vboard_exit_status). Without --run: status. */
int vboard_run_finish(struct vboard_run_opt *o, int status, FILE *out);

#endif
