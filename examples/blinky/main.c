/* blinky: blink the board's LED and say which board it is on the console USART.
 * Bare metal, no library, no interrupts: time comes from polling SysTick's COUNTFLAG.
 * The board file gives the registers (see Makefile): BLINKY_RCC_GPIOEN is the RCC
 * register whose bit N clocks GPIO port N, BLINKY_GPIO_BASE is GPIOA; ports follow
 * every 0x400 bytes and share the MODER (0x00) / ODR (0x14) / AFR (0x20) layout on
 * every STM32 here. The console is CONSOLE_USART (2 or 3) with its TX pin. */
#include <stdint.h>

#define REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#define GPIO(port, off) REG(BLINKY_GPIO_BASE + 0x400u * (port) + (off))
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)

/* The F4's USART has SR/DR at 0x00/0x04 and CR1 at 0x0C (UE bit 13); the later
 * families' has CR1 at 0x00 (UE bit 0), ISR at 0x1C and TDR at 0x28. */
#if BLINKY_USART_OLD
#define USART_CR1 REG(BLINKY_USART_BASE + 0x0Cu)
#define USART_BRR REG(BLINKY_USART_BASE + 0x08u)
#define USART_ISR REG(BLINKY_USART_BASE + 0x00u)
#define USART_TDR REG(BLINKY_USART_BASE + 0x04u)
#define USART_UE (1u << 13)
#else
#define USART_CR1 REG(BLINKY_USART_BASE + 0x00u)
#define USART_BRR REG(BLINKY_USART_BASE + 0x0Cu)
#define USART_ISR REG(BLINKY_USART_BASE + 0x1Cu)
#define USART_TDR REG(BLINKY_USART_BASE + 0x28u)
#define USART_UE (1u << 0)
#endif
#define USART_TE (1u << 3)
#define USART_TXE (1u << 7)
#define USART_TC (1u << 6)

/* In .data on purpose: the start-up code copies it from flash, so every image carries a
 * segment whose load address differs from its run address. Half a period, in ms. */
static volatile uint32_t blink_delay = 50u;

int main(void);

static void pin_mode(uint32_t port, uint32_t pin, uint32_t mode)
{
	GPIO(port, 0x00u) = (GPIO(port, 0x00u) & ~(3u << (2 * pin))) | (mode << (2 * pin));
}

static void console_puts(const char *s)
{
	for (; *s; s++) {
		while (!(USART_ISR & USART_TXE))
			;
		USART_TDR = (uint8_t)*s;
	}
	while (!(USART_ISR & USART_TC))
		;
}

int main(void)
{
	REG(BLINKY_RCC_GPIOEN) |= (1u << LED_PORT) | (1u << TX_PORT);
	/* USART2 is bit 17 and USART3 bit 18 of the family's APB1 enable register. */
	REG(BLINKY_RCC_USARTEN) |= 1u << (15 + CONSOLE_USART);
	/* A read back gives the clocks the two cycles they need before the ports answer. */
	(void)REG(BLINKY_RCC_USARTEN);

	pin_mode(LED_PORT, LED_PIN, 1u); /* output */
	GPIO(TX_PORT, 0x20u + 4u * (TX_PIN / 8)) =
		(GPIO(TX_PORT, 0x20u + 4u * (TX_PIN / 8)) & ~(15u << (4 * (TX_PIN % 8)))) |
		(TX_AF << (4 * (TX_PIN % 8)));
	pin_mode(TX_PORT, TX_PIN, 2u); /* alternate function: USART TX */

	USART_BRR = (CPU_HZ + CONSOLE_BAUD / 2) / CONSOLE_BAUD; /* the reset clock feeds the USART */
	USART_CR1 = USART_UE | USART_TE;
	console_puts("blinky on " BLINKY_BOARD "\r\n");

	SYST_RVR = CPU_HZ / 1000u - 1u; /* one COUNTFLAG per millisecond */
	SYST_CVR = 0;
	SYST_CSR = 5u; /* enable, core clock, no interrupt */
	for (;;) {
		GPIO(LED_PORT, 0x14u) ^= 1u << LED_PIN;
		for (uint32_t ms = 0; ms < blink_delay;)
			if (SYST_CSR & (1u << 16))
				ms++;
	}
}
