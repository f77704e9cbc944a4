#!/bin/sh
# make artifacts -j2 for every board of examples/blinky, from clean build directories:
# wall time (median of RUNS), and where the CPU time goes: the compiler (arm-none-eabi-gcc
# and what it runs), the flashkit helper (convert, dfu, manifest), and the rest (make,
# git describe, cp, shells). Each tool is timed by /usr/bin/time through a shim that
# execs the real one. Prints ratios; asserts nothing.
set -eu
cd "$(dirname "$0")/../.."
root=$(pwd)
RUNS=${RUNS:-3}
JOBS=${JOBS:-2}
fk=${FLASHKIT:-$root/build/bin/flashkit}
[ -x "$fk" ] || { echo "build the helper first: make" >&2; exit 69; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Shims: same name, same arguments, one line of "TAG elapsed user sys" each.
mkdir -p "$out/shim"
for t in gcc; do
	real=$(command -v arm-none-eabi-$t)
	printf '#!/bin/sh\nexec /usr/bin/time -a -o %s -f "compiler %%e %%U %%S" %s "$@"\n' \
		"$out/times" "$real" >"$out/shim/arm-none-eabi-$t"
done
printf '#!/bin/sh\nexec /usr/bin/time -a -o %s -f "flashkit %%e %%U %%S" %s "$@"\n' \
	"$out/times" "$fk" >"$out/shim/flashkit"
chmod +x "$out/shim/"*

nboards=$(make -s -C examples/blinky list-boards | tail -n +2 | wc -l)
i=0
: >"$out/walls"
while [ $i -lt "$RUNS" ]; do
	i=$((i + 1))
	rm -rf "$out/build" "$out/art"
	: >"$out/times"
	/usr/bin/time -o "$out/total" -f "%e %U %S" make -s -j"$JOBS" -C examples/blinky artifacts \
		BOARDS=all CROSS="$out/shim/arm-none-eabi-" FLASHKIT="$out/shim/flashkit" \
		BUILDDIR="$out/build/\$(FK_BOARD)" ARTIFACTS_DIR="$out/art" >/dev/null
	read -r wall user sys <"$out/total"
	echo "$wall" >>"$out/walls"
	cp "$out/times" "$out/times.last"
	echo "$user $sys" >"$out/total.last"
done
n=$(ls "$out/art" | wc -l)
[ "$n" = "$nboards" ] || { echo "only $n of $nboards boards built" >&2; exit 70; }
sort -n "$out/walls" | awk -v r="$RUNS" -v b="$nboards" -v j="$JOBS" '
	{ w[NR] = $1 } END { m = w[int((NR + 1) / 2)];
	printf "make artifacts -j%d, %d boards from clean: median %.2f s of %d runs (%.0f ms per board)\n", j, b, m, r, m * 1000 / b }'
read -r tu ts <"$out/total.last"
awk -v tu="$tu" -v ts="$ts" '
	{ cpu[$1] += $3 + $4; el[$1] += $2; n[$1]++ }
	END {
		tot = tu + ts
		other = tot - cpu["compiler"] - cpu["flashkit"]
		printf "last run: CPU %.2f s in all; per tool: CPU, its share, and the summed wall time of its runs\n", tot
		printf "  %-9s %6.2f s %5.1f%%  %6.2f s  (%d runs)\n", "compiler", cpu["compiler"], 100 * cpu["compiler"] / tot, el["compiler"], n["compiler"]
		printf "  %-9s %6.2f s %5.1f%%  %6.2f s  (%d runs: convert, dfu, manifest)\n", "flashkit", cpu["flashkit"], 100 * cpu["flashkit"] / tot, el["flashkit"], n["flashkit"]
		printf "  %-9s %6.2f s %5.1f%%            (make, git describe, cp, shells, the timing shims)\n", "rest", other, 100 * other / tot
		if (el["flashkit"] > 0)
			printf "compiler / flashkit, summed wall time of their runs: %.1fx\n", el["compiler"] / el["flashkit"]
	}' "$out/times.last"
