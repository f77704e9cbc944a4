# STM32H7 family: Cortex-M7, 2 banks of 128 KiB sectors, DTCM RAM at 0x20000000, ROM DFU
# 0483:df11; OpenOCD's stm32h7x driver (the dual-bank script declares both banks).
BOARD_FAMILY   ?= stm32h7
BOARD_CPU      ?= cortex-m7
FLASH_BASE     ?= 0x08000000
RAM_BASE       ?= 0x20000000
DFU_USB_ID     ?= 0483:df11
DFU_ALT        ?= 0
OPENOCD_TARGET ?= target/stm32h7x_dual_bank.cfg
OPENOCD_ERASE  ?= stm32h7x+mass_erase+0 stm32h7x+mass_erase+1
# blinky: RCC_AHB4ENR and GPIOA
BLINKY_RCC_GPIOEN ?= 0x580244E0
BLINKY_GPIO_BASE  ?= 0x58020000
# The core clock out of reset (HSI 64 MHz): blinky's SysTick and baud rate, and the
# virtual board's time base. RCC_APB1LENR: the USART2 (bit 17) / USART3 (bit 18) clock enable.
CPU_HZ_RESET       ?= 64000000
BLINKY_RCC_USARTEN ?= 0x580244E8
# Console USART bases (the same on every family here).
USART2_BASE        ?= 0x40004400
USART3_BASE        ?= 0x40004800
