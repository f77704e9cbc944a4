# STM32G0 family: Cortex-M0+, 2 KiB pages, no USB on G07x (UART bootloader only);
# OpenOCD drives it with the stm32l4x flash driver through target/stm32g0x.cfg.
BOARD_FAMILY   ?= stm32g0
BOARD_CPU      ?= cortex-m0plus
FLASH_BASE     ?= 0x08000000
RAM_BASE       ?= 0x20000000
OPENOCD_TARGET ?= target/stm32g0x.cfg
OPENOCD_ERASE  ?= stm32l4x+mass_erase+0
# blinky: RCC_IOPENR and GPIOA on the IOPORT bus
BLINKY_RCC_GPIOEN ?= 0x40021034
BLINKY_GPIO_BASE  ?= 0x50000000
# The core clock out of reset (HSI16): blinky's SysTick and baud rate, and the
# virtual board's time base. RCC_APBENR1: the USART2 (bit 17) / USART3 (bit 18) clock enable.
CPU_HZ_RESET       ?= 16000000
BLINKY_RCC_USARTEN ?= 0x4002103C
# Console USART bases (the same on every family here).
USART2_BASE        ?= 0x40004400
USART3_BASE        ?= 0x40004800
# The ROM bootloader runs only from empty flash or when the option bytes say so.
BOARD_ENTER_stm32flash ?= STM32G0: the ROM UART bootloader starts only when the flash is empty or the option bytes select it (nBOOT_SEL=0 and BOOT0 high, or nBOOT0=0); otherwise use PROGRAMMER=openocd or cpy2remed.
