# MANIFEST=dir/manifest.json: flash a `make artifacts` build with no build tree and no
# toolchain (a test bench, a farm, a person with a downloaded CI build):
#   make -f makefiles/flashkit.mk MANIFEST=artifacts/nucleo-f401/manifest.json flash-only
# The board, the default programmer and each programmer's file come from the manifest;
# PROGRAMMER=... picks another of its programmers, FLASHFILE=... still wins.
#
# Read at parse time with $(file <), no process: the manifest is as `flashkit manifest`
# writes it (one "name": {"file": ...} per programmer); jq-style reformatting is fine,
# reordering the "file" key after "command" is not. Before the flash the file is checked
# against the manifest's SHA256SUMS (a corrupted download fails with 65, nothing written).

fk_mf_text := $(file <$(MANIFEST))
ifeq ($(strip $(fk_mf_text)),)
$(error flashkit: cannot read MANIFEST=$(MANIFEST); give the manifest.json that make artifacts wrote)
endif
fk_mf_norm := $(subst { ",{",$(subst ": ",":",$(subst ": {,":{,$(strip $(fk_mf_text)))))
# $(call fk_mf_get,"key":") -> the string value after that key (no quotes inside).
fk_mf_get = $(firstword $(subst ", ,$(patsubst @@%,%,$(firstword $(filter @@%,$(subst $(1), @@,$(fk_mf_norm)))))))
fk_mf_dir := $(patsubst ./%,%,$(dir $(MANIFEST)))
fk_mf_board := $(call fk_mf_get,"board":")
ifeq ($(fk_mf_board),)
$(error flashkit: MANIFEST=$(MANIFEST) names no board; is it a manifest.json from make artifacts?)
endif
ifneq ($(filter command% environment%,$(origin BOARD)),)
ifneq ($(BOARD),$(fk_mf_board))
$(error flashkit: BOARD=$(BOARD) but MANIFEST=$(MANIFEST) was built for $(fk_mf_board); drop BOARD=)
endif
endif
override BOARD := $(fk_mf_board)
PROGRAMMER ?= $(call fk_mf_get,"programmer":")
# The file of the programmer in use (FK_PROG is known once the board is read).
fk_mf_file = $(call fk_mf_get,"$(FK_PROG)":{"file":")
FLASHFILE = $(if $(fk_mf_file),$(fk_mf_dir)$(fk_mf_file))
fk_mf_sums = $(fk_mf_dir)SHA256SUMS

# The file must be the one the manifest describes (sha256sum -c of its SHA256SUMS line).
.PHONY: _fk-manifest-sha256
flash-only: _fk-manifest-sha256
_fk-manifest-sha256:
	$(call fk_run,SHA256,$(FK_FILE),$(fk_mf_sha_cmd))
fk_mf_name = $(call fk_sq,$(notdir $(FK_FILE)))
fk_mf_sha_cmd = cd $(call fk_sq,$(or $(fk_mf_dir),.)) || exit 66; \
	[ -r SHA256SUMS ] || { $(call fk_msg,flashkit: no SHA256SUMS next to $(MANIFEST); copy the whole artifact directory); exit 66; }; \
	fk_l=$$(awk -v n=$(fk_mf_name) '$$2 == n' SHA256SUMS); \
	[ -n "$$fk_l" ] || { $(call fk_msg,flashkit: $(notdir $(FK_FILE)) is not listed in $(fk_mf_sums)); exit 65; }; \
	printf '%s\n' "$$fk_l" | sha256sum -c --quiet --status - || { $(call fk_msg,flashkit: $(FK_FILE) does not match its sha256 in $(fk_mf_sums) (corrupted or replaced); nothing was written); exit 65; }
