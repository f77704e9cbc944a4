/* Cortex-M start-up for blinky: the vector table the linker script puts first in the
 * image, and a reset handler that sets up .data and .bss and calls main. */
#include <stdint.h>

extern uint32_t _estack, _sidata, _sdata, _edata, _sbss, _ebss;
extern const uint32_t _vectors_start;
int main(void);
void Reset_Handler(void);
void Default_Handler(void);

void Default_Handler(void)
{
	for (;;)
		;
}

void Reset_Handler(void)
{
	/* Behind a bootloader (Crazyflie: 0x08004000) the table is not at the flash base:
	 * point VTOR at ours. */
	*(volatile uint32_t *)0xE000ED08u = (uint32_t)(uintptr_t)&_vectors_start;
	for (uint32_t *s = &_sidata, *d = &_sdata; d < &_edata;)
		*d++ = *s++;
	for (uint32_t *d = &_sbss; d < &_ebss;)
		*d++ = 0;
	main();
	for (;;)
		;
}

/* Initial stack pointer, then the 15 system exceptions; interrupts are not used. */
__attribute__((section(".isr_vector"), used))
static void (*const vectors[16])(void) = {
	(void (*)(void))(uintptr_t)&_estack,
	Reset_Handler,   /* reset */
	Default_Handler, /* NMI */
	Default_Handler, /* HardFault */
	Default_Handler, /* MemManage */
	Default_Handler, /* BusFault */
	Default_Handler, /* UsageFault */
	0, 0, 0, 0,
	Default_Handler, /* SVCall */
	Default_Handler, /* DebugMon */
	0,
	Default_Handler, /* PendSV */
	Default_Handler, /* SysTick */
};
