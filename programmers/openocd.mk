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
#   debug-server: openocd -f IF -f TARGET (gdb on :GDB_PORT);  debug: gdb through a pipe
#   wait  : before every command, flashkit usb-wait for an ST-LINK (OPENOCD_USB_IDS, with
#           SERIAL/USB_PATH), as DFU waits for its bootloader: what is attached instead,
#           two probes without SERIAL, LIBUSB_ERROR_ACCESS
#   runs  : through programmers/openocd-run.sh: failures become one line that says what to
#           do (power, SWD, read protection, wrong chip, old ST-LINK firmware, an unreliable
#           probe, retried once at OPENOCD_SLOW_SPEED kHz) with the shared exit codes
# OpenOCD's TCP ports (gdb 3333, tcl 6666, telnet 4444) are off except debug-server's
# GDB_PORT, so several OpenOCDs (tests, flash-bench) run side by side.
# SERIAL=SN selects the probe (adapter serial), USB_PATH=1-2.3 the one on that USB port
# (adapter usb location); the wait above refuses two ST-LINKs that match (OpenOCD would
# take the first) and lists what is attached when none does.

OPENOCD           ?= openocd
OPENOCD_INTERFACE ?= interface/stlink.cfg
OPENOCD_FILE_TYPE ?= bin
GDB               ?= gdb-multiarch
GDB_PACKAGE       ?= gdb-multiarch
OPENOCD_VERSION_CHECK ?= 1
# interface/stlink.cfg's hla_vid_pid: ST-LINK/V1, V2, V2-1, V3 (with and without drive).
OPENOCD_USB_IDS   ?= 0483:374b 0483:3748 0483:374e 0483:374f 0483:3753 0483:3752 0483:3754 0483:374d 0483:3744
OPENOCD_WAIT      ?= 10
GDB_PORT          ?= 3333
# OPENOCD_SPEED=kHz holds the SWD clock there (the target scripts raise it on reset);
# OPENOCD_SLOW_SPEED is the one retry's after transfers failed part-way (0: no retry).
OPENOCD_SPEED      ?=
OPENOCD_SLOW_SPEED ?= 480

PROG_TOOL       := openocd
PROG_PACKAGE    := openocd
PROG_FILE_TYPE   = $(OPENOCD_FILE_TYPE)
PROG_FILE_TYPES := bin hex elf

# The file name goes into a Tcl word in braces (no substitution inside); braces and
# backslashes in it could end the word early, so such names are refused.
fk_tcl_word = {$(if $(findstring {,$(1))$(findstring },$(1))$(findstring \,$(1)),$(error flashkit: OpenOCD cannot take a file name with braces or backslashes: $(1); rename it),$(1))}

# Every OpenOCD command line starts like this: probe, its serial, target, reset wiring.
OPENOCD_ARGS = -f $(OPENOCD_INTERFACE)$(if $(SERIAL), -c $(call fk_sq,adapter serial $(call fk_tcl_word,$(SERIAL))))$(if $(USB_PATH), -c $(call fk_sq,adapter usb location $(call fk_tcl_word,$(USB_PATH)))) -f $(OPENOCD_TARGET)$(if $(OPENOCD_RESET_CONFIG), -c $(call fk_sq,reset_config $(OPENOCD_RESET_CONFIG)))$(if $(OPENOCD_SPEED), $(call openocd_speed,$(OPENOCD_SPEED)))
openocd_speed = -c 'adapter speed $(1)' -c '[target current] configure -event reset-start {adapter speed $(1)}' -c '[target current] configure -event reset-init {adapter speed $(1)}'
# No TCP port but the one a command needs.
OPENOCD_NO_PORTS = -c 'gdb_port disabled' -c 'tcl_port disabled' -c 'telnet_port disabled'

# Each OpenOCD run goes through openocd-run.sh (inside the quiet runner): the cause of a
# failure in one line, or the board's text and the hints below when it knows none.
openocd_run = sh $(call fk_sq,$(FK_ROOT)/programmers/openocd-run.sh) --action $(1) --board $(call fk_sq,$(FK_BOARD)) --mcu $(call fk_sq,$(BOARD_MCU)) --driver $(firstword $(subst +, ,$(firstword $(OPENOCD_ERASE)))) --target $(call fk_sq,$(OPENOCD_TARGET))$(if $(BOARD_POWER_WARNING), --power $(call fk_sq,$(BOARD_POWER_WARNING))) --slow $(OPENOCD_SLOW_SPEED) --hint $(call fk_sq,$(BOARD_ENTER_openocd)|$(BOARD_POWER_WARNING)|$(BOARD_WARNING_openocd)|$(PROG_HINTS)) --

PROG_NEED = $(call fk_need,$(OPENOCD),$(PROG_PACKAGE))

