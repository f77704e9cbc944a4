# openocd: a debug probe (the Nucleo's on-board ST-LINK, or one wired by hand) through
# OpenOCD, with the interface and target scripts Debian's openocd ships.
#
# Board data used: OPENOCD_INTERFACE, OPENOCD_TARGET, OPENOCD_RESET_CONFIG (hand-wired
# NRST), OPENOCD_ERASE (the family's mass-erase commands), OPENOCD_MIN_VERSION (chips
# that need a newer OpenOCD than Debian's, e.g. STM32C0), IMAGE_ADDR, ELFFILE for debug.
#   flash : openocd -f IF -f TARGET -c 'program {fw.bin} IMAGE_ADDR verify reset exit'
#           (no address for .elf/.hex: they carry their own)
#   erase : init; reset halt; <family mass erase>; reset run; shutdown
#   reset : init; reset run; shutdown
#   debug-server: openocd -f IF -f TARGET (gdb on :3333);  debug: gdb through a pipe
# SERIAL=SN selects the probe (adapter serial), USB_PATH=1-2.3 the one on that USB port
# (adapter usb location); two ST-LINKs that match are refused before OpenOCD runs (it would
# take the first), none is noted with what is attached and OpenOCD says the rest.

OPENOCD           ?= openocd
OPENOCD_INTERFACE ?= interface/stlink.cfg
OPENOCD_FILE_TYPE ?= bin
GDB               ?= gdb-multiarch
GDB_PACKAGE       ?= gdb-multiarch
OPENOCD_VERSION_CHECK ?= 1

PROG_TOOL       := openocd
PROG_PACKAGE    := openocd
PROG_FILE_TYPE   = $(OPENOCD_FILE_TYPE)
PROG_FILE_TYPES := bin hex elf

# The file name goes into a Tcl word in braces (no substitution inside); braces and
# backslashes in it could end the word early, so such names are refused.
fk_tcl_word = {$(if $(findstring {,$(1))$(findstring },$(1))$(findstring \,$(1)),$(error flashkit: OpenOCD cannot take a file name with braces or backslashes: $(1); rename it),$(1))}

# Every OpenOCD command line starts like this: probe, its serial, target, reset wiring.
OPENOCD_ARGS = -f $(OPENOCD_INTERFACE)$(if $(SERIAL), -c $(call fk_sq,adapter serial $(call fk_tcl_word,$(SERIAL))))$(if $(USB_PATH), -c $(call fk_sq,adapter usb location $(call fk_tcl_word,$(USB_PATH)))) -f $(OPENOCD_TARGET)$(if $(OPENOCD_RESET_CONFIG), -c $(call fk_sq,reset_config $(OPENOCD_RESET_CONFIG)))

PROG_NEED = $(call fk_need,$(OPENOCD),$(PROG_PACKAGE))

# OpenOCD releases lag behind new chips (0.12.0 cannot identify an STM32C0: "Cannot
# identify target as an STM32G0/G4/L4/L4+/L5/U5/WB/WL family device"). Compare the
# installed version with the board's minimum inside the recipe, once.
define PROG_PRECHECK
$(if $(and $(OPENOCD_MIN_VERSION),$(filter 1,$(OPENOCD_VERSION_CHECK))),$(OPENOCD_VERSION_CMD))
$(if $(SERIAL)$(USB_PATH),$(fk_at)$(call fk_select,stlink) --or-none >/dev/null)
endef
OPENOCD_VERSION_CMD = $(fk_at)v=$$($(OPENOCD) --version 2>&1 | sed -n 's/^Open On-Chip Debugger \([0-9][0-9.]*\).*/\1/p'); if [ "$$(printf '%s\n%s\n' $(OPENOCD_MIN_VERSION) "$$v" | sort -V | head -n 1)" != $(OPENOCD_MIN_VERSION) ]; then printf '%s\n' "flashkit: OpenOCD $$v cannot drive the $(BOARD_MCU) (it needs OpenOCD >= $(OPENOCD_MIN_VERSION)); use PROGRAMMER=$(OPENOCD_ALTERNATIVE) instead, or a newer OpenOCD: OPENOCD=/path/to/openocd OPENOCD_VERSION_CHECK=0" >&2; exit 69; fi
# The board's other programmers that can do the requested target (flash by default).
OPENOCD_ALTERNATIVE = $(or $(firstword $(filter-out openocd,$(call fk_who_can,$(or $(FK_TARGET),flash),$(PROGRAMMERS_SUPPORTED)))),$(firstword $(filter-out openocd,$(PROGRAMMERS_SUPPORTED))) (it can only $(FK_CAN_$(firstword $(filter-out openocd,$(PROGRAMMERS_SUPPORTED))))))

# $(1) = file, $(2) = its type.
FLASH_CMD = $(call fk_tool,writing)$(OPENOCD) $(OPENOCD_ARGS) -c $(call fk_sq,program $(call fk_tcl_word,$(1))$(if $(filter bin,$(2)), $(IMAGE_ADDR)) verify reset exit)
ERASE_CMD = $(call fk_tool,erasing)$(OPENOCD) $(OPENOCD_ARGS) -c init -c 'reset halt' $(foreach c,$(OPENOCD_ERASE),-c '$(subst +, ,$(c))') -c 'reset run' -c shutdown
RESET_CMD = $(call fk_tool,resetting)$(OPENOCD) $(OPENOCD_ARGS) -c init -c 'reset run' -c shutdown
RECOVER_CMD = $(call fk_tool,writing)$(OPENOCD) $(OPENOCD_ARGS) -c $(call fk_sq,program $(call fk_tcl_word,$(1)) $(FLASH_BASE) verify reset exit)
DEBUGSERVER_CMD = $(OPENOCD) $(OPENOCD_ARGS) -c 'gdb_port 3333' -c init -c 'reset halt'
# gdb starts OpenOCD itself through a pipe: one process tree, nothing left running.
DEBUG_CMD = $(GDB) -q -ex $(call fk_sq,target extended-remote | $(OPENOCD) -c 'gdb_port pipe' -c 'log_output /dev/null' $(OPENOCD_ARGS)) -ex 'monitor reset halt' $(call fk_sq,$(1))
DEBUG_NEED = $(call fk_need,$(GDB),$(GDB_PACKAGE))

PROG_HINTS = No probe found? Check the USB cable to the ST-LINK and lsusb (0483:3748/374b/374e/374f/3753).|LIBUSB_ERROR_ACCESS? Install the udev rules: make udev-install (tools/udev), or join the plugdev group.|Still failing? Old ST-LINK firmware: update it (STSW-LINK007 or STM32CubeProgrammer).
