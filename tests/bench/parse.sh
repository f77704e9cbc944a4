#!/bin/sh
# Parse cost of the make plugin: median wall time of `make -n flash-only` (parse, resolve
# board and programmer, list the recipe; nothing runs), against make on an empty makefile
# (the floor) and RIOT's measured ~125 ms for the same step. Target: <= 10 ms median.
# Also counts the processes the parse starts (strace): it must be make alone.
set -eu
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf 'all:\n\t@:\n' >"$out/empty.mk"

fk="make -s -f makefiles/flashkit.mk BOARD=crazyflie2 FLASHFILE=fw.bin FLASHKIT=flashkit -n flash-only"
fk_nucleo="make -s -f makefiles/flashkit.mk BOARD=nucleo-f401 PROGRAMMER=openocd FLASHFILE=fw.bin FLASHKIT=flashkit -n flash-only"
blinky="make -s -C examples/blinky BOARD=crazyflie2 -n flash-only"
floor="make -s -f $out/empty.mk -n"

hyperfine -N -w 10 -r 100 --export-json "$out/h.json" \
	-n 'empty makefile' "$floor" -n 'flashkit crazyflie2 dfu' "$fk" \
	-n 'flashkit nucleo-f401 openocd' "$fk_nucleo" -n 'blinky (included)' "$blinky" >/dev/null

/usr/bin/python3 - "$out/h.json" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
floor = res[0]["median"]
print(f"{'make -n flash-only':32} {'median':>9} {'over empty':>11} {'vs RIOT 125 ms':>15}")
for r in res:
    m = r["median"] * 1000
    print(f"{r['command']:32} {m:7.2f} ms {m - floor * 1000:8.2f} ms {125 / m:13.1f}x")
worst = max(r["median"] for r in res[1:]) * 1000
print(f"target <= 10 ms median: {'met' if worst <= 10 else 'MISSED'} (worst {worst:.2f} ms)")
PY

n=$(strace -f -qq -e trace=execve -o "$out/trace" $fk >/dev/null && grep -c 'execve(' "$out/trace")
echo "processes started while parsing (make itself included): $n"
