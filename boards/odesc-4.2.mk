# ODESC 4.2 (ODrive-compatible, STM32F405RG): no switch or jumper, BOOT and RESET buttons.
BOARD_NAME      ?= ODESC 4.2
BOARD_ENTER_dfu ?= ODESC DFU: connect USB to the PC and external power, press and hold BOOT, press RESET (the controller reboots in DFU mode); after flashing press RESET.
include $(FK_ROOT)/boards/common/odrive-class.mk
