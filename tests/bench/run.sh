#!/bin/sh
# Benchmark: running what was flashed (issue 13).
#  1. The core's speed on examples/blinky: instructions per second of the virtual
#     STM32 (tools/vboard/run/vrun, no flash tool), and how many seconds of the board's
#     time pass per second of wall time, for an F4 (16 MHz), an H7 (64 MHz) and a G0
#     (Cortex-M0+, 16 MHz), each 1 s of virtual time.
#  2. make VIRTUAL=1 flash per programmer: the wall time of the whole command (build
#     done beforehand), and of the same with VIRTUAL_RUN_MS=0, so the difference is what
#     running the image for 300 ms costs on top of the flash itself.
# Prints medians of RUNS runs (default 3) and ratios; not a timed test.
#
# Usage: sh tests/bench/run.sh   (BUILD=build, RUNS=3)
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
RUNS=${RUNS:-3}
VRUN=$BUILD/vboard/vrun
FLASHKIT=$BUILD/bin/flashkit
[ -x "$VRUN" ] && [ -x "$FLASHKIT" ] || make --no-print-directory BUILD="$BUILD" all >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/flashkit-bench-run.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
spec() {
	make --no-print-directory -f makefiles/flashkit.mk BOARD="$1" VIRTUAL=1 VIRTUAL_RUN_MS="$2" \
		FK_PRINT=VBOARD_RUN _fk-vars | sed -n 's/^VBOARD_RUN=//p'
}

echo "== 1. the core on blinky (1 s of virtual time, median of $RUNS)"
printf '%-16s %-12s %14s %10s %12s\n' board core instructions wall-s "virtual/wall"
for b in nucleo-f401 nucleo-h743zi nucleo-g071rb; do
	make --no-print-directory -s -C examples/blinky BOARD=$b BUILDDIR="$work/$b" \
		FLASHKIT="$FLASHKIT" all >/dev/null
	s=$(spec $b 1000)
	for i in $(seq "$RUNS"); do
		"$VRUN" --run "$s" --image "$work/$b/blinky.bin" --quiet --stats
	done >"$work/$b.stats"
	ins=$(sed -n 's/.*instructions=\([0-9]*\).*/\1/p' "$work/$b.stats" | head -1)
	wall=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' "$work/$b.stats" | median)
	cpu=$(make --no-print-directory -f makefiles/flashkit.mk BOARD=$b FK_PRINT=BOARD_CPU _fk-vars | sed -n 's/^BOARD_CPU=//p')
	awk -v b=$b -v c="$cpu" -v n="$ins" -v w="$wall" 'BEGIN {
		printf "%-16s %-12s %14d %10.3f %11.2fx   (%.1f M instructions/s)\n", b, c, n, w, 1 / w, n / w / 1e6 }'
done

echo
echo "== 2. make VIRTUAL=1 flash per programmer (median of $RUNS; blinky already built)"
printf '%-16s %-11s %10s %14s %10s\n' board programmer "flash+run" "run_ms=0" "run cost"
for pair in nucleo-f401:openocd nucleo-f401:cpy2remed nucleo-f401:stm32flash crazyflie2:dfu; do
	b=${pair%%:*}
	p=${pair#*:}
	make --no-print-directory -s -C examples/blinky BOARD=$b BUILDDIR="$work/$b" \
		FLASHKIT="$FLASHKIT" all >/dev/null
	for ms in 300 0; do
		for i in $(seq "$RUNS"); do
			t0=$(now)
			make --no-print-directory -C examples/blinky BOARD=$b PROGRAMMER=$p \
				BUILDDIR="$work/$b" FLASHKIT="$FLASHKIT" VIRTUAL=1 VIRTUAL_RUN_MS=$ms \
				VIRTUAL_DIR="$work/v-$p" flash >"$work/out" 2>&1 ||
				{ echo "$b $p: make VIRTUAL=1 flash failed:" >&2; cat "$work/out" >&2; exit 1; }
			t1=$(now)
			echo "$t1 - $t0" | bc
		done | median >"$work/t$ms"
	done
	awk -v b=$b -v p=$p -v a="$(cat "$work/t300")" -v z="$(cat "$work/t0")" 'BEGIN {
		printf "%-16s %-11s %9.2fs %13.2fs %9.2fs\n", b, p, a, z, a - z }'
done
