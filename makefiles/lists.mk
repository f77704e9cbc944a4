# help, list-boards (text or FORMAT=json for CI matrices), list-programmers, info.
# None of these is on the flash path; list-boards runs one quiet sub-make per board so
# that each board file is read alone, exactly as a flash would read it.

.PHONY: help info list-boards list-programmers _fk-board-row

# A firmware Makefile with its own help or info target sets FK_NO_HELP=1 before the include.
ifneq ($(FK_NO_HELP),1)
help:
	@printf '%s\n' \
	'flashkit: flash STM32 boards from make (makefiles/flashkit.mk)' \
	'' \
	'  make BOARD=<board> [PROGRAMMER=<p>] flash        build the image, check it, flash it' \
	'  make -f makefiles/flashkit.mk BOARD=<board> FLASHFILE=fw.bin flash-only' \
	'' \
	'Targets: flash flash-only erase reset debug debug-server info flash_dfu flash_dfu_manual' \
	'         flash-bootloader list-boards [FORMAT=json] list-programmers help' \
	'         list-attached [FORMAT=json] flash-bench BENCH=f [ONLY=a,b] term (docs/bench.md)' \
	'         artifacts [BOARDS="a b"] (CI outputs + manifest.json); MANIFEST=dir/manifest.json flash-only (docs/ci.md)' \
	'Variables: BOARD PROGRAMMER FLASHFILE ELFFILE PORT SERIAL USB_PATH STM32FLASH_RESET' \
	'           STM32FLASH_RESET_INVERT FLASHKIT V=1 (full commands); make -n lists the commands' \
	'           VIRTUAL=1 [VIRTUAL_RUN_MS=300]: on a virtual board, then run it (docs/virtual-run.md)' \
	'Boards: $(FK_BOARDS)' \
	'Programmers: $(FK_PROGRAMMERS)'
endif

list-programmers:
	@printf '%-11s %s\n' $(foreach p,$(FK_PROGRAMMERS),$(call fk_sq,$(p)) $(call fk_sq,$(FK_DESC_$(p)); can: $(FK_CAN_$(p))))

fk_json_list = [$(subst $(fk_space),$(fk_comma),$(foreach w,$(1),"$(w)"))]
fk_comma := ,

# FORMAT is only read by the list targets (a firmware Makefile may use the name itself).
ifneq ($(filter list-boards list-attached,$(MAKECMDGOALS)),)
ifneq ($(filter-out json text,$(FORMAT)),)
$(error flashkit: FORMAT=$(FORMAT) is not a list format; use FORMAT=json, or leave FORMAT out for the table)
endif
endif

ifeq ($(FORMAT),json)
list-boards:
	@unset PROGRAMMER; printf '['; sep=; for b in $(FK_BOARDS); do \
	  printf '%s' "$$sep"; sep=,; \
	  MAKEFLAGS= $(MAKE) -s --no-print-directory -f $(FK_MK) BOARD=$$b EXTERNAL_BOARD_DIRS=$(call fk_sq,$(EXTERNAL_BOARD_DIRS)) FORMAT=json _fk-board-row || exit 1; \
	done; printf ']\n'
else
list-boards:
	@unset PROGRAMMER; printf '%-18s %-14s %-11s %s\n' BOARD MCU DEFAULT SUPPORTED; \
	for b in $(FK_BOARDS); do \
	  MAKEFLAGS= $(MAKE) -s --no-print-directory -f $(FK_MK) BOARD=$$b EXTERNAL_BOARD_DIRS=$(call fk_sq,$(EXTERNAL_BOARD_DIRS)) _fk-board-row || exit 1; \
	done
endif

# (Text with commas lives in variables: a comma inside $(call ...) would split it.)
fk_json_row = {"board":"$(FK_BOARD)","name":"$(BOARD_NAME)","mcu":"$(BOARD_MCU)","family":"$(BOARD_FAMILY)","programmer":"$(FK_PROG)","programmers":$(call fk_json_list,$(PROGRAMMERS_SUPPORTED)),"flash":"$(FLASH_BASE):$(FLASH_SIZE)","image":"$(IMAGE_ADDR)"}
ifeq ($(FORMAT),json)
_fk-board-row:
	@printf '%s' $(call fk_sq,$(fk_json_row))
