# Nucleo-144: the virtual COM port is USART3 on PD8/PD9, not a bootloader port, so no
# stm32flash; the USB USER connector (CN13) reaches the ROM DFU bootloader instead.
BOARD_ENTER_dfu ?= Nucleo-144 DFU: connect BOOT0 (CN11 pin 7) to VDD (CN11 pin 5), plug a USB cable into USB USER (CN13), press RESET (B2); remove the wire and reset afterwards.
include $(FK_ROOT)/boards/common/nucleo.mk
