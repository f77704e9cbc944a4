# cpy2remed: "copy to removable media", the ST-LINK (or DAPLink) USB drive. The probe
# programs whatever .bin/.hex lands on its drive; `flashkit copy` finds the drive by label
# (NODE_F401RE and the 11-character NOD_ form), by ST-LINK serial (SERIAL) or by its USB
# port (USB_PATH, for equal serials), copies, and waits
# for the drive to leave and come back, reporting FAIL.TXT (docs/cpy2remed.md).
#
# Board data used: STLINK_LABELS, FLASH_*/RAM_*, BOOTLOADER_SIZE, IMAGE_ADDR.
#   flash : flashkit copy fw.bin --label NODE_X --label NOD_X [--serial SN]
#           --flash BASE:SIZE --ram BASE:SIZE [--protect BASE:SIZE] [--address A]
# A .bin always lands at the start of flash, so a board whose image does not start there
# gets a .hex. Old ST-LINK firmware cannot take .hex: CPY2REMED_FILE_TYPE=bin then.
# The drive cannot erase, reset or debug: those name another programmer.

CPY2REMED_FILE_TYPE ?= $(if $(filter-out 0 0x0 0x00000000,$(IMAGE_OFFSET)),hex,bin)
CPY2REMED_TIMEOUT   ?=
# WSL (the drive is not a disk there) or an unusual mount: the drive's directory,
# e.g. CPY2REMED_DRIVE=/mnt/d; flashkit copies there instead of looking for it.
CPY2REMED_DRIVE     ?=

PROG_TOOL       := cpy2remed
PROG_PACKAGE    :=
PROG_FILE_TYPE   = $(CPY2REMED_FILE_TYPE)
PROG_FILE_TYPES := bin hex

# The helper is the tool here; the common helper check covers it. No quiet runner
# (fk_tool): flashkit copy prints only its own short lines, its percent and the countdown
# of the drive wait (the same progress line as flashkit run), and nothing under make -s.
PROG_NEED :=
# Probes with equal serials (clones): udev links one of them by-id; refuse rather than guess.
PROG_PRECHECK = $(if $(SERIAL),$(fk_at)$(call fk_select,drive) --or-none >/dev/null)

# $(1) = file, $(2) = its type.
FLASH_CMD = $(call fk_sq,$(FLASHKIT)) copy $(call fk_sq,$(1)) $(foreach l,$(STLINK_LABELS),--label $(l))$(if $(SERIAL), --serial $(call fk_sq,$(SERIAL)))$(if $(USB_PATH), --usb-path $(call fk_sq,$(USB_PATH)))$(if $(CPY2REMED_TIMEOUT), --timeout $(CPY2REMED_TIMEOUT))$(if $(CPY2REMED_DRIVE), --drive $(call fk_sq,$(CPY2REMED_DRIVE))) $(FK_CHECK_RANGES)$(if $(filter bin,$(2)), --address $(IMAGE_ADDR))

PROG_HINTS = Drive not found? Is the ST-LINK drive mounted (labels: $(STLINK_LABELS))? Headless systems may need udisksctl mount.|WSL: the drive is not a disk there; copy to the Windows drive letter: CPY2REMED_DRIVE=/mnt/d.|Old ST-LINK firmware fails on .hex files: CPY2REMED_FILE_TYPE=bin, or update it (STSW-LINK007).
