/* The peripherals a small firmware touches, per family (F4, F7, H7, L4, G0,
 * C0): RCC clock enables (and the ready bits start-up code waits for, PWR's
 * too), GPIO
 * (every change of a driven output pin is an event with the core's cycle
 * count), one USART whose TX reaches the board's console, and SysTick.
 *
 * The models here know nothing of the core: time comes from a struct vclock
 * and events go to a FILE, so unit tests drive them directly. periph_board.c
 * puts them on a struct mcu (mcu_map_periph) with the family's addresses.
 * Register offsets and reset values are the reference manuals' (RM0368/RM0090
 * F4, RM0410 F7, RM0433 H7, RM0351 L4, RM0444 G0, RM0490 C0). */
#ifndef PERIPH_H
#define PERIPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mcu.h"

/* Where time comes from: core clock cycles since the boot. */
struct vclock {
	uint64_t (*cycles)(void *ctx);
	void *ctx;
};

/* A register access of 1, 2 or 4 bytes on a 32-bit register file: the
 * models keep 32-bit registers; narrower accesses read or merge into them. */
uint32_t periph_narrow_read(uint32_t reg, uint32_t off, unsigned width);
uint32_t periph_narrow_merge(uint32_t reg, uint32_t off, uint32_t val, unsigned width);

/* ---- RCC ---------------------------------------------------------------- */
#define RCC_REGS (0x400 / 4)
struct periph_rcc {
	enum mcu_family family;
	uint32_t r[RCC_REGS];
	uint32_t gpio_en;   /* offset of the register whose bit N clocks GPIO port N */
	uint32_t apb1_en;   /* offset of the register with USART2EN (17), USART3EN (18) */
	uint32_t cr, cfgr;  /* offsets of CR (ON/RDY pairs) and CFGR (SW -> SWS) */
};
void rcc_init(struct periph_rcc *r, enum mcu_family family);
uint32_t rcc_read(void *ctx, uint32_t off, unsigned width);
void rcc_write(void *ctx, uint32_t off, uint32_t val, unsigned width);
bool rcc_gpio_clocked(const struct periph_rcc *r, unsigned port);
bool rcc_usart_clocked(const struct periph_rcc *r, unsigned usart);

/* ---- PWR: the regulator's ready bits ------------------------------------- */
struct periph_pwr {
	enum mcu_family family;
	uint32_t r[0x400 / 4];
};
void pwr_init(struct periph_pwr *p, enum mcu_family family);
uint32_t pwr_read(void *ctx, uint32_t off, unsigned width);
void pwr_write(void *ctx, uint32_t off, uint32_t val, unsigned width);
uint32_t periph_pwr_base(enum mcu_family f);

/* ---- GPIO: all ports in one region, one port every 0x400 ---------------- */
#define GPIO_PORTS 11 /* A..K */
#define GPIO_EVENTS 64

struct gpio_event {
	uint64_t cycles;
	uint8_t port, pin, level;
};

struct gpio_pin_stats {
	int8_t level;          /* driven level, -1 while not an output */
	uint32_t toggles;      /* changes between driven levels */
	uint64_t first, last;  /* cycles of the first and last toggle */
};

struct periph_gpio {
	enum mcu_family family;
	struct gpio_port {
		uint32_t moder, otyper, ospeedr, pupdr, odr, lckr, afr[2];
	} port[GPIO_PORTS];
	struct gpio_pin_stats pin[GPIO_PORTS][16];
	struct gpio_event ev[GPIO_EVENTS]; /* the first GPIO_EVENTS changes */
	unsigned nev;
	uint64_t changes;      /* all changes of driven pins */
	const struct periph_rcc *rcc; /* NULL: every port clocked */
	struct vclock clock;
	FILE *log;             /* "mcu: PA5 high at 50.000 ms" lines, may be NULL */
	uint32_t hz;           /* for the times in the log */
	unsigned logged, log_max;
	bool warned_clock[GPIO_PORTS];
};
void gpio_init(struct periph_gpio *g, enum mcu_family family, const struct periph_rcc *rcc,
	       struct vclock clock, uint32_t hz, FILE *log);
