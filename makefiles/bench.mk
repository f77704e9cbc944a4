# A bench of boards: list-attached (what is plugged in, and which boards it can be),
# flash-bench (a bench file of boards flashed at once), term (the board's serial console).
# See docs/bench.md. Nothing here runs at parse time: the recipes run the helper.

.PHONY: list-attached flash-bench term _fk-board-ids _fk-board-ids-all

fk_csv = $(subst $(fk_space),$(fk_comma),$(strip $(1)))

# One line per board for `flashkit list` (which boards a device can be), generated from the
# board files themselves: at build time into build/share/flashkit/board-ids.txt, and again
# by list-attached so that EXTERNAL_BOARD_DIRS and edited boards are always current.
_fk-board-ids:
	@printf '%s\n' $(call fk_sq,$(FK_BOARD) programmers=$(call fk_csv,$(PROGRAMMERS_SUPPORTED)) labels=$(call fk_csv,$(STLINK_LABELS)) dfu=$(DFU_USB_ID) runtime=$(DFU_RUNTIME_ID) iface=$(OPENOCD_INTERFACE))

_fk-board-ids-all:
	@unset PROGRAMMER; for b in $(FK_BOARDS); do \
	  MAKEFLAGS= $(MAKE) -s --no-print-directory -f $(FK_MK) BOARD=$$b EXTERNAL_BOARD_DIRS=$(call fk_sq,$(EXTERNAL_BOARD_DIRS)) _fk-board-ids || exit 1; \
	done

# The helper, checked in the recipe (these targets need no board, so image.mk's check
# is not loaded).
fk_bench_helper = command -v $(call fk_sq,$(FLASHKIT)) >/dev/null 2>&1 || { printf '%s\n' $(call fk_sq,flashkit: the helper $(FLASHKIT) is not built: run make -C $(FK_ROOT) or set FLASHKIT=/path/to/flashkit) >&2; exit 69; }

# make list-attached [FORMAT=json]
list-attached:
	@$(fk_bench_helper); ids=$$(mktemp "$${TMPDIR:-/tmp}/fk-board-ids.XXXXXX") || exit 70; \
	trap 'rm -f "$$ids"' EXIT; \
	MAKEFLAGS= $(MAKE) -s --no-print-directory -f $(FK_MK) EXTERNAL_BOARD_DIRS=$(call fk_sq,$(EXTERNAL_BOARD_DIRS)) _fk-board-ids-all >"$$ids" || exit 70; \
	$(call fk_sq,$(FLASHKIT)) list --boards "$$ids"$(if $(filter json,$(FORMAT)), --json)

# $(call fk_select,KIND): shell code printing the one attached KIND (dfu, stlink, drive,
# uart) that SERIAL and USB_PATH name; none lists what is attached, several are refused.
fk_select = $(fk_fk) list --select $(1)$(if $(SERIAL), --serial $(call fk_sq,$(SERIAL)))$(if $(USB_PATH), --usb-path $(call fk_sq,$(USB_PATH)))

# make flash-bench BENCH=bench.txt FLASHFILE=fw.bin [ONLY=a,b] [BENCH_JSON=result.json]
# Every board of the bench file at once, one make each (flashkit bench; docs/bench.md),
# through tools/fk-make when it is there so that each board's result is the exit-code
# contract's (69 not found, 74 flash failed, ...) rather than make's 2.
BENCH_JSON ?= flash-bench.json
flash-bench:
	@$(if $(BENCH),,printf '%s\n' 'flashkit: set BENCH=bench.txt (one board a line: NAME BOARD PROGRAMMER SERIAL=...; see docs/bench.md)' >&2; exit 64; )\
	$(fk_bench_helper); ids=$$(mktemp "$${TMPDIR:-/tmp}/fk-board-ids.XXXXXX") || exit 70; \
	trap 'rm -f "$$ids"' EXIT; \
	MAKEFLAGS= $(MAKE) -s --no-print-directory -f $(FK_MK) EXTERNAL_BOARD_DIRS=$(call fk_sq,$(EXTERNAL_BOARD_DIRS)) _fk-board-ids-all >"$$ids" || exit 70; \
	$(call fk_sq,$(FLASHKIT)) bench $(call fk_sq,$(BENCH)) --boards "$$ids" --mk $(call fk_sq,$(FK_MK)) --make $(call fk_sq,$(or $(wildcard $(FK_ROOT)/tools/fk-make),$(MAKE)))$(if $(FLASHFILE), --flashfile $(call fk_sq,$(FLASHFILE)))$(if $(ONLY), --only $(call fk_sq,$(ONLY)))$(if $(BENCH_JSON), --json $(call fk_sq,$(BENCH_JSON))) -- FLASHKIT=$(call fk_sq,$(FLASHKIT))$(if $(V), V=$(call fk_sq,$(V)))$(if $(EXTERNAL_BOARD_DIRS), EXTERNAL_BOARD_DIRS=$(call fk_sq,$(EXTERNAL_BOARD_DIRS)))

