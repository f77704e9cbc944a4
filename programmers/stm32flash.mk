# stm32flash: the STM32 ROM UART bootloader (ST AN3155) on a USB-serial adapter, or on
# the Nucleo's ST-LINK virtual COM port where it reaches a bootloader USART.
#
# Board data used: PORT_DEFAULT, STM32FLASH_BAUD, IMAGE_ADDR, BOARD_ENTER_stm32flash.
#   flash : stm32flash -b 115200 [-i SEQ] -w fw.bin -v -S IMAGE_ADDR -g IMAGE_ADDR PORT
#   erase : stm32flash -b 115200 [-i SEQ] -o PORT
#   reset : stm32flash -b 115200 [-i SEQ] -g IMAGE_ADDR PORT
# 115200 baud by default: every STM32 ROM bootloader accepts it (RIOT's 57600 is half).
# STM32FLASH_RESET=1 drives BOOT0 from RTS and NRST from DTR with RIOT's sequences:
# enter the bootloader before, reset into the application after.
# STM32FLASH_RESET_INVERT=1 (default, like RIOT) for adapters with inverted RTS/DTR.
# SERIAL=SN picks the adapter by its USB serial, USB_PATH=1-2.3 by its USB port (flashkit list
# --select uart: none or several is an error), unless PORT is given.
# Each run goes through stm32flash-run.sh: PORT checked first, failures explained in one line.

STM32FLASH              ?= stm32flash
STM32FLASH_BAUD         ?= 115200
STM32FLASH_RESET        ?= 0
STM32FLASH_RESET_INVERT ?= 1
STM32FLASH_FILE_TYPE    ?= bin
PORT_DEFAULT            ?= /dev/ttyUSB0
PORT                    ?= $(PORT_DEFAULT)

PROG_TOOL       := stm32flash
PROG_PACKAGE    := stm32flash
PROG_FILE_TYPE   = $(STM32FLASH_FILE_TYPE)
PROG_FILE_TYPES := bin hex

# RIOT's sequences; the other one is tried when the bootloader does not answer, so
# the error can say whether flipping STM32FLASH_RESET_INVERT helps.
STM32FLASH_SEQ_1 := -rts,dtr,-dtr:rts,dtr,-dtr
STM32FLASH_SEQ_0 := rts,-dtr,dtr:-rts,-dtr,dtr
stm32flash_inv = $(if $(filter 1,$(STM32FLASH_RESET_INVERT)),1,0)
STM32FLASH_GPIO_SEQ ?= $(STM32FLASH_SEQ_$(stm32flash_inv))

# An explicit PORT wins over SERIAL/USB_PATH; those are looked up when the recipe runs.
stm32flash_by_usb = $(and $(SERIAL)$(USB_PATH),$(filter-out command% environment%,$(origin PORT)))
STM32FLASH_PORT = $(if $(stm32flash_by_usb),"$$fk_port",$(call fk_sq,$(PORT)))
stm32flash_find = $(if $(stm32flash_by_usb),fk_port=$$($(call fk_select,uart)) || exit $$?; )
STM32FLASH_ARGS = -b $(STM32FLASH_BAUD)$(if $(filter 1,$(STM32FLASH_RESET)), -i $(call fk_sq,$(STM32FLASH_GPIO_SEQ)))

PROG_NEED = $(call fk_need,$(STM32FLASH),$(PROG_PACKAGE))

# The UART flow (programmers/stm32flash-run.sh): PORT must exist, be one device and be
# ours to open (dialout); stm32flash's failures become one line saying what to check.
STM32FLASH_RUN = sh $(call fk_sq,$(FK_ROOT)/programmers/stm32flash-run.sh)
PROG_PRECHECK = $(fk_at)$(stm32flash_find)$(STM32FLASH_RUN) check $(STM32FLASH_PORT)
stm32flash_run = $(stm32flash_find)$(call fk_tool,$(1))$(STM32FLASH_RUN) run $(if $(filter 1,$(STM32FLASH_RESET)),1,0) $(stm32flash_inv) $(call fk_sq,$(STM32FLASH_SEQ_$(filter-out $(stm32flash_inv),1 0))) $(STM32FLASH_BAUD) $(STM32FLASH_PORT) --

# $(1) = file, $(2) = its type (a .hex carries its own addresses: no -S).
FLASH_CMD = $(call stm32flash_run,writing) $(STM32FLASH) $(STM32FLASH_ARGS) -w $(call fk_sq,$(1)) -v$(if $(filter bin,$(2)), -S $(IMAGE_ADDR)) -g $(IMAGE_ADDR) $(STM32FLASH_PORT)
ERASE_CMD = $(call stm32flash_run,erasing) $(STM32FLASH) $(STM32FLASH_ARGS) -o $(STM32FLASH_PORT)
RESET_CMD = $(call stm32flash_run,resetting) $(STM32FLASH) $(STM32FLASH_ARGS) -g $(IMAGE_ADDR) $(STM32FLASH_PORT)

# stm32flash-run.sh prints the specific cause; the board's BOARD_ENTER_stm32flash follows.
PROG_HINTS :=
