#!/bin/sh
# Demo: the ROM UART bootloader path. Builds examples/blinky for nucleo-f401
# and flashes it with the real stm32flash through the plugin,
#   make BOARD=nucleo-f401 PROGRAMMER=stm32flash PORT=... STM32FLASH_RESET=1 flash
# onto a virtual board whose adapter drives BOOT0 from RTS and NRST from DTR
# (inverted, the usual TTL cable). Then shows that the virtual flash holds the
# image and that the board was reset into the application.
set -eu
cd "$(dirname "$0")/../../.."
. tools/vboard/demo/runcheck.sh
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
VUART=$BUILD/vboard/vuart
[ -x "$VUART" ] && [ -f "$BUILD/vboard/ttyshim.so" ] || make --no-print-directory BUILD="$BUILD" vboard
[ -x "$BUILD/bin/flashkit" ] || make --no-print-directory BUILD="$BUILD" "$BUILD/bin/flashkit"

work=$(mktemp -d "${TMPDIR:-/tmp}/demo-uart.XXXXXX")
trap 'rm -rf "$work"' EXIT
out=$BUILD/demo-uart/blinky
flash=$work/flash.bin

echo "virtual board: STM32F401RE, ROM UART bootloader on a pseudo-terminal;"
echo "adapter RTS -> BOOT0, DTR -> NRST, inverted (the usual TTL cable)"
echo "--- flash: make BOARD=nucleo-f401 PROGRAMMER=stm32flash PORT=... STM32FLASH_RESET=1 flash"
"$VUART" --flash "$flash" --wiring inverted --boot0 low --link "$work/ttyUSB0" \
	--state "$work/state" --log "$work/board.log" --run "$(vboard_spec nucleo-f401)" -- \
	make --no-print-directory -C examples/blinky BOARD=nucleo-f401 PROGRAMMER=stm32flash \
	PORT="$work/ttyUSB0" STM32FLASH_RESET=1 BUILDDIR="$out" FLASHKIT="$BUILD/bin/flashkit" flash >"$work/out" 2>&1 || { cat "$work/out"; exit 1; }
cat "$work/out"

echo
echo "--- what the board saw (tools/vboard/uart log):"
sed 's/^/  /' "$work/board.log"

size=$(stat -c %s "$out/blinky.bin")
if cmp -s -n "$size" "$out/blinky.bin" "$flash"; then
	echo "OK: the first $size bytes of the virtual flash are $out/blinky.bin"
else
	echo "FAIL: the virtual flash does not hold $out/blinky.bin" >&2
	exit 1
fi
if grep -q '^mode=app$' "$work/state" &&
	grep -q 'NRST released: application running from 0x08000000' "$work/board.log"; then
	echo "OK: the board was reset with BOOT0 low and runs the application"
else
	echo "FAIL: the application is not running:" >&2
	cat "$work/state" >&2
	exit 1
fi
vboard_ran "$work/out" nucleo-f401 PA5
