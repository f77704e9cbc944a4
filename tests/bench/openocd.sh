#!/bin/sh
# Benchmark: flashing through the virtual ST-LINK (tools/vboard/stlink) with
#   make BOARD=nucleo-f401 FLASHFILE=fw.bin flash
# against the bare command a user would type,
#   openocd -f interface/stlink.cfg -f target/stm32f4x.cfg -c 'program fw.bin 0x08000000 verify reset exit'
# on 64 KiB and 256 KiB images. Both run under the same virtual probe, so the
# ratio is what flashkit adds (image check, the wait for the probe, the quiet
# runner, openocd-run.sh); the rate is the image size over the time of each.
# Prints medians of RUNS runs. Not a test: nothing here asserts a time.
#
# Usage: sh tests/bench/openocd.sh   (BUILD=build, SIZES="64K 256K", RUNS=5)
set -eu

BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VSTLINK=$BUILD/vboard/vstlink
FLASHKIT=$BUILD/bin/flashkit
SIZES=${SIZES:-64K 256K}
RUNS=${RUNS:-5}
command -v openocd >/dev/null 2>&1 || { echo "openocd.sh: openocd not installed (tools/install-deps)" >&2; exit 69; }
for f in "$VSTLINK" "$FLASHKIT"; do
	[ -x "$f" ] || { echo "openocd.sh: $f not built (make)" >&2; exit 66; }
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/flashkit-bench-openocd.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
cd "$dir"
echo "openocd: $(openocd --version 2>&1 | head -1)"
echo "probe:   $VSTLINK (ST-LINK/V2-1 V2J37M26, STM32F401RE)"
echo

bytes() {
	case $1 in
	*K) echo $(( ${1%K} * 1024 )) ;;
	*M) echo $(( ${1%M} * 1024 * 1024 )) ;;
	*) echo "$1" ;;
	esac
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# The median of the numbers on stdin.
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

# An image that boots into a 'b .': SP, reset vector, the branch, random bytes.
image() {
	printf '\000\020\000\040\011\000\000\010\376\347' >fw.bin
	head -c $(( $1 - 10 )) /dev/urandom >>fw.bin
}

run_make() {
	"$VSTLINK" --flash-file flash.bin -- make -s --no-print-directory -f "$ROOT/makefiles/flashkit.mk" \
		BOARD=nucleo-f401 FLASHKIT="$FLASHKIT" FLASHFILE=fw.bin flash >log 2>&1
}

run_bare() {
	"$VSTLINK" --flash-file flash.bin -- openocd -f interface/stlink.cfg -f target/stm32f4x.cfg \
		-c 'gdb_port disabled' -c 'tcl_port disabled' -c 'telnet_port disabled' \
		-c 'program fw.bin 0x08000000 verify reset exit' >log 2>&1
}

printf '%-6s %9s %9s %7s %12s %12s\n' size make_ms bare_ms ratio make_KiB/s bare_KiB/s
for size in $SIZES; do
	n=$(bytes "$size")
	image "$n"
	: >make.t
	: >bare.t
	i=0
	while [ $i -lt "$RUNS" ]; do
		for how in make bare; do
			rm -f flash.bin
			t0=$(now_ms)
			"run_$how" || { echo "openocd.sh: $how flash failed:" >&2; cat log >&2; exit 1; }
			t1=$(now_ms)
			cmp -s -n "$n" fw.bin flash.bin || { echo "openocd.sh: $how: flash differs" >&2; exit 1; }
			echo $(( t1 - t0 )) >>"$how.t"
		done
		i=$((i + 1))
	done
	m=$(median <make.t)
	b=$(median <bare.t)
	awk -v s="$size" -v m="$m" -v b="$b" -v n="$n" 'BEGIN {
		printf "%-6s %9d %9d %7.2f %12.0f %12.0f\n", s, m, b, m / b, n / 1024 / (m / 1000), n / 1024 / (b / 1000) }'
done
echo
echo "ratio = make flash / bare openocd (flashkit's overhead; 1.00 = none)"
