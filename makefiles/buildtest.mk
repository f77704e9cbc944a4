# make buildtest (top-level Makefile): build and check examples/blinky for every board,
# in parallel, then print one line per board and fail if any board failed.
# Each board builds in its own directory (examples/blinky/build/BOARD) with its log in
# $(BUILDTEST_DIR)/BOARD.log, so the jobs never share a file.

FK_ROOT := $(patsubst %/makefiles/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
BUILDTEST_DIR ?= $(FK_ROOT)/build/buildtest
BUILDTEST_BOARDS ?= $(sort $(basename $(notdir $(wildcard $(FK_ROOT)/boards/*.mk))) $(notdir $(patsubst %/board.mk,%,$(wildcard $(FK_ROOT)/boards/*/board.mk))))
FLASHKIT ?= $(FK_ROOT)/build/bin/flashkit
# Where the images go: blinky's own build/BOARD by default (BUILDTEST_OUT=dir: dir/BOARD).
BUILDTEST_OUT ?= $(FK_ROOT)/examples/blinky/build

.PHONY: buildtest $(BUILDTEST_BOARDS:%=buildtest-%)
.DEFAULT_GOAL := buildtest

buildtest: $(BUILDTEST_BOARDS:%=buildtest-%)
	@fail=0; printf '%-18s %-6s %8s  %s\n' BOARD RESULT BIN LOG; \
	for b in $(BUILDTEST_BOARDS); do \
	  st=$$(cat '$(BUILDTEST_DIR)'/$$b.status 2>/dev/null || echo 1); \
	  bin='$(BUILDTEST_OUT)'/$$b/blinky.bin; \
	  if [ "$$st" = 0 ]; then r=ok; sz=$$(wc -c < "$$bin"); else r=FAIL; sz=-; fail=$$((fail + 1)); fi; \
	  printf '%-18s %-6s %8s  %s\n' $$b $$r $$sz '$(BUILDTEST_DIR)'/$$b.log; \
	  [ "$$st" = 0 ] || sed 's/^/    /' '$(BUILDTEST_DIR)'/$$b.log | tail -n 5; \
	done; \
	[ $$fail = 0 ] && echo "buildtest: all $(words $(BUILDTEST_BOARDS)) boards built and checked" || \
	  { echo "buildtest: $$fail of $(words $(BUILDTEST_BOARDS)) boards failed" >&2; exit 1; }

# One board: build and check; the status is kept for the summary, not returned, so
# every board runs even when one fails.
$(BUILDTEST_BOARDS:%=buildtest-%): buildtest-%:
	@mkdir -p '$(BUILDTEST_DIR)'
	@$(MAKE) --no-print-directory -C '$(FK_ROOT)/examples/blinky' BOARD=$* FLASHKIT='$(FLASHKIT)' BUILDDIR='$(BUILDTEST_OUT)/$*' all check \
	  >'$(BUILDTEST_DIR)/$*.log' 2>&1; echo $$? >'$(BUILDTEST_DIR)/$*.status'