# make term: the board's serial console in picocom (docs/bench.md says why picocom).
# PORT, or the adapter that SERIAL / USB_PATH name (an ST-LINK's serial finds its own
# serial port), at the board's console baud. With the stm32flash reset wiring
# (STM32FLASH_RESET=1: RTS->BOOT0, DTR->NRST) the lines are set so that BOOT0 is low and
# NRST released, and kept so when picocom exits (--noreset): the application runs, the
# console never holds the chip in reset nor sends it to its bootloader.
#   inverted adapter (STM32FLASH_RESET_INVERT=1): RTS raised = BOOT0 low, DTR lowered =
#     NRST high. Opening the port raises DTR (a short reset); picocom lowers it at once.
#   direct adapter (=0): RTS lowered = BOOT0 low, DTR raised = NRST high. Opening raises
#     RTS and DTR together, which would start a chip held in reset in its bootloader, so
#     flashkit uart-lines first gives a reset pulse with BOOT0 low; picocom then lowers
#     the RTS that its own open raised, with no reset.
# make flash term: the console opens after the flash (order-only prerequisite).
TERM_TOOL  ?= picocom
TERM_BAUD  ?= $(or $(CONSOLE_BAUD),115200)
TERM_FLAGS ?=
term_by_usb = $(and $(SERIAL)$(USB_PATH),$(filter-out command% environment%,$(origin PORT)))
term_reset = $(filter 1,$(STM32FLASH_RESET))
term_direct = $(and $(term_reset),$(filter 0,$(STM32FLASH_RESET_INVERT)))
term_lines = $(if $(term_reset),--noreset $(if $(term_direct),--lower-rts --raise-dtr,--raise-rts --lower-dtr))
# A port that is not there is one line (as for stm32flash), not picocom's banner and FATAL.
term_port_check = [ -e "$$fk_port" ] || { printf 'flashkit: PORT=%s does not exist; plug in the adapter or set PORT=/dev/ttyUSB0, /dev/ttyACM0, ... (ls /dev/serial/by-id, make list-attached)\n' "$$fk_port" >&2; exit 69; };
# picocom's settings banner only with V=1 (the TERM line says how to leave).
term_quiet = $(if $(and $(fk_quiet),$(filter picocom,$(notdir $(TERM_TOOL)))), -q)
term: | $(filter flash flash-only flash_dfu flash_dfu_manual,$(MAKECMDGOALS))
	$(call fk_need,$(TERM_TOOL),$(TERM_TOOL))
	$(fk_at)$(if $(term_by_usb),fk_port=$$($(call fk_select,uart)) || exit $$?,fk_port=$(call fk_sq,$(or $(PORT),$(PORT_DEFAULT),/dev/ttyUSB0)))$(if $(term_direct),; $(fk_fk) uart-lines "$$fk_port" -rts$(fk_comma)-dtr$(fk_comma)dtr || exit $$?);$(term_port_check)$(if $(fk_quiet), printf '  %-7s %s\n' TERM "$$fk_port at $(TERM_BAUD) baud ($(TERM_TOOL); C-a C-x leaves)";) exec $(TERM_TOOL) -b $(TERM_BAUD)$(term_quiet) $(term_lines) $(TERM_FLAGS) "$$fk_port"
