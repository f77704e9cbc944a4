# STM32F4 family: Cortex-M4, flash at 0x08000000, ROM DFU bootloader 0483:df11 (alt 0
# "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,..."), OpenOCD's stm32f2x flash driver.
BOARD_FAMILY   ?= stm32f4
BOARD_CPU      ?= cortex-m4
FLASH_BASE     ?= 0x08000000
RAM_BASE       ?= 0x20000000
DFU_USB_ID     ?= 0483:df11
DFU_ALT        ?= 0
OPENOCD_TARGET ?= target/stm32f4x.cfg
OPENOCD_ERASE  ?= stm32f2x+mass_erase+0
# blinky: RCC_AHB1ENR and GPIOA (ports every 0x400)
BLINKY_RCC_GPIOEN ?= 0x40023830
BLINKY_GPIO_BASE  ?= 0x40020000
