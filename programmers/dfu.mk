# dfu: the STM32 ROM DFU bootloader (USB, 0483:df11) through dfu-util.
#
# Board data used: DFU_USB_ID, DFU_ALT, DFU_CONFIG/DFU_INTF (only boards whose bootloader
# needs -c/-i, e.g. the Aseba Discovery recipe), IMAGE_ADDR, FLASH_BASE, BOARD_ENTER_dfu,
# BOARD_POWER_WARNING, DFU_DONE_TEXT, DFU_RUNTIME_ID (the running firmware's USB id when
# it has a DFU run-time interface, for make flash_dfu).
#   wait      : flashkit usb-wait, before every command: the board's text on how to enter
#               DFU, a timeout (DFU_WAIT), what is attached instead, LIBUSB_ERROR_ACCESS
#   raw .bin  : dfu-util -d ID -a ALT -s IMAGE_ADDR:leave -D fw.bin
#   DfuSe .dfu: dfu-util -d ID -a ALT -D fw.dfu   (no -s: the file carries its addresses;
#               dfu-util refuses -s ADDR with a DfuSe file), then
#               dfu-util -d ID -a ALT -s IMAGE_ADDR:leave (with "-D fw.dfu -s :leave" the ROM
#               would jump to the last block written, not to the application)
#   left?     : after :leave the bootloader must leave the bus within DFU_LEAVE_WAIT seconds;
#               if it is still there the application did not start: reset or power-cycle
#   erase     : dfu-util -d ID -a ALT -s FLASH_BASE:mass-erase:force
#   reset     : dfu-util -d ID -a ALT -s IMAGE_ADDR:leave (jump to the application)
#   flash_dfu : detach the running firmware (dfu-util -e on DFU_RUNTIME_ID), wait for the
#               bootloader; when that fails, the board's manual instructions and the wait
# SERIAL=SN selects one of several boards (dfu-util -S, usb-wait --serial); USB_PATH=1-2.3
# the one on that USB port (dfu-util -p) when serials are equal or missing.
# DFU_LEAVE=0 writes without leaving (the board stays in its bootloader).

DFU_UTIL        ?= dfu-util
DFU_USB_ID      ?= 0483:df11
DFU_ALT         ?= 0
DFU_FILE_TYPE   ?= dfu
DFU_LEAVE       ?= 1
DFU_WAIT        ?= 30
DFU_DETACH_WAIT ?= 5
DFU_LEAVE_WAIT  ?= 2

PROG_TOOL       := dfu-util
PROG_PACKAGE    := dfu-util
PROG_FILE_TYPE   = $(DFU_FILE_TYPE)
PROG_FILE_TYPES := bin dfu

# Device selection, shared by every command: -d, -c, -i, -a and -S in dfu-util's order.
DFU_SELECT = -d $(DFU_USB_ID)$(if $(DFU_CONFIG), -c $(DFU_CONFIG))$(if $(DFU_INTF), -i $(DFU_INTF)) -a $(DFU_ALT)$(if $(SERIAL), -S $(call fk_sq,$(SERIAL)))$(if $(USB_PATH), -p $(call fk_sq,$(USB_PATH)))
dfu_wait_serial = $(if $(SERIAL), --serial $(call fk_sq,$(SERIAL)))$(if $(USB_PATH), --usb-path $(call fk_sq,$(USB_PATH)))

PROG_NEED = $(call fk_need,$(DFU_UTIL),$(PROG_PACKAGE))

# Before any command: wait for the bootloader. The board's entry text is printed while
# waiting (flash_dfu and flash_dfu_manual print it themselves); on a timeout the board's
# power warning and what is attached instead.
define PROG_PRECHECK
$(fk_need_helper)
$(call fk_run,WAIT,$(DFU_USB_ID) (DFU bootloader$(if $(SERIAL), $(SERIAL)), up to $(DFU_WAIT) s),$(fk_fk) usb-wait --device $(DFU_USB_ID)$(dfu_wait_serial) --timeout $(DFU_WAIT) --what 'the STM32 DFU bootloader'$(if $(filter flash_dfu flash_dfu_manual,$(FK_TARGET)),, --enter $(call fk_sq,$(BOARD_ENTER_dfu)))$(if $(BOARD_POWER_WARNING), --hint $(call fk_sq,$(BOARD_POWER_WARNING))) --hint $(call fk_sq,$(DFU_WAIT_HINT)))
endef
DFU_WAIT_HINT = Put $(FK_BOARD) into DFU mode$(if $(BOARD_ENTER_dfu), as above), check the cable (a data cable, not a charging one) and lsusb for $(DFU_USB_ID) (STM Device in DFU Mode); DFU_WAIT=$(DFU_WAIT) is the wait in seconds.

