# FOME / rusEFI Proteus ECU, STM32F767 variant (STM32F767ZI). DFU over the ECU's USB is
# the recovery path when the FOME console cannot see the board. The F7's 2 MiB flash may
# be dual-bank, where FOME reports failed erases: a mass erase runs before every flash
# (ERASE_BEFORE_FLASH=0 to skip it). :leave does not always start the firmware.
BOARD_NAME            ?= FOME Proteus (F7)
BOARD_MCU             ?= stm32f767zi
PROGRAMMERS_SUPPORTED ?= dfu openocd
PROGRAMMER            ?= dfu
ERASE_BEFORE_FLASH    ?= 1
ERASE_BEFORE_FLASH_WHY = STM32F7 dual-bank flash can fail to erase page by page
OPENOCD_INTERFACE     ?= interface/stlink.cfg
BOARD_ENTER_dfu       ?= ECU DFU: with the ECU unplugged from the computer, press the boot button (or short the boot pads) and, holding it, plug the ECU into the computer; release once connected.
BOARD_ENTER_openocd   ?= ECU SWD: connect an ST-LINK to the ECU's SWD header (GND, SWDIO, SWCLK, NRST) and power the ECU.
DFU_DONE_TEXT         ?= unplug the ECU and plug it back in
BLINKY_LED_PORT ?= B
BLINKY_LED_PIN  ?= 7
# Console: USART3 TX on PD8 (no console UART is documented for the ECU; the virtual board uses this one).
CONSOLE_USART ?= 3
CONSOLE_TX    ?= D8
CONSOLE_TX_AF ?= 7
CONSOLE_BAUD  ?= 115200
include $(FK_ROOT)/boards/common/stm32f767xi.mk
