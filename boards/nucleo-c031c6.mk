# NUCLEO-C031C6 (stm32c031c6), on-board ST-LINK.
BOARD_NAME            ?= NUCLEO-C031C6
BOARD_MCU             ?= stm32c031c6
PROGRAMMERS_SUPPORTED ?= cpy2remed openocd
STLINK_LABELS         ?= NODE_C031C6 NOD_C031C6
BLINKY_LED_PORT       ?= A
BLINKY_LED_PIN        ?= 5
# OpenOCD 0.12.0 cannot drive an STM32C0 (see boards/common/stm32c0.mk): the drive is the default.
PROGRAMMER            ?= cpy2remed
# PA2 is USART2_TX as alternate function 1 on this family.
CONSOLE_TX_AF         ?= 1
include $(FK_ROOT)/boards/common/nucleo64.mk
include $(FK_ROOT)/boards/common/stm32c031x6.mk
