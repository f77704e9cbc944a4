# NUCLEO-F767ZI (stm32f767zi), on-board ST-LINK.
BOARD_NAME            ?= NUCLEO-F767ZI
BOARD_MCU             ?= stm32f767zi
PROGRAMMERS_SUPPORTED ?= openocd cpy2remed dfu
STLINK_LABELS         ?= NODE_F767ZI NOD_F767ZI
BLINKY_LED_PORT       ?= B
BLINKY_LED_PIN        ?= 0
include $(FK_ROOT)/boards/common/nucleo144.mk
include $(FK_ROOT)/boards/common/stm32f767xi.mk
