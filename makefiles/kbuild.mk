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

# Progress lines of the helper (flashkit run, usb-wait, copy): none under make -s.
ifneq ($(FK_SILENT),)
export FLASHKIT_PROGRESS := off
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

# $(call fk_tool,LABEL) COMMAND...: the quiet runner, put before a flashing tool's command
# (dfu-util, stm32flash, openocd) in a programmer's FLASH_CMD/ERASE_CMD/RESET_CMD:
#   FLASH_CMD = $(call fk_tool,writing)$(DFU_UTIL) $(DFU_SELECT) -D $(call fk_sq,$(1))
# It expands to "'flashkit' run --label LABEL -- " (src/cmd_run.c): the tool's banner and
# chatter are kept back and shown only when it fails (then all of it, followed by the
# recipe's fk_fail_hint lines, with the tool's exit code); while it runs, its percent
# ("Download [==  ] 45%", "Wrote address ... (45.2%)") or LABEL and the seconds so far.
# One updating line on a terminal, plain lines otherwise, nothing under make -s.
# With V=1 it expands to nothing: the tool runs as written and says everything.
# It wraps one simple command (no shell syntax): put it before each tool of a && chain.
# make -n prints the runner too, since that is what runs. The recipe must check the
# helper first ($(fk_need_helper)), as fk_flash_steps, erase and reset do.
fk_tool = $(if $(filter 1,$(V)),,$(fk_fk) run --label $(1) -- )
