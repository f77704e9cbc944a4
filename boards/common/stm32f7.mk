# STM32F7 family: Cortex-M7, flash on AXIM at 0x08000000, ROM DFU 0483:df11, OpenOCD's
# stm32f2x driver through target/stm32f7x.cfg. 2 MB parts can run dual-bank (nDBANK=0);
# FOME notes that flashing them can fail on erase unless the flash is mass-erased first.
BOARD_FAMILY   ?= stm32f7
BOARD_CPU      ?= cortex-m7
FLASH_BASE     ?= 0x08000000
RAM_BASE       ?= 0x20000000
DFU_USB_ID     ?= 0483:df11
DFU_ALT        ?= 0
OPENOCD_TARGET ?= target/stm32f7x.cfg
OPENOCD_ERASE  ?= stm32f2x+mass_erase+0
BLINKY_RCC_GPIOEN ?= 0x40023830
BLINKY_GPIO_BASE  ?= 0x40020000
# The core clock out of reset (HSI 16 MHz): blinky's SysTick and baud rate, and the
# virtual board's time base. RCC_APB1ENR: the USART2 (bit 17) / USART3 (bit 18) clock enable.
CPU_HZ_RESET       ?= 16000000
BLINKY_RCC_USARTEN ?= 0x40023840
# Console USART bases (the same on every family here).
USART2_BASE        ?= 0x40004400
USART3_BASE        ?= 0x40004800
