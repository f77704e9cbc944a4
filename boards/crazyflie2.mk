# Bitcraze Crazyflie 2.x (STM32F405RG). A 16 KiB bootloader lives at 0x08000000-0x08003FFF
# and the application at 0x08004000: a normal flash never writes below it; recovery of
# the bootloader is the explicit target flash-bootloader (BOOTLOADER_FILE=cf2loader-1.0.bin).
BOARD_NAME            ?= Crazyflie 2.x
BOARD_MCU             ?= stm32f405rg
PROGRAMMERS_SUPPORTED ?= dfu openocd
PROGRAMMER            ?= dfu
IMAGE_OFFSET          ?= 0x4000
BOOTLOADER_SIZE       ?= 16K
OPENOCD_INTERFACE     ?= interface/stlink.cfg
BOARD_ENTER_dfu       ?= Crazyflie DFU: connect the micro-USB cable to the PC but not yet to the Crazyflie, disconnect the battery, hold the power button while plugging the cable in, and keep holding about 5 s until the LED blinks at the second, slower rate (1 Hz); then release.
BOARD_ENTER_openocd   ?= Crazyflie SWD: connect an ST-LINK to the debug connector through the Bitcraze debug adapter and power the Crazyflie.
DFU_DONE_TEXT         ?= the Crazyflie must be power-cycled: disconnect USB and battery
# The running firmware's USB id; its DFU run-time interface lets make flash_dfu detach it.
DFU_RUNTIME_ID        ?= 0483:5740
BLINKY_LED_PORT ?= C
BLINKY_LED_PIN  ?= 0
# Console: USART3 TX on PC10 (UART1 on the expansion connector).
CONSOLE_USART ?= 3
CONSOLE_TX    ?= C10
CONSOLE_TX_AF ?= 7
CONSOLE_BAUD  ?= 115200
include $(FK_ROOT)/boards/common/stm32f405xg.mk
