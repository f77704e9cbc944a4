# NUCLEO-F446RE (stm32f446re), on-board ST-LINK.
BOARD_NAME            ?= NUCLEO-F446RE
BOARD_MCU             ?= stm32f446re
PROGRAMMERS_SUPPORTED ?= openocd cpy2remed stm32flash
STLINK_LABELS         ?= NODE_F446RE NOD_F446RE
BLINKY_LED_PORT       ?= A
BLINKY_LED_PIN        ?= 5
include $(FK_ROOT)/boards/common/nucleo64.mk
include $(FK_ROOT)/boards/common/stm32f446xe.mk
