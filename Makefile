# flashkit: build the helper, the virtual boards, and run every test.
#
#   make                 build the helper: build/bin/flashkit
#   make check           install what is missing, build, run every test (CI runs this)
#   make demo            install what is missing, build the example, flash it onto virtual boards
#   make install PREFIX=/usr/local
#   make fuzz FUZZ_SECONDS=600   longer fuzzing run of every reader
#   make bench           benchmarks against objcopy, srec_cat, dfu-suffix (prints ratios)
#
# Every other goal is the make plugin's (help, list-boards, info, flash, erase, ...): it is
# handed to the plugin, so the README's commands work here as they do in a firmware tree.
# Without FLASHFILE or ELFFILE the firmware is examples/blinky (built for BOARD under
# examples/blinky/build/BOARD/); with one of them the plugin runs here on that file.
#
# V=1 shows full commands.

BUILD    ?= build
PREFIX   ?= /usr/local
CC       ?= cc
CLANG    ?= clang
CFLAGS   ?= -O2 -g
WARN     := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
LDLIBS   := -lz
SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SECONDS ?= 10
PYTEST   ?= /usr/bin/python3 -m pytest

ifeq ($(V),1)
Q :=
else
Q := @
endif

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SECONDARY:

LIB_SRC  := $(filter-out src/main.c,$(sort $(wildcard src/*.c)))
HDRS     := $(wildcard src/*.h)
OBJ      := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
SAN_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/san/%.o)
FUZZ_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/fuzzobj/%.o)
FLASHKIT := $(BUILD)/bin/flashkit
BOARD_IDS := $(BUILD)/share/flashkit/board-ids.txt

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

# Virtual boards: each front end adds its programs to VBOARD_BINS, and C
# sources that unit tests should link (built with sanitizers) to UNIT_EXTRA_SRC.
VBOARD_BINS :=
UNIT_EXTRA_SRC :=
UNIT_EXTRA_INC :=
UNIT_EXTRA_LIBS :=
-include $(sort $(wildcard tools/vboard/*/*.mk))

# This Makefile's own goals: add a new top-level target here (and nowhere else) so that
# it is not handed to the plugin.
TOP_GOALS := all check check-run deps unit fuzz fuzz-smoke pytest demo bench install clean vboard
TOP_GOALS += buildtest udev-install
.PHONY: $(TOP_GOALS)

all: $(FLASHKIT) vboard $(BOARD_IDS) $(BUILD)/man/flashkit.1

# flashkit(1): its COMMANDS section is the helper's own --help texts (tools/gen-manpage),
# so the page and --help cannot drift apart.
MANPAGE_GEN = tools/gen-manpage $(FLASHKIT) man/flashkit.1.in
$(BUILD)/man/flashkit.1: man/flashkit.1.in tools/gen-manpage $(FLASHKIT)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  MAN     $@")
	$(Q)$(MANPAGE_GEN) $(PREFIX)/share/flashkit >$@.tmp && mv $@.tmp $@

# Which boards an attached device can be (flashkit list), generated from the board files
# at build time: one sub-make per board, never on the flash path.
$(BOARD_IDS): $(wildcard boards/*.mk boards/*/*.mk) makefiles/bench.mk
	@mkdir -p $(@D)
	@$(if $(Q),echo "  GEN     $@")
	$(Q)$(MAKE) -s --no-print-directory -f makefiles/flashkit.mk _fk-board-ids-all >$@.tmp && mv $@.tmp $@

vboard: $(VBOARD_BINS)

$(BUILD)/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(WARN) $(CFLAGS) -c $< -o $@

$(FLASHKIT): $(OBJ) $(BUILD)/obj/main.o
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests: cmocka, every source file rebuilt with ASan and UBSan.
$(BUILD)/san/%.o: src/%.c $(HDRS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [san] $<")
	$(Q)$(CC) $(WARN) -O1 -g $(SAN) -c $< -o $@

# The virtual boards' sources are compiled once into an archive, so a test
# links only the objects it uses (and -lunicorn costs nothing to the others).
UNIT_EXTRA_OBJ = $(UNIT_EXTRA_SRC:%.c=$(BUILD)/san-extra/%.o)
UNIT_EXTRA_LIB = $(BUILD)/san-extra/libextra.a
$(BUILD)/san-extra/%.o: %.c $(HDRS) $(wildcard tools/vboard/*/*.h)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [san] $<")
	$(Q)$(CC) $(WARN) -O1 -g $(SAN) -Isrc $(UNIT_EXTRA_INC) -c $< -o $@
$(UNIT_EXTRA_LIB): $(UNIT_EXTRA_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/unit/%: tests/unit/%.c $(SAN_OBJ) $(HDRS) $(UNIT_EXTRA_LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [san] $<")
	$(Q)$(CC) $(WARN) -O1 -g $(SAN) -Isrc $(UNIT_EXTRA_INC) -o $@ $< $(SAN_OBJ) $(UNIT_EXTRA_LIB) -lcmocka $(UNIT_EXTRA_LIBS) $(LDLIBS)

unit: $(UNIT_BIN)
	$(Q)set -e; cd tests/unit; for t in $(abspath $(UNIT_BIN)); do \
		echo "  UNIT    $${t##*/}"; \
		ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $$t; done

# Fuzz targets: libFuzzer with ASan and UBSan, one per reader.
$(BUILD)/fuzzobj/%.o: src/%.c $(HDRS)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(WARN) -O1 -g -fsanitize=fuzzer-no-link,address,undefined -c $< -o $@

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJ) $(wildcard tests/fuzz/*.h)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZ-LD $@")
	$(Q)$(CLANG) $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined -Isrc -o $@ $< $(FUZZ_OBJ) $(LDLIBS)

# A short run of every fuzz target from its seed corpus (make check); a longer
# one with FUZZ_SECONDS=600 make fuzz. New inputs go to build/, not the tree.
fuzz-smoke: FUZZ_SECONDS := 5
fuzz-smoke fuzz: $(FUZZ_BIN)
	$(Q)set -e; for f in $(FUZZ_BIN); do n=$${f##*/}; \
		mkdir -p $(BUILD)/corpus/$$n; \
		echo "  FUZZ    $$n ($(FUZZ_SECONDS) s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 \
			-artifact_prefix=$(BUILD)/ $(BUILD)/corpus/$$n \
			$$( [ -d tests/fuzz/corpus/$$n ] && echo tests/fuzz/corpus/$$n ) \
			>$(BUILD)/fuzz-$$n.log 2>&1 || { tail -40 $(BUILD)/fuzz-$$n.log; exit 1; }; \
	done


deps:
	$(Q)tools/install-deps

# The README's test command. Installs what is missing first, then runs in a
# fresh make so the rules see the installed tools.
check: deps
	$(Q)$(MAKE) --no-print-directory check-run

check-run: all unit fuzz-smoke
	$(Q)FLASHKIT_BUILD=$(abspath $(BUILD)) $(PYTEST) -p no:cacheprovider -q tests

pytest: all
	$(Q)FLASHKIT_BUILD=$(abspath $(BUILD)) $(PYTEST) -p no:cacheprovider -q $(if $(filter tests/% ./tests/%,$(PYTEST_ARGS)),,tests )$(PYTEST_ARGS)

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)BUILD=$(BUILD) tools/demo

