# Kbuild-style output and shell quoting for every flashkit recipe.
#
# Quiet by default: one short line per step ("  FLASH   dfu-util  fw.bin -> 0x08000000").
# V=1: make echoes each full command instead. make -n: the commands alone, exactly as they
# would run (the short line is left out so the listing can be pasted into a shell).
# Like Linux Kbuild (scripts/Kbuild.include), the mode is read from MAKEFLAGS at parse
# time; that costs no process.

fk_short_opts := $(firstword -$(MAKEFLAGS))
FK_DRYRUN := $(findstring n,$(fk_short_opts))
FK_SILENT := $(findstring s,$(fk_short_opts))

ifeq ($(V),1)
fk_at :=
fk_quiet :=
else
fk_at := @
fk_quiet := $(if $(FK_DRYRUN)$(FK_SILENT),,1)
endif

# Shell quoting: wrap in '...' and turn every ' into '\''. The result is one shell word
# whatever the text holds (spaces, quotes, $, ;, backticks), so no name can inject a
# command. Make never rescans the text an expansion produces, so a $ stays literal too.
fk_q := '
fk_sq = '$(subst $(fk_q),$(fk_q)\$(fk_q)$(fk_q),$(1))'

# $(call fk_run,TAG,SHORT TEXT,COMMAND): one recipe line.
fk_run = $(fk_at)$(if $(fk_quiet),printf '  %-7s %s\n' $(call fk_sq,$(1)) $(call fk_sq,$(2)); )$(3)

# $(call fk_msg,TEXT): a message line on stderr (shell code, for use inside a recipe).
fk_msg = printf '%s\n' $(call fk_sq,$(1)) >&2

# $(call fk_need,TOOL,DEBIAN PACKAGE): fail in one line when TOOL is not installed.
# Checked when the recipe runs, never at parse time.
fk_need = $(fk_at)command -v $(call fk_sq,$(1)) >/dev/null 2>&1 || { $(call fk_msg,flashkit: $(1) is not installed; install it with: sudo apt-get install $(2)); exit 69; }

# $(call fk_or_hint,TEXT...): appended to a tool's command; on failure prints the
# hint lines (one per argument word group, already shell-quoted) and keeps the tool's status.
fk_or_hint = || { fk_rc=$$?; printf '%s\n' $(1) >&2; exit $$fk_rc; }
