# make artifacts: CI outputs for every board (or BOARDS="a b", or BOARD=x) under
# ARTIFACTS_DIR/<board>/: NAME-BOARD-VERSION.{elf,bin,hex,dfu}, manifest.json (board,
# MCU, flash map, DFU ids, each programmer's file and exact flash command, size, sha256
# and crc32 of every file, version, build time) and SHA256SUMS. docs/ci.md.
#
# Reproducible: the version (git describe) and the date (SOURCE_DATE_EPOCH, else the
# commit date) are found inside recipes, once per board, never at parse time; the date
# is exported to the compiler (GCC's __DATE__ honours SOURCE_DATE_EPOCH); the manifest
# holds no path and no clock. The firmware adds $(FK_REPRO_CFLAGS) to its CFLAGS so the
# ELF's debug info names no build directory.

ARTIFACTS_DIR ?= artifacts
# The firmware's name in file names: the ELF's (build/x/blinky.elf -> blinky).
FIRMWARE_NAME ?= $(basename $(notdir $(FK_ELF)))
# The plugin as the flash commands in the manifest name it, run from the manifest's
# directory: where `make install` puts it, unless CI says otherwise.
ARTIFACTS_FLASHKIT_MK ?= /usr/local/share/flashkit/makefiles/flashkit.mk
# Debug info and __FILE__ relative to the firmware's directory, not the checkout's path.
FK_REPRO_CFLAGS ?= -ffile-prefix-map=$(CURDIR)/= -ffile-prefix-map=$(CURDIR)=.

.PHONY: artifacts _fk-artifact

# BOARDS="a b" (aliases allowed), BOARDS=all, BOARD=x from the command line, else all.
fk_art_boards = $(if $(strip $(BOARDS)),$(if $(filter all,$(BOARDS)),$(FK_BOARDS),$(BOARDS)),$(if $(filter command% environment%,$(origin BOARD)),$(BOARD),$(FK_BOARDS)))
fk_art_self = $(abspath $(firstword $(MAKEFILE_LIST)))

# Version and date, found once per board in the recipe (git describe of the firmware's
# tree; "unknown" outside git). VERSION=... or ARTIFACTS_VERSION=... set it instead.
fk_art_version = $(or $(ARTIFACTS_VERSION),$(VERSION))
fk_art_env = v=$(call fk_sq,$(fk_art_version)); \
	[ -n "$$v" ] || v=$$(git -C $(call fk_sq,$(CURDIR)) describe --tags --always --dirty 2>/dev/null) || v=; \
	v=$$(printf '%s' "$${v:-unknown}" | tr -c 'A-Za-z0-9._+-' _); \
	t=$${SOURCE_DATE_EPOCH:-$$(git -C $(call fk_sq,$(CURDIR)) log -1 --format=%ct 2>/dev/null)}; \
	t=$${t:-$$(date +%s)}

artifacts: $(addprefix _fk-artifacts-,$(fk_art_boards))
	@printf '  %-7s %s\n' DONE $(call fk_sq,$(ARTIFACTS_DIR)/{$(subst $(fk_space),$(fk_comma),$(strip $(fk_art_boards)))})

# One sub-make per board, so each reads its own board file; they run in parallel (-j).
$(addprefix _fk-artifacts-,$(fk_art_boards)): _fk-artifacts-%:
	$(fk_at)$(fk_art_env); \
	SOURCE_DATE_EPOCH=$$t $(MAKE) --no-print-directory -f $(call fk_sq,$(fk_art_self)) \
	  BOARD=$* BOARDS= FK_ART_VERSION="$$v" FK_ART_EPOCH="$$t" _fk-artifact