bench: all
	$(Q)set -e; for b in tests/bench/*.sh; do echo "== $$b"; sh $$b; done

# The plugin finds the helper at PREFIX/bin next to PREFIX/share/flashkit (makefiles/flashkit.mk).
# Quiet like the build (V=1 shows the commands): one line per installed part.
install: $(FLASHKIT) $(BOARD_IDS)
	$(Q)install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/flashkit $(DESTDIR)$(PREFIX)/share/man/man1
	@$(if $(Q),echo "  INSTALL $(DESTDIR)$(PREFIX)/bin/flashkit")
	$(Q)install -m 755 $(FLASHKIT) $(DESTDIR)$(PREFIX)/bin/flashkit
	@$(if $(Q),echo "  INSTALL $(DESTDIR)$(PREFIX)/share/man/man1/flashkit.1")
	$(Q)$(MANPAGE_GEN) $(PREFIX)/share/flashkit >$(DESTDIR)$(PREFIX)/share/man/man1/flashkit.1
	@$(if $(Q),echo "  INSTALL $(DESTDIR)$(PREFIX)/share/flashkit (plugin, boards, programmers, tools)")
	$(Q)install -m 644 $(BOARD_IDS) $(DESTDIR)$(PREFIX)/share/flashkit/board-ids.txt
	$(Q)cp -R makefiles programmers boards $(DESTDIR)$(PREFIX)/share/flashkit/
	$(Q)install -d $(DESTDIR)$(PREFIX)/share/flashkit/tools/ci
	$(Q)install -m 755 tools/fk-make $(DESTDIR)$(PREFIX)/share/flashkit/tools/fk-make
	$(Q)install -m 755 tools/ci/twister-flash $(DESTDIR)$(PREFIX)/share/flashkit/tools/ci/twister-flash
	$(Q)$(MAKE) --no-print-directory $(if $(Q),-s) vboard
	@$(if $(Q),echo "  INSTALL $(DESTDIR)$(PREFIX)/libexec/flashkit (the virtual boards)")
	$(Q)install -d $(DESTDIR)$(PREFIX)/libexec/flashkit
	$(Q)install -m 755 $(filter-out %.a %.o,$(VBOARD_BINS)) $(DESTDIR)$(PREFIX)/libexec/flashkit/

clean:
	rm -rf $(BUILD)

# The make plugin's own targets (makefiles/, examples/blinky, tools/udev).
#   make buildtest      blinky for every board in parallel, a summary, non-zero on failure
#   make udev-install   udev rules for ST-LINK, STM32 DFU and USB-UART (LIBUSB_ERROR_ACCESS)
buildtest: $(FLASHKIT)
	$(Q)j=; case ' $(MAKEFLAGS)' in *' -j'*|*jobserver*) ;; *) j=-j$$(nproc);; esac; \
	$(MAKE) --no-print-directory $$j -f makefiles/buildtest.mk \
		FLASHKIT=$(abspath $(FLASHKIT)) BUILDTEST_DIR=$(abspath $(BUILD))/buildtest

udev-install:
	$(Q)$(MAKE) --no-print-directory -C tools/udev install

# The plugin's goals (make help, list-boards, BOARD=... info, flash, ...): every goal that is
# not one of TOP_GOALS and not a file under $(BUILD) goes to one sub-make of the plugin.
# The goals that need no firmware run the plugin here; the others build examples/blinky
# unless FLASHFILE or ELFFILE says what to flash (paths then relative to this directory).
FK_PLUGIN_GOALS := $(filter-out $(TOP_GOALS) $(BUILD)/% %.o,$(MAKECMDGOALS))
FK_NOFIRMWARE_GOALS := help list-boards list-programmers list-attached
FK_TOP_HELP := '' 'At the repository root also: make (build the helper), make check (every test),' \
	'make demo (flash virtual boards), make install PREFIX=..., make buildtest, make udev-install.' \
	'Without FLASHFILE or ELFFILE, flash and info use examples/blinky (built for BOARD).'
ifneq ($(FK_PLUGIN_GOALS),)
fk_plugin_here := $(or $(FLASHFILE),$(ELFFILE),$(MANIFEST),$(if $(filter-out $(FK_NOFIRMWARE_GOALS),$(FK_PLUGIN_GOALS)),,1))
.PHONY: $(FK_PLUGIN_GOALS) _fk-plugin
$(FK_PLUGIN_GOALS): _fk-plugin ;
_fk-plugin: $(if $(filter-out help list-boards list-programmers,$(FK_PLUGIN_GOALS)),$(FLASHKIT))
	$(Q)$(MAKE) --no-print-directory $(if $(fk_plugin_here),-f makefiles/flashkit.mk,-C examples/blinky) \
		FLASHKIT=$(abspath $(FLASHKIT)) $(FK_PLUGIN_GOALS)
	$(if $(filter help,$(FK_PLUGIN_GOALS)),@printf '%s\n' $(FK_TOP_HELP))
endif
