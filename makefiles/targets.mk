# The user-facing targets. Everything here is decided at parse time from make variables
# alone; tools are looked for, versions compared and devices found only inside recipes.

FK_GOALS := flash flash-only erase reset debug-server debug flash_dfu flash_dfu_manual flash-bootloader
FK_TARGET := $(firstword $(filter $(FK_GOALS),$(MAKECMDGOALS)))
.PHONY: $(FK_GOALS) info

# A target this programmer cannot serve: say so, and name one of the board's that can.
fk_cannot = $(error flashkit: $(FK_PROG) cannot $(1) ($(FK_BOARD)); $(if $(call fk_who_can,$(1),$(PROGRAMMERS_SUPPORTED)),use PROGRAMMER=$(firstword $(call fk_who_can,$(1),$(PROGRAMMERS_SUPPORTED))) (can on $(FK_BOARD): $(call fk_who_can,$(1),$(PROGRAMMERS_SUPPORTED))),no programmer of $(FK_BOARD) can; $(1) is done by: $(call fk_who_can,$(1),$(FK_PROGRAMMERS))))
fk_wants = $(filter $(1),$(MAKECMDGOALS))

ifneq ($(call fk_wants,erase),)
ifeq ($(value ERASE_CMD),)
$(call fk_cannot,erase)
endif
ifneq ($(FK_PROTECT),)
ifneq ($(ERASE_BOOTLOADER),1)
$(error flashkit: erase would wipe the $(FK_BOARD) bootloader ($(FLASH_BASE)+$(BOOTLOADER_SIZE)); add ERASE_BOOTLOADER=1 to erase anyway, then restore it with make flash-bootloader BOOTLOADER_FILE=...)
endif
endif
endif
ifneq ($(call fk_wants,reset),)
ifeq ($(value RESET_CMD),)
$(call fk_cannot,reset)
endif
endif
ifneq ($(call fk_wants,debug debug-server),)
ifeq ($(value DEBUGSERVER_CMD),)
$(call fk_cannot,$(firstword $(call fk_wants,debug debug-server)))
endif
endif
ifneq ($(call fk_wants,debug),)
ifeq ($(strip $(FK_ELF)),)
$(error flashkit: debug needs the ELF with symbols: set ELFFILE=path/to/fw.elf)
endif
endif
ifneq ($(call fk_wants,flash flash-only flash_dfu flash_dfu_manual),)
ifeq ($(strip $(FK_FILE)),)
$(error flashkit: nothing to flash on $(FK_BOARD): set FLASHFILE=fw.bin (or ELFFILE=fw.elf in your Makefile))
endif
ifeq ($(filter $(FK_TYPE),$(PROG_FILE_TYPES)),)
$(error flashkit: $(PROG_TOOL) cannot take '$(FK_FILE)'; it takes $(addprefix .,$(PROG_FILE_TYPES)) files (make FILE.bin, FILE.hex or FILE.dfu builds one from FILE.elf))
endif
endif
ifneq ($(call fk_wants,flash-bootloader),)
ifeq ($(FK_PROTECT),)
$(error flashkit: $(FK_BOARD) has no bootloader in flash to recover; use make flash)
endif
ifeq ($(value RECOVER_CMD),)
$(call fk_cannot,flash-bootloader)
endif
ifeq ($(strip $(call fk_literal,BOOTLOADER_FILE)),)
$(error flashkit: set BOOTLOADER_FILE=bootloader.bin (the image for $(FLASH_BASE)+$(BOOTLOADER_SIZE), e.g. cf2loader-1.0.bin))
endif
endif

# Printed when a tool fails: the board's own words on entering the bootloader, power
# and probe warnings, then the programmer's general hints. '|' separates lines.
fk_lines = $(if $(strip $(1)),$(subst |,' ',$(call fk_sq,$(strip $(1)))))
fk_fail_hint = || { fk_rc=$$?; printf '%s\n' $(call fk_lines,flashkit: $(PROG_TOOL) failed on $(FK_BOARD) ($(BOARD_MCU)).) $(call fk_lines,$(BOARD_ENTER_$(FK_PROG))) $(call fk_lines,$(BOARD_POWER_WARNING)) $(call fk_lines,$(BOARD_WARNING_$(FK_PROG))) $(call fk_lines,$(PROG_HINTS)) >&2; exit $$fk_rc; }
fk_note = $(if $(and $(strip $(1)),$(if $(FK_SILENT),,1)),$(fk_at)printf '%s\n' $(call fk_lines,$(1)))

# $(call fk_flash_check,FILE,TYPE): the file against the board, first of all: a missing
# or wrong file is refused before any wait for a device or any button sequence.
define fk_flash_check
$(fk_need_helper)
$(call fk_run,CHECK,$(1),$(call fk_check_cmd,$(1),$(2))$(fk_check_elf))
endef

