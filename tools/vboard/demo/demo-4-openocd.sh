#!/bin/sh
# Demo: the OpenOCD path, the default programmer of every Nucleo. Builds
# examples/blinky for nucleo-f401 with the plugin, then runs
#   make BOARD=nucleo-f401 flash
# unchanged: the real OpenOCD (interface/stlink.cfg, target/stm32f4x.cfg) talks to a
# virtual ST-LINK/V2-1 (tools/vboard/stlink on a umockdev USB bus), and its flash
# loader runs from the work area on the virtual STM32F401's core (tools/vboard/mcu).
# Then shows that the flash holds the image and what the probe and the core did.
set -eu
cd "$(dirname "$0")/../../.."
. tools/vboard/demo/runcheck.sh
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
VSTLINK=$BUILD/vboard/vstlink
FLASHKIT=$BUILD/bin/flashkit
[ -x "$VSTLINK" ] || make --no-print-directory BUILD="$BUILD" "$VSTLINK"
[ -x "$FLASHKIT" ] || make --no-print-directory BUILD="$BUILD" "$FLASHKIT"

work=$(mktemp -d "${TMPDIR:-/tmp}/demo-openocd.XXXXXX")
trap 'rm -rf "$work"' EXIT
out=$BUILD/demo-openocd/blinky
flash=$work/flash.bin

make --no-print-directory -C examples/blinky BOARD=nucleo-f401 BUILDDIR="$out" \
	FLASHKIT="$FLASHKIT"

echo
echo "virtual board: NUCLEO-F401RE (STM32F401RE, 512 KiB flash, erased), its on-board"
echo "ST-LINK/V2-1 on USB (0483:374b, firmware V2J37M26)"
echo "--- flash: make BOARD=nucleo-f401 flash (OpenOCD, the board's default programmer)"
"$VSTLINK" --chip stm32f401re --flash-file "$flash" --events "$work/events" \
	--run "$(vboard_spec nucleo-f401)" -- \
	make --no-print-directory -C examples/blinky BOARD=nucleo-f401 BUILDDIR="$out" \
	FLASHKIT="$FLASHKIT" OPENOCD_WAIT=10 flash >"$work/out" 2>&1 || { cat "$work/out"; exit 1; }
cat "$work/out"

echo
echo "--- what the probe and the core saw (tools/vboard/stlink events):"
grep -v 'unmodelled' "$work/events" | sed 's/^/  /'

bin=$out/blinky.bin
size=$(stat -c %s "$bin")
if cmp -s -n "$size" "$bin" "$flash"; then
	echo "OK: the virtual flash holds $bin at 0x08000000 ($size bytes)"
else
	echo "FAIL: the virtual flash does not hold $bin at 0x08000000" >&2
	exit 1
fi
if grep -q '^mcu: algorithm at 0x20000000 ran, wrote [1-9]' "$work/events"; then
	echo "OK: OpenOCD's flash loader ran on the core from the work area at 0x20000000"
else
	echo "FAIL: OpenOCD's flash loader did not run on the core" >&2
	exit 1
fi
vboard_ran "$work/out" nucleo-f401 PA5
