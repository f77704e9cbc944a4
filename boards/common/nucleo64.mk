# Nucleo-64: the ST-LINK's virtual COM port is wired to USART2 (PA2/PA3), a ROM
# bootloader port on these chips; BOOT0 is on the morpho header.
BOARD_ENTER_stm32flash ?= Nucleo-64: the ST-LINK serial port (PORT=/dev/ttyACM0) reaches USART2: connect BOOT0 (CN7 pin 7) to VDD (CN7 pin 5), press RESET (B2), flash, then remove the wire and reset.
include $(FK_ROOT)/boards/common/nucleo.mk
