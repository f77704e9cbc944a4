/* The board around the bootloader: NRST and BOOT0 driven by the adapter's
 * DTR and RTS (or not wired), what the chip runs after a reset, and how
 * the USART receives the host's bytes (framing, baud). */
#ifndef VUART_BOARD_H
#define VUART_BOARD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vuart_proto.h"

struct vboard_run_opt;

enum wiring { WIRE_NONE, WIRE_INVERTED, WIRE_DIRECT };
enum mode { MODE_RESET, MODE_BOOTLOADER, MODE_APP };

struct framing {
	unsigned baud;
	int bits;
	char parity; /* N, E, O */
	int stop;
};

struct board {
	struct vuart_proto proto;
	enum wiring wiring;
	bool boot0_jumper;      /* BOOT0 level when RTS is not wired */
	bool no_answer;         /* fault: the ROM picked another interface */
	unsigned max_baud;      /* fastest rate the ROM's autobaud locks on */
	const char *app_banner; /* what the application prints when it starts */
	struct vboard_run_opt *run; /* --run: GO and resets run the image on the mcu model */
	const char *state_path; /* written after every change, for tests */
	FILE *log;

	bool rts, dtr;          /* asserted by the host */
	enum mode mode;
	struct framing host;    /* what the host's UART sends */
	unsigned sync_baud;     /* rate locked by the 0x7F */
	unsigned resets, bootloader_entries, app_starts;
	uint32_t app_entry;     /* where the last application start jumped */
	char last[200];         /* last notable event */

	/* bytes for the host, drained by the caller */
	uint8_t tx[1024];
	size_t tx_len;
};

void board_power_on(struct board *b);
/* The host's RTS/DTR changed (asserted = 1). */
void board_set_lines(struct board *b, bool rts, bool dtr);
void board_set_framing(struct board *b, const struct framing *f);
/* One byte from the host's UART. */
void board_rx(struct board *b, uint8_t byte);
void board_write_state(struct board *b);
/* --console-period: while the application runs it prints the banner again
 * (console text after GO, for a terminal opened later). */
void board_console_tick(struct board *b);

#endif
