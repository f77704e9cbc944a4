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
# The core clock out of reset (HSI 16 MHz): blinky's SysTick and baud rate, and the
# virtual board's time base. RCC_APB1ENR: the USART2 (bit 17) / USART3 (bit 18) clock enable.
CPU_HZ_RESET       ?= 16000000
BLINKY_RCC_USARTEN ?= 0x40023840
# Console USART bases (the same on every family here).
USART2_BASE        ?= 0x40004400
USART3_BASE        ?= 0x40004800
