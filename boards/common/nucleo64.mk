# Nucleo-64: the ST-LINK's virtual COM port is wired to USART2 (PA2/PA3), a ROM
# bootloader port on these chips; BOOT0 is on the morpho header.
BOARD_ENTER_stm32flash ?= Nucleo-64: the ST-LINK serial port (PORT=/dev/ttyACM0) reaches USART2: connect BOOT0 (CN7 pin 7) to VDD (CN7 pin 5), press RESET (B2), flash, then remove the wire and reset.
# Console: USART2 TX on PA2, the ST-LINK virtual COM port (AF7 on F4/L4; G0/C0 set AF1).
CONSOLE_USART ?= 2
CONSOLE_TX    ?= A2
CONSOLE_TX_AF ?= 7
CONSOLE_BAUD  ?= 115200
include $(FK_ROOT)/boards/common/nucleo.mk