# After :leave the ROM drops off the bus and jumps to the application. Still there means
# it did not: say so and stop (the exit inside { } skips the tool-failure hints).
DFU_GONE_CMD = $(fk_fk) usb-wait --gone --quiet --device $(DFU_USB_ID)$(dfu_wait_serial) --timeout $(DFU_LEAVE_WAIT) --what 'the STM32 DFU bootloader' --hint $(call fk_sq,$(DFU_LEAVE_HINT))
DFU_LEFT_CHECK = { $(DFU_GONE_CMD) || exit $$?; }
# dfu-util failing only in the leave step (the chip started before it answered the last
# GET_STATUS) is a good flash when the bootloader left the bus: programmers/dfu-leave.sh.
dfu_leave_run = $(call fk_tool,$(1))sh $(call fk_sq,$(FK_ROOT)/programmers/dfu-leave.sh) $(call fk_sq,$(DFU_GONE_CMD)) 
DFU_LEAVE_HINT = flashkit: :leave did not start the application: the board is still in its DFU bootloader (the image was written). Reset or power-cycle the board$(if $(DFU_DONE_TEXT), ($(DFU_DONE_TEXT))).
dfu_leave = $(call dfu_leave_run,starting)$(DFU_UTIL) $(DFU_SELECT) -s $(IMAGE_ADDR):leave 3>&2 && $(DFU_LEFT_CHECK)

# $(1) = file, $(2) = its type.
ifeq ($(DFU_LEAVE),1)
FLASH_CMD = $(if $(filter dfu,$(2)),$(call fk_tool,writing)$(DFU_UTIL) $(DFU_SELECT) -D $(call fk_sq,$(1)) && $(dfu_leave),$(call dfu_leave_run,writing)$(DFU_UTIL) $(DFU_SELECT) -s $(IMAGE_ADDR):leave -D $(call fk_sq,$(1)) 3>&2 && $(DFU_LEFT_CHECK))
else
FLASH_CMD = $(call fk_tool,writing)$(DFU_UTIL) $(DFU_SELECT) $(if $(filter dfu,$(2)),,-s $(IMAGE_ADDR) )-D $(call fk_sq,$(1))
endif
ERASE_CMD = $(call fk_tool,erasing)$(DFU_UTIL) $(DFU_SELECT) -s $(FLASH_BASE):mass-erase:force
RESET_CMD = $(dfu_leave)
# Bootloader recovery (make flash-bootloader): raw write at the flash base, no :leave.
RECOVER_CMD = $(call fk_tool,writing)$(DFU_UTIL) $(DFU_SELECT) -s $(FLASH_BASE) -D $(call fk_sq,$(1))

# flash_dfu: put the running firmware into DFU first, then flash as above (the wait in
# PROG_PRECHECK finds the bootloader). Already in DFU: nothing to do. The firmware offers
# a DFU run-time interface (DFU_RUNTIME_ID): dfu-util -e detaches it. Otherwise, or when
# the bootloader does not come up within DFU_DETACH_WAIT s: the manual way.
dfu_manual_text = $(call fk_sq,$(if $(BOARD_ENTER_dfu),$(BOARD_ENTER_dfu),Enter the DFU bootloader by hand (BOOT0 high, then reset).))
dfu_quiet_wait = $(fk_fk) usb-wait --quiet --device $(1)$(dfu_wait_serial) --timeout $(2) 2>/dev/null
DFU_ENTER_CMD = if $(call dfu_quiet_wait,$(DFU_USB_ID),0); then :; \
	$(if $(DFU_RUNTIME_ID),elif $(call dfu_quiet_wait,$(DFU_RUNTIME_ID),0) && $(DFU_UTIL) -d $(DFU_RUNTIME_ID)$(if $(SERIAL), -S $(call fk_sq,$(SERIAL))) -e >/dev/null 2>&1 && $(call dfu_quiet_wait,$(DFU_USB_ID),$(DFU_DETACH_WAIT)); then printf '%s\n' $(call fk_sq,flashkit: $(FK_BOARD) detached into its DFU bootloader); )\
	else printf '%s\n' $(call fk_sq,flashkit: could not put the running $(FK_BOARD) firmware into DFU ($(if $(DFU_RUNTIME_ID),$(DFU_RUNTIME_ID) is not attached or did not detach,it has no USB DFU run-time interface)); do it by hand:) $(dfu_manual_text); fi
FLASH_DFU_CMD = $(FLASH_CMD)

# Printed when dfu-util fails, after the board's own text on entering the bootloader.
PROG_HINTS = LIBUSB_ERROR_ACCESS: no permission on the USB node: make udev-install (tools/udev), replug, or join the group owning /dev/bus/usb (plugdev).|"ERASE_PAGE/SET_ADDRESS not correctly executed" at the first page: the chip may be read-protected (RDP): dfu-util $(DFU_SELECT) -s :unprotect:force removes it and erases the whole chip.|LIBUSB_ERROR_PIPE or NO_DEVICE mid-way: the board stalled or dropped off the bus; check the cable and power, avoid hubs, then flash again (the next run erases and rewrites every page).
# Printed after a successful download and leave.
PROG_DONE = $(if $(filter 1,$(DFU_LEAVE)),flashkit: the DFU bootloader left the bus and jumped to $(IMAGE_ADDR).)