ifneq ($(FK_BOARD),)
fk_art_dir = $(ARTIFACTS_DIR)/$(FK_BOARD)
fk_art_base = $(FIRMWARE_NAME)-$(FK_BOARD)-$(FK_ART_VERSION)
fk_art_out = $(fk_art_dir)/$(fk_art_base)
# The file type each programmer takes best on this board: its programmers/*.mk default
# (only the programmer in use is loaded; tests/ci/test_artifacts.py checks they agree).
fk_art_type_dfu = $(or $(DFU_FILE_TYPE),dfu)
fk_art_type_openocd = $(or $(OPENOCD_FILE_TYPE),bin)
fk_art_type_stm32flash = $(or $(STM32FLASH_FILE_TYPE),bin)
fk_art_type_cpy2remed = $(or $(CPY2REMED_FILE_TYPE),$(if $(filter-out 0 0x0 0x00000000,$(IMAGE_OFFSET)),hex,bin))
fk_art_type = $(or $(fk_art_type_$(1)),bin)
fk_art_prog = --programmer $(call fk_sq,$(1)=$(fk_art_base).$(call fk_art_type,$(1))=make -f $(ARTIFACTS_FLASHKIT_MK) BOARD=$(FK_BOARD) PROGRAMMER=$(1) FLASHFILE=$(fk_art_base).$(call fk_art_type,$(1)) flash-only)
fk_art_files = $(foreach t,elf bin hex dfu,$(call fk_sq,$(fk_art_out).$(t)))

_fk-artifact: $(call fk_prereq,$(FK_ELF))
	$(if $(strip $(FK_ELF)),,@$(call fk_msg,flashkit: make artifacts needs ELFFILE (the firmware's ELF) set in the Makefile); exit 64)
	$(if $(FK_ART_VERSION),,@$(call fk_msg,flashkit: _fk-artifact is internal; run make artifacts); exit 64)
	$(fk_need_helper)
	$(fk_at)mkdir -p $(call fk_sq,$(fk_art_dir)) && cd $(call fk_sq,$(fk_art_dir)) && rm -f *.elf *.bin *.hex *.dfu manifest.json SHA256SUMS
	$(call fk_run,ELF,$(fk_art_out).elf,cp $(call fk_sq,$(FK_ELF)) $(call fk_sq,$(fk_art_out).elf))
	$(call fk_run,BIN,$(fk_art_out).bin,$(fk_fk) convert $(call fk_sq,$(FK_ELF)) -o $(call fk_sq,$(fk_art_out).bin) --to bin)
	$(call fk_run,HEX,$(fk_art_out).hex,$(fk_fk) convert $(call fk_sq,$(FK_ELF)) -o $(call fk_sq,$(fk_art_out).hex) --to hex)
	$(call fk_run,DFU,$(fk_art_out).dfu,$(fk_fk) dfu $(call fk_sq,$(FK_ELF)) -o $(call fk_sq,$(fk_art_out).dfu) $(FK_DFU_IDS))
	$(call fk_run,GEN,$(fk_art_dir)/manifest.json,$(fk_fk) manifest -o $(call fk_sq,$(fk_art_dir)/manifest.json) --sums $(call fk_sq,$(fk_art_dir)/SHA256SUMS) \
	  --firmware $(call fk_sq,$(FIRMWARE_NAME)) --version $(call fk_sq,$(FK_ART_VERSION)) --epoch $(call fk_sq,$(FK_ART_EPOCH)) \
	  --board $(FK_BOARD) --board-name $(call fk_sq,$(BOARD_NAME)) --mcu $(BOARD_MCU) --family $(BOARD_FAMILY) \
	  --flash $(FLASH_BASE):$(FLASH_SIZE) --image-address $(IMAGE_ADDR) --ram $(RAM_BASE):$(RAM_SIZE) \
	  --dfu-id $(DFU_USB_ID) --dfu-alt $(DFU_ALT) --default $(FK_PROG) \
	  --flash-manifest $(call fk_sq,make -f $(ARTIFACTS_FLASHKIT_MK) MANIFEST=manifest.json flash-only) \
	  $(foreach p,$(PROGRAMMERS_SUPPORTED),$(call fk_art_prog,$(p))) $(fk_art_files))
endif
