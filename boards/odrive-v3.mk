# ODrive v3.x (STM32F405RG), the FFBeast way: DFU through the micro switch.
BOARD_NAME      ?= ODrive v3
BOARD_ENTER_dfu ?= ODrive DFU: connect USB to the PC, disconnect external power, turn the micro switch to DFU, connect external power (the controller boots in DFU mode); after flashing turn the switch back and power-cycle.
include $(FK_ROOT)/boards/common/odrive-class.mk