# OpenOCD releases lag behind new chips (0.12.0 cannot identify an STM32C0: "Cannot
# identify target as an STM32G0/G4/L4/L4+/L5/U5/WB/WL family device"). Compare the
# installed version with the board's minimum inside the recipe, once.
define PROG_PRECHECK
$(if $(and $(OPENOCD_MIN_VERSION),$(filter 1,$(OPENOCD_VERSION_CHECK))),$(OPENOCD_VERSION_CMD))
$(if $(findstring stlink,$(OPENOCD_INTERFACE)),$(OPENOCD_WAIT_CMD))
endef
OPENOCD_VERSION_CMD = $(fk_at)v=$$($(OPENOCD) --version 2>&1 | sed -n 's/^Open On-Chip Debugger \([0-9][0-9.]*\).*/\1/p'); if [ "$$(printf '%s\n%s\n' $(OPENOCD_MIN_VERSION) "$$v" | sort -V | head -n 1)" != $(OPENOCD_MIN_VERSION) ]; then printf '%s\n' "flashkit: OpenOCD $$v cannot drive the $(BOARD_MCU) (it needs OpenOCD >= $(OPENOCD_MIN_VERSION)); use PROGRAMMER=$(OPENOCD_ALTERNATIVE) instead, or a newer OpenOCD: OPENOCD=/path/to/openocd OPENOCD_VERSION_CHECK=0" >&2; exit 69; fi
# The probe, as DFU waits for its bootloader: what to plug in while waiting; on a timeout
# what is attached instead; two probes and no SERIAL listed; LIBUSB_ERROR_ACCESS at once.
define OPENOCD_WAIT_CMD
$(fk_need_helper)
$(call fk_run,WAIT,ST-LINK$(if $(SERIAL), $(SERIAL)) (up to $(OPENOCD_WAIT) s),$(fk_fk) usb-wait $(foreach i,$(OPENOCD_USB_IDS),--device $(i))$(if $(SERIAL), --serial $(call fk_sq,$(SERIAL)))$(if $(USB_PATH), --usb-path $(call fk_sq,$(USB_PATH))) --timeout $(OPENOCD_WAIT) --what 'the ST-LINK probe'$(if $(BOARD_ENTER_openocd), --enter $(call fk_sq,$(BOARD_ENTER_openocd))) --hint $(call fk_sq,$(OPENOCD_WAIT_HINT)))
endef
OPENOCD_WAIT_HINT = Plug the ST-LINK into USB (a data cable; lsusb shows 0483:374b or similar)$(if $(SERIAL), and check SERIAL=$(SERIAL) (make list-attached)); OPENOCD_WAIT=$(OPENOCD_WAIT) is the wait in seconds.
# The board's other programmers that can do the requested target (flash by default).
OPENOCD_ALTERNATIVE = $(or $(firstword $(filter-out openocd,$(call fk_who_can,$(or $(FK_TARGET),flash),$(PROGRAMMERS_SUPPORTED)))),$(firstword $(filter-out openocd,$(PROGRAMMERS_SUPPORTED))) (it can only $(FK_CAN_$(firstword $(filter-out openocd,$(PROGRAMMERS_SUPPORTED))))))

# $(1) = file, $(2) = its type.
# openocd-run.sh prints the cause of a failure itself: "|| exit" skips the generic hints.
FLASH_CMD = $(call fk_tool,writing)$(call openocd_run,flash) $(OPENOCD) $(OPENOCD_ARGS) $(OPENOCD_NO_PORTS) -c $(call fk_sq,program $(call fk_tcl_word,$(1))$(if $(filter bin,$(2)), $(IMAGE_ADDR)) verify reset exit) 3>&2 || exit $$?
ERASE_CMD = $(call fk_tool,erasing)$(call openocd_run,erase) $(OPENOCD) $(OPENOCD_ARGS) $(OPENOCD_NO_PORTS) -c init -c 'reset halt' $(foreach c,$(OPENOCD_ERASE),-c '$(subst +, ,$(c))') -c 'reset run' -c shutdown 3>&2 || exit $$?
RESET_CMD = $(call fk_tool,resetting)$(call openocd_run,reset) $(OPENOCD) $(OPENOCD_ARGS) $(OPENOCD_NO_PORTS) -c init -c 'reset run' -c shutdown || exit $$?
RECOVER_CMD = $(call fk_tool,writing)$(call openocd_run,flash) $(OPENOCD) $(OPENOCD_ARGS) $(OPENOCD_NO_PORTS) -c $(call fk_sq,program $(call fk_tcl_word,$(1)) $(FLASH_BASE) verify reset exit) 3>&2 || exit $$?
DEBUGSERVER_CMD = $(call fk_tool,gdb-server)$(call openocd_run,server) $(OPENOCD) $(OPENOCD_ARGS) -c 'gdb_port $(GDB_PORT)' -c 'tcl_port disabled' -c 'telnet_port disabled' -c init -c 'reset halt' || exit $$?
# gdb starts OpenOCD itself through a pipe: one process tree, nothing left running.
# OpenOCD prints its banner before it reads any -c, so log_output cannot hide it: unless
# V=1, its stderr goes through a filter that drops the three banner lines (fd 3 keeps
# stdout, the gdb pipe, where it was).
OPENOCD_PIPE = $(OPENOCD) -c 'gdb_port pipe' -c 'tcl_port disabled' -c 'telnet_port disabled'$(if $(filter 1,$(V)),, -c 'log_output /dev/null') $(OPENOCD_ARGS)
OPENOCD_PIPE_QUIET = { $(OPENOCD_PIPE) 2>&1 >&3 | grep --line-buffered -v -e '^Open On-Chip Debugger' -e '^Licensed under GNU GPL' -e '^For bug reports' >&2; } 3>&1
DEBUG_CMD = $(GDB) -q -ex $(call fk_sq,target extended-remote | $(if $(filter 1,$(V)),$(OPENOCD_PIPE),$(OPENOCD_PIPE_QUIET))) -ex 'monitor reset halt' $(call fk_sq,$(1))
DEBUG_NEED = $(call fk_need,$(GDB),$(GDB_PACKAGE))

PROG_HINTS = No probe found? Check the USB cable to the ST-LINK and lsusb (0483:3748/374b/374e/374f/3753).|LIBUSB_ERROR_ACCESS? Install the udev rules: make udev-install (tools/udev), or join the plugdev group.|Still failing? Old ST-LINK firmware: update it (STSW-LINK007 or STM32CubeProgrammer).
