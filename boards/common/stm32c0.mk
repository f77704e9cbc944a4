# STM32C0 family: Cortex-M0+, 2 KiB pages, no USB. OpenOCD 0.12.0 (Debian) has no
# target/stm32c0x.cfg and cannot identify the chip ("Cannot identify target as an
# STM32G0/G4/L4/L4+/L5/U5/WB/WL family device"): support came after 0.12.0, so the
# openocd programmer checks the installed version first. stm32flash 0.7 does not know
# the C0 device ids either; the ST-LINK drive (cpy2remed) works with every version.
BOARD_FAMILY        ?= stm32c0
BOARD_CPU           ?= cortex-m0plus
FLASH_BASE          ?= 0x08000000
RAM_BASE            ?= 0x20000000
OPENOCD_TARGET      ?= target/stm32c0x.cfg
OPENOCD_MIN_VERSION ?= 0.12.1
OPENOCD_ERASE       ?= stm32l4x+mass_erase+0
BLINKY_RCC_GPIOEN   ?= 0x40021034
BLINKY_GPIO_BASE    ?= 0x50000000
# The core clock out of reset (HSI48 / 4): blinky's SysTick and baud rate, and the
# virtual board's time base. RCC_APBENR1: the USART2 (bit 17) / USART3 (bit 18) clock enable.
CPU_HZ_RESET       ?= 12000000
BLINKY_RCC_USARTEN ?= 0x4002103C
# Console USART bases (the same on every family here).
USART2_BASE        ?= 0x40004400
USART3_BASE        ?= 0x40004800
