# dfu: the STM32 ROM DFU bootloader (USB, 0483:df11) through dfu-util.
#
# Board data used: DFU_USB_ID, DFU_ALT, DFU_CONFIG/DFU_INTF (only boards whose bootloader
# needs -c/-i, e.g. the Aseba Discovery recipe), IMAGE_ADDR, FLASH_BASE, BOARD_ENTER_dfu.
#   raw .bin  : dfu-util -d ID -a ALT -s IMAGE_ADDR:leave -D fw.bin
#   DfuSe .dfu: dfu-util -d ID -a ALT -D fw.dfu   (no -s: the file carries its addresses;
#               dfu-util refuses -s ADDR with a DfuSe file; DFU_LEAVE=1 adds "-s :leave")
#   erase     : dfu-util -d ID -a ALT -s FLASH_BASE:mass-erase:force
#   reset     : dfu-util -d ID -a ALT -s IMAGE_ADDR:leave (jump to the application)
# SERIAL=SN selects one of several boards (dfu-util -S).

DFU_UTIL      ?= dfu-util
DFU_USB_ID    ?= 0483:df11
DFU_ALT       ?= 0
DFU_FILE_TYPE ?= bin
DFU_LEAVE     ?=

PROG_TOOL       := dfu-util
PROG_PACKAGE    := dfu-util
PROG_FILE_TYPE   = $(DFU_FILE_TYPE)
PROG_FILE_TYPES := bin dfu

# Device selection, shared by every command: -d, -c, -i, -a and -S in dfu-util's order.
DFU_SELECT = -d $(DFU_USB_ID)$(if $(DFU_CONFIG), -c $(DFU_CONFIG))$(if $(DFU_INTF), -i $(DFU_INTF)) -a $(DFU_ALT)$(if $(SERIAL), -S $(call fk_sq,$(SERIAL)))

PROG_NEED = $(call fk_need,$(DFU_UTIL),$(PROG_PACKAGE))

# $(1) = file, $(2) = its type.
FLASH_CMD = $(DFU_UTIL) $(DFU_SELECT) $(if $(filter dfu,$(2)),$(if $(DFU_LEAVE),-s :leave ),-s $(IMAGE_ADDR):leave )-D $(call fk_sq,$(1))
ERASE_CMD = $(DFU_UTIL) $(DFU_SELECT) -s $(FLASH_BASE):mass-erase:force
RESET_CMD = $(DFU_UTIL) $(DFU_SELECT) -s $(IMAGE_ADDR):leave
# Bootloader recovery (make flash-bootloader): raw write at the flash base, no :leave.
RECOVER_CMD = $(DFU_UTIL) $(DFU_SELECT) -s $(FLASH_BASE) -D $(call fk_sq,$(1))

# flash_dfu: the running firmware is asked into DFU first. With DFU_RUNTIME_ID (the
# application's USB id, if it offers DFU run-time mode) dfu-util detaches it itself;
# -w waits for the bootloader to appear. A board may set DFU_ENTER_CMD instead.
FLASH_DFU_CMD = $(DFU_UTIL) -w -d $(if $(DFU_RUNTIME_ID),$(DFU_RUNTIME_ID)$(fk_comma))$(DFU_USB_ID)$(if $(DFU_CONFIG), -c $(DFU_CONFIG))$(if $(DFU_INTF), -i $(DFU_INTF)) -a $(DFU_ALT)$(if $(SERIAL), -S $(call fk_sq,$(SERIAL))) $(if $(filter dfu,$(2)),,-s $(IMAGE_ADDR):leave )-D $(call fk_sq,$(1))

# Printed when dfu-util fails, after the board's own text on entering the bootloader.
PROG_HINTS = Not found? Check lsusb for 0483:df11 (STM Device in DFU Mode).|LIBUSB_ERROR_ACCESS? Install the udev rules: make udev-install (tools/udev).
# Printed after a successful download: :leave does not start every board's application.
PROG_DONE = If the application does not start, reset or power-cycle the board ($(if $(DFU_DONE_TEXT),$(DFU_DONE_TEXT),:leave does not work on every board)).
