# NUCLEO-F401RE (stm32f401re), on-board ST-LINK.
BOARD_NAME            ?= NUCLEO-F401RE
BOARD_MCU             ?= stm32f401re
PROGRAMMERS_SUPPORTED ?= openocd cpy2remed stm32flash
STLINK_LABELS         ?= NODE_F401RE NOD_F401RE
BLINKY_LED_PORT       ?= A
BLINKY_LED_PIN        ?= 5
include $(FK_ROOT)/boards/common/nucleo64.mk
include $(FK_ROOT)/boards/common/stm32f401xe.mk
