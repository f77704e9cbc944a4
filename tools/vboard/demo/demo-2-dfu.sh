#!/bin/sh
# Demo: the ROM DFU bootloader path, the Crazyflie way. Builds examples/blinky for
# crazyflie2 with the plugin, then runs
#   make BOARD=crazyflie2 flash_dfu
# with the real dfu-util against a virtual Crazyflie (tools/vboard/dfu on a umockdev
# USB bus): the running firmware is detached into the STM32 ROM DFU bootloader,
# the image goes to 0x08004000 after the 16 KiB Crazyflie bootloader, and :leave
# starts it. Then shows that the flash holds the image and the bootloader is intact.
set -eu
cd "$(dirname "$0")/../../.."
. tools/vboard/demo/runcheck.sh
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
VDFU=$BUILD/vboard/vdfu
FLASHKIT=$BUILD/bin/flashkit
[ -x "$VDFU" ] || make --no-print-directory BUILD="$BUILD" "$VDFU"
[ -x "$FLASHKIT" ] || make --no-print-directory BUILD="$BUILD" "$FLASHKIT"

work=$(mktemp -d "${TMPDIR:-/tmp}/demo-dfu.XXXXXX")
trap 'rm -rf "$work"' EXIT
out=$BUILD/demo-dfu/blinky
flash=$work/flash.bin

make --no-print-directory -C examples/blinky BOARD=crazyflie2 BUILDDIR="$out" \
	FLASHKIT="$FLASHKIT"

# A 1 MiB STM32F405 flash: a stand-in Crazyflie bootloader in the first 16 KiB
# (a recognisable pattern), erased after it.
head -c 16384 /dev/zero | tr '\0' '\132' >"$work/loader.bin"
cp "$work/loader.bin" "$flash"
head -c $((1024 * 1024 - 16384)) /dev/zero | tr '\0' '\377' >>"$flash"

echo
echo "virtual board: Crazyflie 2.x (STM32F405), running its firmware (USB 0483:5740"
echo "with a DFU run-time interface); the ROM DFU bootloader is 0483:df11"
echo "--- flash: make BOARD=crazyflie2 flash_dfu (the running firmware is asked into DFU first)"
"$VDFU" run --family f4 --start app --flash-file "$flash" --events "$work/events" \
	--run "$(vboard_spec crazyflie2)" -- \
	make --no-print-directory -C examples/blinky BOARD=crazyflie2 BUILDDIR="$out" \
	FLASHKIT="$FLASHKIT" DFU_WAIT=10 flash_dfu >"$work/out" 2>&1 || { cat "$work/out"; exit 1; }
cat "$work/out"

echo
echo "--- what the board saw (tools/vboard/dfu events):"
sed 's/^/  /' "$work/events"

bin=$out/blinky.bin
size=$(stat -c %s "$bin")
if dd if="$flash" bs=16384 skip=1 2>/dev/null | cmp -s -n "$size" "$bin" -; then
	echo "OK: the virtual flash holds $bin at 0x08004000 ($size bytes)"
else
	echo "FAIL: the virtual flash does not hold $bin at 0x08004000" >&2
	exit 1
fi
if cmp -s -n 16384 "$work/loader.bin" "$flash"; then
	echo "OK: the 16 KiB Crazyflie bootloader at 0x08000000 is untouched"
else
	echo "FAIL: the bootloader region changed" >&2
	exit 1
fi
if grep -q '^leave 0x08004000: application started' "$work/events"; then
	echo "OK: :leave started the application at 0x08004000"
else
	echo "FAIL: the application did not start" >&2
	exit 1
fi
vboard_ran "$work/out" crazyflie2 PC0
