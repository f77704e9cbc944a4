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

# make list-attached [FORMAT=json]
list-attached:
	@ids=$$(mktemp "$${TMPDIR:-/tmp}/fk-board-ids.XXXXXX") || exit 70; \
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
	ids=$$(mktemp "$${TMPDIR:-/tmp}/fk-board-ids.XXXXXX") || exit 70; \
	trap 'rm -f "$$ids"' EXIT; \
	MAKEFLAGS= $(MAKE) -s --no-print-directory -f $(FK_MK) EXTERNAL_BOARD_DIRS=$(call fk_sq,$(EXTERNAL_BOARD_DIRS)) _fk-board-ids-all >"$$ids" || exit 70; \
	$(call fk_sq,$(FLASHKIT)) bench $(call fk_sq,$(BENCH)) --boards "$$ids" --mk $(call fk_sq,$(FK_MK)) --make $(call fk_sq,$(or $(wildcard $(FK_ROOT)/tools/fk-make),$(MAKE)))$(if $(FLASHFILE), --flashfile $(call fk_sq,$(FLASHFILE)))$(if $(ONLY), --only $(call fk_sq,$(ONLY)))$(if $(BENCH_JSON), --json $(call fk_sq,$(BENCH_JSON))) -- FLASHKIT=$(call fk_sq,$(FLASHKIT))$(if $(V), V=$(call fk_sq,$(V)))$(if $(EXTERNAL_BOARD_DIRS), EXTERNAL_BOARD_DIRS=$(call fk_sq,$(EXTERNAL_BOARD_DIRS)))
