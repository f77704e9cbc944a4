/* blinky: toggle the board's LED pin forever. Bare metal, no library.
 * The board file gives the registers (see Makefile): BLINKY_RCC_GPIOEN is the RCC
 * register whose bit N clocks GPIO port N, BLINKY_GPIO_BASE is GPIOA; ports follow
 * every 0x400 bytes and share the MODER (0x00) / ODR (0x14) layout on every STM32 here. */
#include <stdint.h>

#define REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#define GPIO_PORT_BASE (BLINKY_GPIO_BASE + 0x400u * LED_PORT)
#define GPIO_MODER REG(GPIO_PORT_BASE + 0x00u)
#define GPIO_ODR REG(GPIO_PORT_BASE + 0x14u)

/* In .data on purpose: the start-up code copies it from flash, so every image carries a
 * segment whose load address differs from its run address. */
static volatile uint32_t blink_delay = 400000u;

int main(void);

int main(void)
{
	REG(BLINKY_RCC_GPIOEN) |= 1u << LED_PORT;
	/* A read back gives the clock the two cycles it needs before the port answers. */
	(void)REG(BLINKY_RCC_GPIOEN);
	GPIO_MODER = (GPIO_MODER & ~(3u << (2 * LED_PIN))) | (1u << (2 * LED_PIN));
	for (;;) {
		GPIO_ODR ^= 1u << LED_PIN;
		for (volatile uint32_t i = 0; i < blink_delay; i++)
			;
	}
}
