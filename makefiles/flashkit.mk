# flashkit: flash STM32 boards from make.
#
# Include it from a firmware Makefile (set BOARD and ELFFILE first), or run it alone:
#   make -f makefiles/flashkit.mk BOARD=nucleo-f401 FLASHFILE=fw.bin flash-only
# `make help` lists targets and variables. Parts, one idea each:
#   kbuild.mk   quiet/V=1/-n output and shell quoting   hexaddr.mk  FLASH_BASE + IMAGE_OFFSET
#   registry.mk programmer abilities and name aliases   resolve.mk  board and programmer files
#   image.mk    file, address, check, conversion rules  targets.mk  flash, erase, reset, ...
#   lists.mk    help, list-boards, list-programmers, info
#   artifacts.mk make artifacts (CI)               manifest.mk MANIFEST=.../manifest.json
#   virtual.mk  VIRTUAL=1: the goal on a virtual board, then the image runs (a verdict)
#
# Parsing starts no process ($(wildcard) and string functions only): `make -n flash-only`
# is make alone, a few milliseconds.

FK_MK   := $(lastword $(MAKEFILE_LIST))
FK_ROOT := $(patsubst %/makefiles/,%,$(dir $(abspath $(FK_MK))))
FK_MK   := $(FK_ROOT)/makefiles/flashkit.mk
fk_default_goal := $(.DEFAULT_GOAL)

# The helper: a build in this source tree; installed (make install PREFIX=P puts the plugin
# in P/share/flashkit), the one in P/bin; else one on PATH. FLASHKIT=... points anywhere.
FK_INSTALLED := $(if $(wildcard $(FK_ROOT)/Makefile),,1)
FK_PREFIX := $(patsubst %/share/flashkit,%,$(FK_ROOT))
ifndef FLASHKIT
FLASHKIT := $(or $(wildcard $(FK_ROOT)/build/bin/flashkit),$(if $(FK_INSTALLED),$(wildcard $(FK_PREFIX)/bin/flashkit)),flashkit)
endif

include $(FK_ROOT)/makefiles/kbuild.mk
include $(FK_ROOT)/makefiles/hexaddr.mk
include $(FK_ROOT)/makefiles/registry.mk

FK_BOARD_DIRS ?= $(FK_ROOT)/boards $(EXTERNAL_BOARD_DIRS)
FK_BOARDS := $(sort $(basename $(notdir $(foreach d,$(FK_BOARD_DIRS),$(wildcard $(d)/*.mk)))) $(notdir $(patsubst %/board.mk,%,$(foreach d,$(FK_BOARD_DIRS),$(wildcard $(d)/*/board.mk)))))
FK_PROGRAMMERS := $(sort $(basename $(notdir $(wildcard $(FK_ROOT)/programmers/*.mk))))

# Goals that need no board; anything else (or BOARD set) loads board and programmer.
FK_NOBOARD_GOALS := help list-boards list-programmers
FK_BOARD_GOALS := flash flash-only erase reset debug-server debug info flash_dfu flash_dfu_manual flash-bootloader _fk-board-row _fk-vars _fk-artifact term
# MANIFEST=dir/manifest.json (a make artifacts build): board and file come from it.
ifneq ($(strip $(MANIFEST)),)
include $(FK_ROOT)/makefiles/manifest.mk
endif
ifneq ($(or $(strip $(BOARD)),$(filter $(FK_BOARD_GOALS),$(MAKECMDGOALS))),)
include $(FK_ROOT)/makefiles/resolve.mk
include $(FK_ROOT)/makefiles/image.mk
include $(FK_ROOT)/makefiles/targets.mk
include $(FK_ROOT)/makefiles/virtual.mk
endif
include $(FK_ROOT)/makefiles/lists.mk
include $(FK_ROOT)/makefiles/artifacts.mk
include $(FK_ROOT)/makefiles/bench.mk

# Included: leave the firmware Makefile's default goal alone. Alone: help.
ifneq ($(filter %/flashkit.mk flashkit.mk,$(firstword $(MAKEFILE_LIST))),)
.DEFAULT_GOAL := help
else
.DEFAULT_GOAL := $(fk_default_goal)
endif
