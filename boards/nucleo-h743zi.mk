# NUCLEO-H743ZI (and H743ZI2) (stm32h743zi), on-board ST-LINK.
BOARD_NAME            ?= NUCLEO-H743ZI (and H743ZI2)
BOARD_MCU             ?= stm32h743zi
PROGRAMMERS_SUPPORTED ?= openocd cpy2remed dfu
STLINK_LABELS         ?= NODE_H743ZI NOD_H743ZI NOD_H743ZI2
BLINKY_LED_PORT       ?= B
BLINKY_LED_PIN        ?= 0
include $(FK_ROOT)/boards/common/nucleo144.mk
include $(FK_ROOT)/boards/common/stm32h743xi.mk
