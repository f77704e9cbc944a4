# STM32F4DISCOVERY (STM32F407VG): on-board ST-LINK for OpenOCD, and the ROM DFU
# bootloader on the micro-USB OTG connector (CN5) as in the Aseba recipe, which passes
# -c 1 -i 0 to dfu-util; USART3 (PB10/PB11) reaches the ROM UART bootloader.
BOARD_NAME            ?= STM32F4DISCOVERY
BOARD_MCU             ?= stm32f407vg
PROGRAMMERS_SUPPORTED ?= openocd dfu stm32flash
PROGRAMMER            ?= openocd
OPENOCD_INTERFACE     ?= interface/stlink.cfg
DFU_CONFIG            ?= 1
DFU_INTF              ?= 0
PORT_DEFAULT          ?= /dev/ttyUSB0
STM32FLASH_BAUD       ?= 115200
BOARD_ENTER_dfu        ?= Discovery DFU: set BOOT0=1 (bridge BOOT0 to VDD) and BOOT1=0 (PB2 to GND), stop any traffic on the UART and CAN pins (or the ROM bootloader picks that interface), connect micro-USB CN5 and press RESET; remove the bridge and reset afterwards.
BOARD_ENTER_stm32flash ?= Discovery UART: connect the adapter to USART3 (PB10 TX, PB11 RX, GND), set BOOT0=1 and BOOT1=0 (PB2 low), keep CAN and USB quiet, press RESET.
BOARD_ENTER_openocd    ?= Discovery: the on-board ST-LINK is the programmer: plug the mini-USB cable (CN1) and keep both CN3 jumpers fitted.
BLINKY_LED_PORT ?= D
BLINKY_LED_PIN  ?= 12
# Console: USART3 TX on PB10, the ROM bootloader USART the UART adapter is wired to.
CONSOLE_USART ?= 3
CONSOLE_TX    ?= B10
CONSOLE_TX_AF ?= 7
CONSOLE_BAUD  ?= 115200
include $(FK_ROOT)/boards/common/stm32f405xg.mk