uint32_t gpio_read(void *ctx, uint32_t off, unsigned width);
void gpio_write(void *ctx, uint32_t off, uint32_t val, unsigned width);
/* Mode of a pin: 0 input, 1 output, 2 alternate function, 3 analog. */
unsigned gpio_mode(const struct periph_gpio *g, unsigned port, unsigned pin);
unsigned gpio_af(const struct periph_gpio *g, unsigned port, unsigned pin);

/* ---- USART (the console) ------------------------------------------------ */
struct periph_usart {
	unsigned n;            /* 2 or 3: the RCC enable bit is 15 + n */
	bool f4_layout;        /* SR/DR/BRR/CR1 at 0/4/8/0xC; else CR1 0, BRR 0xC, ISR 0x1C, TDR 0x28 */
	uint32_t r[0x40 / 4];  /* plain registers (CR1, CR2, CR3, BRR, ...) */
	const struct periph_rcc *rcc;   /* NULL: always clocked */
	const struct periph_gpio *gpio; /* NULL: TX pin not checked */
	int tx_port, tx_pin, tx_af;     /* the console's TX pin and its alternate function */
	void (*out)(void *ctx, uint8_t byte); /* the board's console (pty, file), may be NULL */
	void *out_ctx;
	char text[2048];       /* what reached the console, for the verdict */
	size_t len;            /* bytes kept in text */
	uint64_t sent;         /* bytes that reached the console */
	uint64_t lost;         /* bytes written that could not leave (disabled, pin not routed) */
	char lost_why[128];    /* the first reason */
	uint8_t rx[64];        /* bytes from the host not yet read (RDR) */
	unsigned rx_len;
	FILE *log;
};
void usart_init(struct periph_usart *u, unsigned n, bool f4_layout, const struct periph_rcc *rcc,
		const struct periph_gpio *gpio, int tx_port, int tx_pin, int tx_af, FILE *log);
uint32_t usart_read(void *ctx, uint32_t off, unsigned width);
void usart_write(void *ctx, uint32_t off, uint32_t val, unsigned width);
/* A byte from the host arrives on RX. */
void usart_rx(struct periph_usart *u, uint8_t byte);

/* ---- SysTick (SCS 0xE000E010) ------------------------------------------- */
struct periph_systick {
	uint32_t csr, rvr, cvr, calib;
	bool countflag;
	bool fired;            /* reached 0 since the exception was last pended */
	uint64_t t0;           /* cycles at which cvr was last brought up to date */
	struct vclock clock;
	void (*pend)(void *ctx); /* TICKINT: pend the SysTick exception (15), may be NULL */
	void *pend_ctx;
	uint64_t pended;       /* times it was pended */
	FILE *log;
	bool warned_tickint;
};
void systick_init(struct periph_systick *s, struct vclock clock, uint32_t hz, FILE *log);
uint32_t systick_read(void *ctx, uint32_t off, unsigned width);
void systick_write(void *ctx, uint32_t off, uint32_t val, unsigned width);
/* Time passed (the core's slice ended): pend the exception if it is due. */
void systick_tick(void *ctx, uint64_t cycles);

/* ---- All of them on a core (periph_board.c) ------------------------------ */
struct periph_config {
	enum mcu_family family;
	uint32_t hz;           /* core clock out of reset */
	unsigned usart;        /* console USART: 2 or 3, 0 for none */
	int tx_port, tx_pin, tx_af; /* its TX pin, -1: not checked */
	void (*console)(void *ctx, uint8_t byte);
	void *console_ctx;
	FILE *log;
};

struct periph_set {
	struct periph_config cfg;
	struct periph_rcc rcc;
	struct periph_pwr pwr;
	struct periph_gpio gpio;
	struct periph_usart usart;
	struct periph_systick systick;
	struct mcu *mcu;
	uint32_t hz;
};

/* The family's addresses: GPIOA, RCC, a USART. 0 when unknown. */
uint32_t periph_gpio_base(enum mcu_family f);
uint32_t periph_rcc_base(enum mcu_family f);
uint32_t periph_usart_base(unsigned n);

/* Allocate the models and map them on m. NULL with msg filled on failure. */
struct periph_set *periph_attach(struct mcu *m, const struct periph_config *cfg, char *msg,
				 size_t msglen);
void periph_free(struct periph_set *p);
/* A system reset: every model back to its reset values (counts and console too). */
void periph_reset(struct periph_set *p);

#endif
