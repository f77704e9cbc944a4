# What gets flashed, where, and the checks and conversions around it.
#
# FLASHFILE: given on the command line or in the environment it is taken literally (so a
# '$' in a name stays a '$'); set in a Makefile it is expanded as usual. Without it the
# file is ELFFILE's sibling in the programmer's preferred type (fw.elf -> fw.bin for dfu,
# fw.hex for cpy2remed on boards with an application offset, ...).

# Set in a Makefile, the value is stripped: make keeps the blanks before a '#' comment
# (ELFFILE = build/app.elf   # the ELF), and they are no part of the name.
fk_literal = $(if $(filter command% environment%,$(origin $(1))),$(value $(1)),$(strip $($(1))))
FK_ELF  = $(call fk_literal,ELFFILE)
FK_FILE = $(or $(call fk_literal,FLASHFILE),$(patsubst %.elf,%.$(PROG_FILE_TYPE),$(FK_ELF)))
fk_type = $(patsubst .%,%,$(suffix $(lastword $(1))))
FK_TYPE = $(call fk_type,$(FK_FILE))
# Make escapes a space in a file name with a backslash when it is a prerequisite.
fk_prereq = $(subst :,\:,$(subst $(fk_space),\ ,$(1)))

IMAGE_OFFSET ?= 0
IMAGE_ADDR   ?= $(call fk_hexadd,$(FLASH_BASE),$(IMAGE_OFFSET))
FK_PROTECT    = $(filter-out 0 0x0 0K,$(BOOTLOADER_SIZE))

# What `flashkit check` and `flashkit copy` are told about the board.
FK_CHECK_RANGES = --flash $(FLASH_BASE):$(FLASH_SIZE) --ram $(RAM_BASE):$(RAM_SIZE)$(if $(FK_PROTECT), --protect $(FLASH_BASE):$(BOOTLOADER_SIZE))

# The helper, as one shell word. FLASHKIT may point at any build (FLASHKIT=/tmp/b/bin/flashkit).
fk_fk = $(call fk_sq,$(FLASHKIT))
fk_need_helper = $(fk_at)command -v $(fk_fk) >/dev/null 2>&1 || { $(call fk_msg,$(fk_no_helper)); exit 69; }
# In a source tree the fix is to build it; installed, to install it (the share/flashkit
# folder has no Makefile).
fk_no_helper = flashkit: the helper $(FLASHKIT) $(if $(FK_INSTALLED),was not found (not in $(FK_PREFIX)/bin$(fk_comma) not on PATH); install it from the flashkit source tree with make install PREFIX=$(FK_PREFIX),is not built; run make -C $(FK_ROOT)), or set FLASHKIT=/path/to/flashkit

# $(call fk_check_cmd,FILE,TYPE[,RANGES]): image against the board, before every write.
# --address: a .bin is placed there; a file with addresses must be linked for it.
fk_check_cmd = $(fk_fk) check $(call fk_sq,$(1)) --address $(IMAGE_ADDR) $(or $(3),$(FK_CHECK_RANGES))
# A file make converts from ELFFILE (no FLASHFILE given) keeps the ELF's link address:
# the check reads it from the ELF, so fw.bin linked for the wrong address is refused.
fk_check_elf = $(if $(and $(FK_ELF),$(if $(call fk_literal,FLASHFILE),,1),$(filter-out elf,$(FK_TYPE))), --elf $(call fk_sq,$(FK_ELF)))

# Conversions from the ELF through the helper (FK_CONVERT_RULES=0 keeps your own rules).
# The .dfu is a DfuSe file with the board's DFU ids, alt setting and the 0x011A suffix.
# Its target is named "Internal Flash", as flashkit convert names it and as the ROM
# bootloader names alt 0, so the same ELF gives the same .dfu either way.
DFU_USB_ID ?= 0483:df11
DFU_ALT    ?= 0
FK_DFU_IDS  = --vid 0x$(word 1,$(subst :, ,$(DFU_USB_ID))) --pid 0x$(word 2,$(subst :, ,$(DFU_USB_ID))) --alt $(DFU_ALT)
FK_CONVERT_RULES ?= 1
ifeq ($(FK_CONVERT_RULES),1)
%.bin: %.elf
	$(fk_need_helper)
	$(call fk_run,BIN,$@,$(fk_fk) convert $(call fk_sq,$<) -o $(call fk_sq,$@) --to bin)

%.hex: %.elf
	$(fk_need_helper)
	$(call fk_run,HEX,$@,$(fk_fk) convert $(call fk_sq,$<) -o $(call fk_sq,$@) --to hex)

%.dfu: %.elf
	$(fk_need_helper)
	$(call fk_run,DFU,$@,$(fk_fk) dfu $(call fk_sq,$<) -o $(call fk_sq,$@) $(FK_DFU_IDS))
endif
