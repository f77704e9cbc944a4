# ODrive v3 and its derivatives (MKS XDrive, ODESC 4.2), as FFBeast flashes them:
# STM32F405RG, ROM DFU over the board's USB by default; boards without a DFU switch use
# an ST-LINK wired by hand to GND, SWDIO, SWCLK and NRST, through OpenOCD.
BOARD_MCU             ?= stm32f405rg
PROGRAMMERS_SUPPORTED ?= dfu openocd
PROGRAMMER            ?= dfu
OPENOCD_INTERFACE     ?= interface/stlink.cfg
# NRST is wired: hold the chip in reset while connecting (helps with running firmware).
OPENOCD_RESET_CONFIG  ?= srst_only srst_nogate connect_assert_srst
BOARD_POWER_WARNING   ?= $(BOARD_NAME) does not power from USB: connect external power to boot the controller.
BOARD_ENTER_openocd   ?= ST-LINK by hand: wire GND, SWDIO, SWCLK and NRST to the board, connect the ST-LINK to the PC, then connect external power.
BOARD_WARNING_openocd ?= Not every ST-LINK works: cheap ST-LINK clones are often unreliable with these boards; if flashing fails or is unstable, use DFU (PROGRAMMER=dfu) or an ST-LINK from a trusted source.
BLINKY_LED_PORT ?= A
BLINKY_LED_PIN  ?= 0
# Console: USART2 TX on PA2 (GPIO1, UART_A on the ODrive header).
CONSOLE_USART ?= 2
CONSOLE_TX    ?= A2
CONSOLE_TX_AF ?= 7
CONSOLE_BAUD  ?= 115200
include $(FK_ROOT)/boards/common/stm32f405xg.mk
