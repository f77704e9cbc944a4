# Board and programmer resolution: boards/NAME.mk or boards/NAME/board.mk, then
# programmers/NAME.mk; unknown names and unsupported pairs are one-line errors that list
# the valid choices. Only $(wildcard) (a directory read) is used: no process is started.

# FK_BOARD_DIRS, FK_BOARDS and FK_PROGRAMMERS come from flashkit.mk.
ifeq ($(strip $(BOARD)),)
$(error flashkit: BOARD is not set; choose one of: $(FK_BOARDS) (make list-boards))
endif
FK_BOARD := $(or $(FK_ALIAS_$(BOARD)),$(BOARD))
FK_BOARD_FILE := $(firstword $(foreach d,$(FK_BOARD_DIRS),$(wildcard $(d)/$(FK_BOARD).mk $(d)/$(FK_BOARD)/board.mk)))
ifeq ($(FK_BOARD_FILE),)
$(error flashkit: unknown board '$(BOARD)'; choose one of: $(FK_BOARDS))
endif
include $(FK_BOARD_FILE)

# flash_dfu and flash_dfu_manual always use the DFU bootloader, whatever PROGRAMMER says.
ifneq ($(filter flash_dfu flash_dfu_manual,$(MAKECMDGOALS)),)
override PROGRAMMER := dfu
endif
ifeq ($(strip $(PROGRAMMER)),)
$(error flashkit: no PROGRAMMER for board $(FK_BOARD); choose one of: $(PROGRAMMERS_SUPPORTED))
endif
FK_PROG := $(or $(FK_ALIAS_$(PROGRAMMER)),$(PROGRAMMER))
ifeq ($(filter $(FK_PROG),$(FK_PROGRAMMERS)),)
$(error flashkit: unknown programmer '$(PROGRAMMER)'; choose one of: $(FK_PROGRAMMERS) (on $(FK_BOARD): $(PROGRAMMERS_SUPPORTED)))
endif
ifeq ($(filter $(FK_PROG),$(PROGRAMMERS_SUPPORTED)),)
$(error flashkit: board $(FK_BOARD) cannot be flashed with $(FK_PROG); choose PROGRAMMER= one of: $(PROGRAMMERS_SUPPORTED))
endif
include $(FK_ROOT)/programmers/$(FK_PROG).mk
