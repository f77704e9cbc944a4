/* The console USART. Two register layouts: the F4's (SR 0x00, DR 0x04, BRR
 * 0x08, CR1 0x0C with UE at bit 13) and the one of F7/L4/G0/C0/H7 (CR1 0x00
 * with UE at bit 0, BRR 0x0C, ISR 0x1C, RDR 0x24, TDR 0x28). A byte leaves
 * at once (TXE and TC always set), so firmware that polls them runs on. It
 * reaches the console only as it would on the board: the USART clocked in RCC,
 * UE and TE set, and the TX pin in its alternate function; otherwise it is
 * counted as lost with the first reason, for the verdict. */
#include "periph.h"

#include <string.h>

enum { SR_TC = 1u << 6, SR_TXE = 1u << 7, SR_RXNE = 1u << 5, CR1_TE = 1u << 3, CR1_RE = 1u << 2 };

struct regs {
	uint32_t cr1, status, tdr, rdr, ue;
};

static struct regs layout(const struct periph_usart *u)
{
	return u->f4_layout ? (struct regs){ 0x0C, 0x00, 0x04, 0x04, 1u << 13 }
			    : (struct regs){ 0x00, 0x1C, 0x28, 0x24, 1u << 0 };
}

void usart_init(struct periph_usart *u, unsigned n, bool f4_layout, const struct periph_rcc *rcc,
		const struct periph_gpio *gpio, int tx_port, int tx_pin, int tx_af, FILE *log)
{
	memset(u, 0, sizeof *u);
	u->n = n;
	u->f4_layout = f4_layout;
	u->rcc = rcc;
	u->gpio = gpio;
	u->tx_port = tx_port;
	u->tx_pin = tx_pin;
	u->tx_af = tx_af;
	u->log = log;
}

static uint32_t status(const struct periph_usart *u)
{
	struct regs l = layout(u);
	uint32_t cr1 = u->r[l.cr1 / 4], v = SR_TC | SR_TXE;
	if (u->rx_len)
		v |= SR_RXNE;
	if (!u->f4_layout && (cr1 & l.ue)) {
		/* TEACK/REACK: HAL's UART_CheckIdleState waits for them. */
		if (cr1 & CR1_TE)
			v |= 1u << 21;
		if (cr1 & CR1_RE)
			v |= 1u << 22;
	}
	return v;
}

static void lose(struct periph_usart *u, const char *fmt, int a, int b, int c)
{
	if (!u->lost_why[0]) {
		snprintf(u->lost_why, sizeof u->lost_why, fmt, a, b, c);
		if (u->log)
			fprintf(u->log, "mcu: USART%u: byte not sent: %s\n", u->n, u->lost_why);
	}
	u->lost++;
}

static void transmit(struct periph_usart *u, uint8_t byte)
{
	struct regs l = layout(u);
	uint32_t cr1 = u->r[l.cr1 / 4];
	if (!(cr1 & l.ue) || !(cr1 & CR1_TE)) {
		lose(u, "USART%d is not enabled (CR1.UE and CR1.TE)", (int)u->n, 0, 0);
		return;
	}
	if (u->gpio && u->tx_port >= 0 &&
	    (gpio_mode(u->gpio, (unsigned)u->tx_port, (unsigned)u->tx_pin) != 2 ||
	     (u->tx_af >= 0 && gpio_af(u->gpio, (unsigned)u->tx_port, (unsigned)u->tx_pin) != (unsigned)u->tx_af))) {
		lose(u, "its TX pin P%c%d is not in alternate function %d", 'A' + u->tx_port, u->tx_pin,
		     u->tx_af);
		return;
	}
	u->sent++;
	if (u->len < sizeof u->text - 1)
		u->text[u->len++] = (char)byte;
	if (u->out)
		u->out(u->out_ctx, byte);
}

uint32_t usart_read(void *ctx, uint32_t off, unsigned width)
{
	struct periph_usart *u = ctx;
	struct regs l = layout(u);
	uint32_t r = off & ~3u, v;
	if (r == l.status)
		v = status(u);
	else if (r == l.rdr) {
		v = 0;
		if (u->rx_len) {
			v = u->rx[0];
			memmove(u->rx, u->rx + 1, --u->rx_len);
		}
	} else if (r < sizeof u->r)
		v = u->r[r / 4];
	else
		v = 0;
	return periph_narrow_read(v, off, width);
}

void usart_write(void *ctx, uint32_t off, uint32_t val, unsigned width)
{
	struct periph_usart *u = ctx;
	struct regs l = layout(u);
	uint32_t r = off & ~3u;
	if (r >= sizeof u->r)
		return;
	if (u->rcc && !rcc_usart_clocked(u->rcc, u->n)) {
		if (r == l.tdr)
			lose(u, "USART%d's clock is off (RCC APB1 enable bit %d)", (int)u->n, 15 + (int)u->n, 0);
		return;
	}
	if (r == l.tdr) {
		transmit(u, (uint8_t)val);
		return;
	}
	if (r == l.status)
		return; /* TC/RXNE clear-by-write: nothing is ever pending */
	u->r[r / 4] = periph_narrow_merge(u->r[r / 4], off, val, width);
}

void usart_rx(struct periph_usart *u, uint8_t byte)
{
	if (u->rx_len < sizeof u->rx)
		u->rx[u->rx_len++] = byte;
}
