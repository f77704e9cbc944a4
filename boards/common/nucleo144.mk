# Nucleo-144: the virtual COM port is USART3 on PD8/PD9, not a bootloader port, so no
# stm32flash; the USB USER connector (CN13) reaches the ROM DFU bootloader instead.
BOARD_ENTER_dfu ?= Nucleo-144 DFU: connect BOOT0 (CN11 pin 7) to VDD (CN11 pin 5), plug a USB cable into USB USER (CN13), press RESET (B2); remove the wire and reset afterwards.
# Console: USART3 TX on PD8, the ST-LINK virtual COM port.
CONSOLE_USART ?= 3
CONSOLE_TX    ?= D8
CONSOLE_TX_AF ?= 7
CONSOLE_BAUD  ?= 115200
include $(FK_ROOT)/boards/common/nucleo.mk
