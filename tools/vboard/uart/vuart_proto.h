/* The STM32 ROM UART bootloader (ST AN3155) as a byte-fed state machine.
 * No I/O here: the board feeds received bytes in and drains the reply
 * bytes out, so the protocol can be unit-tested without a terminal. */
#ifndef VUART_PROTO_H
#define VUART_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vflash.h"

#define VP_ACK 0x79
#define VP_NACK 0x1F

enum vp_event {
	VP_EV_NONE,
	VP_EV_GO_FLASH,   /* GO into flash: the application runs */
	VP_EV_SYSRESET,   /* protect commands and code run from RAM reset the chip */
};

struct vp_config {
	uint16_t pid;             /* GET_ID answer, e.g. 0x433 (STM32F401xD/E) */
	uint8_t version;          /* bootloader version, 0x31 */
	bool legacy_erase;        /* offer ERASE 0x43 instead of EXTENDED_ERASE 0x44 */
	uint32_t ram_base, ram_size;
	uint32_t nack_write_from;  /* fault: NACK this WRITE (1 = first) and all later; 0 = off */
	bool nack_go;              /* fault: refuse GO */
	bool bad_read;             /* fault: READ returns flash with one bit flipped (a weak cell) */
};

struct vuart_proto {
	struct vp_config cfg;
	struct vflash *flash;
	uint8_t *ram;
	bool synced;              /* 0x7F seen since reset */
	/* the command being received */
	int state;
	uint8_t cmd;
	uint8_t buf[2 + 2 * 65536 + 1];
	size_t have, need;
	uint32_t addr;
	uint32_t writes;          /* WRITE_MEMORY commands that reached the data phase */
	/* reply bytes waiting to go out */
	uint8_t out[512];
	size_t out_len;
	/* what the chip does next; the board reads and clears it */
	enum vp_event event;
	uint32_t event_addr;
	char note[160];           /* last notable thing, for the board log */
};

void vp_init(struct vuart_proto *p, const struct vp_config *cfg, struct vflash *flash,
	     uint8_t *ram);
/* Back to "waiting for 0x7F", as after a reset into the bootloader. */
void vp_reset(struct vuart_proto *p);
/* One received byte. corrupt: a framing or parity error on the line; the
 * command in progress fails with a NACK. */
void vp_feed(struct vuart_proto *p, uint8_t byte, bool corrupt);

#endif