else
_fk-board-row:
	@printf '%-18s %-14s %-11s %s\n' $(FK_BOARD) $(BOARD_MCU) $(FK_PROG) $(call fk_sq,$(PROGRAMMERS_SUPPORTED))
endif

# info: what flash, erase and reset would do on this board, and why.
fk_origin = $(if $(filter command% environment%,$(origin $(1))),from the $(origin $(1)),$(2))
fk_show = $(if $(value $(1)),$(call $(1),$(2),$(3)),cannot; use PROGRAMMER=$(firstword $(call fk_who_can,$(4),$(PROGRAMMERS_SUPPORTED)) none))
fk_info_board = $(FK_BOARD) ($(BOARD_NAME); $(BOARD_MCU); $(FK_BOARD_FILE))
fk_info_prog = $(FK_PROG) ($(call fk_origin,PROGRAMMER,the board's default); supported: $(PROGRAMMERS_SUPPORTED))
fk_info_file = $(if $(FK_FILE),$(FK_FILE) ($(if $(call fk_literal,FLASHFILE),FLASHFILE,the ELF as .$(PROG_FILE_TYPE): what $(PROG_TOOL) takes best)),none: set FLASHFILE=fw.bin (or ELFFILE=fw.elf))
fk_info_addr = $(IMAGE_ADDR) (FLASH_BASE $(FLASH_BASE) + IMAGE_OFFSET $(IMAGE_OFFSET))
fk_info_map = flash $(FLASH_BASE) $(FLASH_SIZE) (sectors $(FLASH_SECTORS)); RAM $(RAM_BASE) $(RAM_SIZE)
fk_info_prot = $(if $(FK_PROTECT),$(FLASH_BASE)+$(BOOTLOADER_SIZE): the bootloader; only make flash-bootloader writes there,none)
fk_info_check = $(call fk_check_cmd,$(or $(FK_FILE),FLASHFILE),$(FK_TYPE))
fk_info_flash = $(if $(FK_FILE),$(if $(filter $(FK_TYPE),$(PROG_FILE_TYPES)),$(call FLASH_CMD,$(FK_FILE),$(FK_TYPE)),$(PROG_TOOL) cannot take a .$(FK_TYPE) file; it takes $(PROG_FILE_TYPES)),-)

ifneq ($(FK_NO_HELP),1)
info:
	@printf '%-12s %s\n' \
	board $(call fk_sq,$(fk_info_board)) \
	programmer $(call fk_sq,$(fk_info_prog)) \
	file $(call fk_sq,$(fk_info_file)) \
	address $(call fk_sq,$(fk_info_addr)) \
	memory $(call fk_sq,$(fk_info_map)) \
	protected $(call fk_sq,$(fk_info_prot)) \
	check $(call fk_sq,$(fk_info_check)) \
	flash $(call fk_sq,$(fk_info_flash)) \
	erase $(call fk_sq,$(call fk_show,ERASE_CMD,,,erase)) \
	reset $(call fk_sq,$(call fk_show,RESET_CMD,,,reset)) \
	bootloader $(call fk_sq,$(or $(BOARD_ENTER_$(FK_PROG)),-))$(if $(BOARD_POWER_WARNING), \
	power $(call fk_sq,$(BOARD_POWER_WARNING)))$(if $(BOARD_WARNING_$(FK_PROG)), \
	warning $(call fk_sq,$(BOARD_WARNING_$(FK_PROG))))
endif

# For tests and scripts: NAME=value for each variable in FK_PRINT, after board and
# programmer resolution (make -f makefiles/flashkit.mk BOARD=x FK_PRINT='FLASH_SIZE' _fk-vars).
.PHONY: _fk-vars
_fk-vars:
	@printf '%s\n' $(foreach v,$(FK_PRINT),$(call fk_sq,$(v)=$($(v))))
