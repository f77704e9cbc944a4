#!/bin/sh
# Demo: the ST-LINK drive path, the README's headline command. Builds
# examples/blinky for nucleo-f401 and runs, unchanged,
#   make BOARD=nucleo-f401 PROGRAMMER=cpy2remed flash
# against a virtual Nucleo-F401RE whose ST-LINK drive NODE_F401RE is mounted
# in a private mount namespace (tools/vboard/drive; the host's mounts are
# not touched). flashkit copies the .bin, waits for the drive to disconnect
# and come back without FAIL.TXT; then the virtual flash is compared with
# the image.
set -eu
cd "$(dirname "$0")/../../.."
. tools/vboard/demo/runcheck.sh
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
VDRIVE=$BUILD/vboard/vdrive
FLASHKIT=$BUILD/bin/flashkit
[ -x "$VDRIVE" ] || make --no-print-directory BUILD="$BUILD" "$VDRIVE"
[ -x "$FLASHKIT" ] || make --no-print-directory BUILD="$BUILD" "$FLASHKIT"

work=$(mktemp -d "${TMPDIR:-/tmp}/demo-stlink.XXXXXX")
trap 'rm -rf "$work"' EXIT
out=$BUILD/demo-stlink/blinky
flash=$work/flash.bin

echo "--- build: make -C examples/blinky BOARD=nucleo-f401"
make --no-print-directory -C examples/blinky BOARD=nucleo-f401 BUILDDIR="$out" \
	FLASHKIT="$FLASHKIT" all

echo
echo "--- virtual board: STM32F401RE (512 KiB flash, sectors 4x16K 1x64K 3x128K),"
echo "    ST-LINK/V2-1 drive NODE_F401RE at /media/\$USER/NODE_F401RE (private mount namespace)"
echo "--- flash: make BOARD=nucleo-f401 PROGRAMMER=cpy2remed flash"
if ! "$VDRIVE" run --board-flash 0x08000000:512K --layout 4*16K,1*64K,3*128K \
	--label NODE_F401RE --flash-file "$flash" --remount-delay 0.5 --run "$(vboard_spec nucleo-f401)" -- \
	make --no-print-directory -C examples/blinky BOARD=nucleo-f401 PROGRAMMER=cpy2remed \
	BUILDDIR="$out" FLASHKIT="$FLASHKIT" flash >"$work/out" 2>&1; then
	cat "$work/out"
	echo "FAIL: make ... PROGRAMMER=cpy2remed flash failed (vdrive needs root, or" >&2
	echo "      unprivileged user namespaces, for its private mount namespace)" >&2
	exit 1
fi
cat "$work/out"

echo
echo "--- the virtual flash (offsets from 0x08000000):"
size=$(stat -c %s "$out/blinky.bin")
od -A x -t x1 -N 32 "$flash" | sed 's/^/  /'
head -c "$size" "$flash" >"$work/read-back.bin"
img_crc=$("$FLASHKIT" info "$out/blinky.bin" | sed -n 's/^crc32: //p')
flash_crc=$("$FLASHKIT" info "$work/read-back.bin" | sed -n 's/^crc32: //p')
echo "  image $out/blinky.bin: $size bytes, CRC32 $img_crc"
echo "  flash 0x08000000 + $size:  CRC32 $flash_crc"
if cmp -s "$out/blinky.bin" "$work/read-back.bin"; then
	echo "OK: the first $size bytes of the virtual flash are $out/blinky.bin"
else
	echo "FAIL: the virtual flash does not hold $out/blinky.bin" >&2
	exit 1
fi
vboard_ran "$work/out" nucleo-f401 PA5