# $(call fk_flash_steps,FILE,TYPE,COMMAND VARIABLE): tools, version, wait, write.
define fk_flash_steps
$(PROG_NEED)
$(PROG_PRECHECK)
$(if $(filter 1,$(ERASE_BEFORE_FLASH)),$(call fk_run,ERASE,$(PROG_TOOL)  $(BOARD_MCU) (mass erase first: $(ERASE_BEFORE_FLASH_WHY)),$(ERASE_CMD) $(fk_fail_hint)))
$(call fk_run,FLASH,$(PROG_TOOL)  $(1) -> $(IMAGE_ADDR),$(call $(3),$(1),$(2)) $(fk_fail_hint))
$(call fk_note,$(PROG_DONE))
endef

flash: $(call fk_prereq,$(FK_FILE))
	$(call fk_flash_check,$(FK_FILE),$(FK_TYPE))
	$(call fk_flash_steps,$(FK_FILE),$(FK_TYPE),FLASH_CMD)

flash-only:
	$(call fk_flash_check,$(FK_FILE),$(FK_TYPE))
	$(call fk_flash_steps,$(FK_FILE),$(FK_TYPE),FLASH_CMD)

# The Crazyflie names. flash_dfu_manual: the user has put the board into DFU mode;
# flash_dfu: the running firmware is sent into DFU first (see programmers/dfu.mk).
# Like flash, they build the file from ELFFILE first; a FLASHFILE is taken as it is.
fk_built_file = $(if $(call fk_literal,FLASHFILE),,$(call fk_prereq,$(FK_FILE)))
flash_dfu_manual: $(fk_built_file)
	$(call fk_flash_check,$(FK_FILE),$(FK_TYPE))
	$(call fk_note,$(if $(BOARD_ENTER_dfu),DFU mode on $(FK_BOARD): $(BOARD_ENTER_dfu)))
	$(call fk_flash_steps,$(FK_FILE),$(FK_TYPE),FLASH_CMD)

flash_dfu: $(fk_built_file)
	$(call fk_flash_check,$(FK_FILE),$(FK_TYPE))
	$(if $(DFU_ENTER_CMD),$(call fk_run,DETACH,$(FK_BOARD) -> DFU,$(DFU_ENTER_CMD)))
	$(call fk_flash_steps,$(FK_FILE),$(FK_TYPE),FLASH_DFU_CMD)

erase:
	$(fk_need_helper)
	$(PROG_NEED)
	$(PROG_PRECHECK)
	$(call fk_run,ERASE,$(PROG_TOOL)  $(BOARD_MCU) (mass erase),$(ERASE_CMD) $(fk_fail_hint))

reset:
	$(fk_need_helper)
	$(PROG_NEED)
	$(PROG_PRECHECK)
	$(call fk_run,RESET,$(PROG_TOOL)  $(BOARD_MCU),$(RESET_CMD) $(fk_fail_hint))

debug-server:
	$(PROG_NEED)
	$(PROG_PRECHECK)
	$(call fk_run,GDBSRV,$(PROG_TOOL)  $(BOARD_MCU) on :$(or $(GDB_PORT),3333),$(DEBUGSERVER_CMD))

debug:
	$(fk_at)test -r $(call fk_sq,$(FK_ELF)) || { $(call fk_msg,flashkit: $(FK_ELF): cannot open: build it first or set ELFFILE=path/to/fw.elf); exit 66; }
	$(PROG_NEED)
	$(DEBUG_NEED)
	$(PROG_PRECHECK)
	$(call fk_run,DEBUG,$(GDB)  $(FK_ELF),$(call DEBUG_CMD,$(FK_ELF)))

# Bootloader recovery (the Crazyflie page's dfu-util -s 0x08000000 -D cf2loader.bin):
# the one write that may touch the protected region, checked against that region only.
# The file is checked first, before any wait for a device (as flash does).
flash-bootloader:
	$(fk_need_helper)
	$(call fk_run,CHECK,$(call fk_literal,BOOTLOADER_FILE),$(fk_fk) check $(call fk_sq,$(call fk_literal,BOOTLOADER_FILE))$(if $(filter bin,$(call fk_type,$(call fk_literal,BOOTLOADER_FILE))), --address $(FLASH_BASE)) --flash $(FLASH_BASE):$(BOOTLOADER_SIZE) --ram $(RAM_BASE):$(RAM_SIZE))
	$(PROG_NEED)
	$(PROG_PRECHECK)
	$(call fk_run,FLASH,$(PROG_TOOL)  $(call fk_literal,BOOTLOADER_FILE) -> $(FLASH_BASE) (bootloader),$(call RECOVER_CMD,$(call fk_literal,BOOTLOADER_FILE)) $(fk_fail_hint))
