# MKS XDrive (ODrive-compatible, STM32F405RG): DFU by removing the DFU jumper.
BOARD_NAME      ?= MKS XDrive
BOARD_ENTER_dfu ?= MKS XDrive DFU: connect USB to the PC, disconnect external power, remove the DFU jumper, connect external power (the controller boots in DFU mode); after flashing refit the jumper and power-cycle.
include $(FK_ROOT)/boards/common/odrive-class.mk
