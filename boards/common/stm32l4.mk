# STM32L4 family: Cortex-M4, 2 KiB pages, ROM DFU 0483:df11 on USB parts; OpenOCD stm32l4x.
BOARD_FAMILY   ?= stm32l4
BOARD_CPU      ?= cortex-m4
FLASH_BASE     ?= 0x08000000
RAM_BASE       ?= 0x20000000
DFU_USB_ID     ?= 0483:df11
DFU_ALT        ?= 0
OPENOCD_TARGET ?= target/stm32l4x.cfg
OPENOCD_ERASE  ?= stm32l4x+mass_erase+0
# blinky: RCC_AHB2ENR and GPIOA at 0x48000000
BLINKY_RCC_GPIOEN ?= 0x4002104C
BLINKY_GPIO_BASE  ?= 0x48000000
# The core clock out of reset (MSI 4 MHz): blinky's SysTick and baud rate, and the
# virtual board's time base. RCC_APB1ENR1: the USART2 (bit 17) / USART3 (bit 18) clock enable.
CPU_HZ_RESET       ?= 4000000
BLINKY_RCC_USARTEN ?= 0x40021058
# Console USART bases (the same on every family here).
USART2_BASE        ?= 0x40004400
USART3_BASE        ?= 0x40004800
