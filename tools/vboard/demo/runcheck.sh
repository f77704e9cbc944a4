# Sourced by the demos (run from the top of the tree): the board's --run SPEC, as
# make VIRTUAL=1 passes it to the front end, and the check that the board then runs
# blinky (the front end prints "  RUN ..." and "  CONSOLE ..." lines at its end).
vboard_spec() {
	make --no-print-directory -f makefiles/flashkit.mk BOARD="$1" VIRTUAL=1 FK_PRINT=VBOARD_RUN \
		_fk-vars | sed -n 's/^VBOARD_RUN=//p'
}

# vboard_ran OUTPUT BOARD LED
vboard_ran() {
	if grep -q "^  RUN     $2 (virtual, [0-9]* ms): running: LED $3 toggled [1-9]" "$1" &&
		grep -q "^  CONSOLE blinky on $2\$" "$1"; then
		echo "OK: $2 runs blinky: LED $3 blinks and the console says 'blinky on $2'"
	else
		echo "FAIL: $2 does not run blinky" >&2
		return 1
	fi
}
