#!/bin/sh
# Benchmark: four virtual boards flashed at once with make flash-bench, against the
# same four flashed one after another. Target: the bench takes at most 1.3x the time
# of its slowest board alone. Prints the times (medians of RUNS) and the ratio.
#
# The four: two ST-LINK drives (vdrive two-drives, cpy2remed), a DFU bootloader
# (vdfu, dfu-util) and a UART bootloader (vuart, stm32flash), all attached for the
# whole run (vdrive's namespace around vdfu's USB bus, vuart in the background).
# "Alone" is the same make flash-bench with ONLY=that board, so both sides pay the
# same start-up; the sequential time is the sum of the four.
#
# Usage: sh tests/bench/flash-bench.sh   (BUILD=build, SIZE=65536 image bytes, RUNS=5)
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${BUILD:-$ROOT/build}" && pwd)
SIZE=${SIZE:-65536}
RUNS=${RUNS:-5}
for p in bin/flashkit vboard/vdfu vboard/vdrive vboard/vuart; do
	[ -x "$BUILD/$p" ] || { echo "flash-bench.sh: $BUILD/$p not built (make)" >&2; exit 66; }
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/flashkit-bench-boards.XXXXXX")
vu=
cleanup() { [ -n "$vu" ] && kill "$vu" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT INT TERM
cd "$dir"

# A Cortex-M image: SP in RAM, reset vector in flash, SIZE bytes.
python3 -c "
import struct, random
r = random.Random(7)
open('fw.bin', 'wb').write(struct.pack('<II', 0x20018000, 0x080001C1) + bytes(r.getrandbits(8) for _ in range($SIZE - 8)))"

"$BUILD/vboard/vuart" --flash uart.bin --log uart.log --link "$dir/tty" --wiring inverted >uart.env &
vu=$!
for _ in $(seq 50); do grep -q '^# ready' uart.env 2>/dev/null && break; sleep 0.1; done
. ./uart.env   # PORT, VUART_TTY, VUART_CTL, VUART_PATH
ctl=$VUART_CTL wrap=$VUART_PATH

SN1=0671FF485550755187121723 SN2=0672FF485550755187125544 DSN=3574364C3034
cat >bench.txt <<EOF
left   nucleo-f401      cpy2remed   SERIAL=$SN1
right  nucleo-f401      cpy2remed   SERIAL=$SN2
disco  stm32f4discovery dfu         SERIAL=$DSN  DFU_WAIT=20
uart   nucleo-f401      stm32flash  PORT=$dir/tty  STM32FLASH_RESET=1 VUART_TTY=$dir/tty VUART_CTL=$ctl
EOF

now() { date +%s.%N; }
# One flash-bench with all four boards attached; prints its seconds.
run_bench() {
	t0=$(now)
	PATH="$wrap:$PATH" "$BUILD/vboard/vdrive" run -q --board-flash 0x08000000:512K \
		--layout '4*16K,1*64K,3*128K' --flash-file d1.bin --flash-file2 d2.bin \
		--serial $SN1 --serial2 $SN2 --fault two-drives --remount-delay 0.3 -- \
		"$BUILD/vboard/vdfu" run --flash-file dfu.bin --serial $DSN -- \
		make -s --no-print-directory -f "$ROOT/makefiles/flashkit.mk" \
		FLASHKIT="$BUILD/bin/flashkit" BENCH=bench.txt FLASHFILE=fw.bin BENCH_JSON= "$@" \
		flash-bench >out.txt 2>&1 || { cat out.txt >&2; echo "flash-bench.sh: flash-bench failed" >&2; exit 1; }
	t1=$(now)
	echo "$t0 $t1" | awk '{ printf "%.3f\n", $2 - $1 }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "image: $SIZE bytes; $RUNS runs each, medians"
all=$(for _ in $(seq "$RUNS"); do run_bench; done | median)
seq_sum=0 slowest=0 slow_name=
for b in left right disco uart; do
	t=$(for _ in $(seq "$RUNS"); do run_bench ONLY=$b; done | median)
	printf '  %-6s alone   %7.3f s\n' "$b" "$t"
	seq_sum=$(echo "$seq_sum $t" | awk '{ printf "%.3f", $1 + $2 }')
	if [ "$(echo "$t $slowest" | awk '{ print ($1 > $2) }')" = 1 ]; then slowest=$t slow_name=$b; fi
done
printf '  one after another  %7.3f s\n' "$seq_sum"
printf '  flash-bench (all)  %7.3f s\n' "$all"
ratio=$(echo "$all $slowest" | awk '{ printf "%.2f", $1 / $2 }')
speedup=$(echo "$seq_sum $all" | awk '{ printf "%.2f", $1 / $2 }')
ok=$(echo "$ratio" | awk '{ print ($1 <= 1.3) ? "met" : "NOT met" }')
echo "ratio bench / slowest alone ($slow_name): $ratio (target <= 1.3: $ok); $speedup x faster than one after another"
