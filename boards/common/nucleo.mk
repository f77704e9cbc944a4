# ST Nucleo boards: an on-board ST-LINK (V2-1 or V3) is the programmer. It is a debug
# probe for OpenOCD, a USB drive for cpy2remed (label NODE_xxx or NOD_xxx) and a virtual
# COM port (/dev/ttyACM0) for stm32flash where that reaches a bootloader USART.
PROGRAMMER        ?= openocd
OPENOCD_INTERFACE ?= interface/stlink.cfg
PORT_DEFAULT      ?= /dev/ttyACM0
# The ROM UART bootloader's speed (every STM32 ROM accepts 115200; 8E1).
STM32FLASH_BAUD   ?= 115200
BOARD_ENTER_openocd   ?= Nucleo: the on-board ST-LINK is the programmer: plug the USB cable into the ST-LINK connector (CN1) and keep both CN2 jumpers (ST-LINK <-> NUCLEO) fitted.
BOARD_ENTER_cpy2remed ?= Nucleo: the on-board ST-LINK is the programmer: plug the USB cable into the ST-LINK connector (CN1); its drive ($(STLINK_LABELS)) must be mounted.
