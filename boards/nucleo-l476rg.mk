# NUCLEO-L476RG (stm32l476rg), on-board ST-LINK.
BOARD_NAME            ?= NUCLEO-L476RG
BOARD_MCU             ?= stm32l476rg
PROGRAMMERS_SUPPORTED ?= openocd cpy2remed stm32flash
STLINK_LABELS         ?= NODE_L476RG NOD_L476RG
BLINKY_LED_PORT       ?= A
BLINKY_LED_PIN        ?= 5
include $(FK_ROOT)/boards/common/nucleo64.mk
include $(FK_ROOT)/boards/common/stm32l476xg.mk
