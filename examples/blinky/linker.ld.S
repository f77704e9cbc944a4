/* blinky's linker script template. The Makefile runs it through the C preprocessor with
 * the board's memory map: FK_FLASH_BASE, FK_FLASH_SIZE, FK_IMAGE_OFFSET (the application
 * starts after a bootloader, e.g. 0x4000 on Crazyflie), FK_RAM_BASE, FK_RAM_SIZE. */
MEMORY
{
	FLASH (rx)  : ORIGIN = FK_FLASH_BASE + FK_IMAGE_OFFSET, LENGTH = FK_FLASH_SIZE - FK_IMAGE_OFFSET
	RAM   (rwx) : ORIGIN = FK_RAM_BASE, LENGTH = FK_RAM_SIZE
}

ENTRY(Reset_Handler)
_estack = ORIGIN(RAM) + LENGTH(RAM);

SECTIONS
{
	.isr_vector : {
		_vectors_start = .;
		KEEP(*(.isr_vector))
	} > FLASH

	.text : {
		*(.text*)
		*(.rodata*)
		. = ALIGN(4);
	} > FLASH

	_sidata = LOADADDR(.data);
	.data : {
		_sdata = .;
		*(.data*)
		. = ALIGN(4);
		_edata = .;
	} > RAM AT > FLASH

	.bss (NOLOAD) : {
		_sbss = .;
		*(.bss*)
		*(COMMON)
		. = ALIGN(4);
		_ebss = .;
	} > RAM

	/DISCARD/ : { *(.ARM.exidx*) *(.comment) }
}
