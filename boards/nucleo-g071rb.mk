# NUCLEO-G071RB (stm32g071rb), on-board ST-LINK.
BOARD_NAME            ?= NUCLEO-G071RB
BOARD_MCU             ?= stm32g071rb
PROGRAMMERS_SUPPORTED ?= openocd cpy2remed stm32flash
STLINK_LABELS         ?= NODE_G071RB NOD_G071RB
BLINKY_LED_PORT       ?= A
BLINKY_LED_PIN        ?= 5
BOARD_ENTER_stm32flash ?= Nucleo-G071RB: the ST-LINK serial port (PORT=/dev/ttyACM0) reaches USART2, but an STM32G0 starts its ROM bootloader only from empty flash or when the option bytes select it (nBOOT_SEL=0 with BOOT0 on CN7 pin 7 high, or nBOOT0=0); otherwise use PROGRAMMER=openocd or cpy2remed.
# PA2 is USART2_TX as alternate function 1 on this family.
CONSOLE_TX_AF         ?= 1
include $(FK_ROOT)/boards/common/nucleo64.mk
include $(FK_ROOT)/boards/common/stm32g071xb.mk
