#!/bin/sh
# Benchmark: flashkit convert against objcopy and srec_cat, in one run, on
# 512 KiB, 2 MiB and 64 MiB images; prints time and peak-memory ratios.
# Not a test: nothing here fails on a slow machine.
#   sh tests/bench/convert.sh            (FLASHKIT=path, BENCH_DIR=scratch dir, SIZES="512K 2M 64M")
# Targets on 64 MiB: bin->hex >= 3x faster than objcopy, hex->bin >= 5x,
# peak RSS for contiguous bin<->hex under 16 MiB.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FLASHKIT=${FLASHKIT:-${FLASHKIT_BUILD:-$ROOT/build}/bin/flashkit}
DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/flashkit-bench-convert}
SIZES=${SIZES:-512K 2M 64M}
PY=/usr/bin/python3

for t in hyperfine objcopy srec_cat /usr/bin/time; do
	command -v "$t" >/dev/null 2>&1 || { echo "convert.sh: $t is missing (tools/install-deps installs it)" >&2; exit 1; }
done
[ -x "$FLASHKIT" ] || { echo "convert.sh: no helper at $FLASHKIT (run make first)" >&2; exit 1; }
mkdir -p "$DIR"
cd "$DIR"

rss() { # peak RSS in KiB of a command
	/usr/bin/time -f %M -o rss.txt "$@" >/dev/null 2>&1 && cat rss.txt
}

# bench NAME SIZE: three commands that write out.*; prints mean-time ratios
bench() {
	name=$1 size=$2 out=$3 fk=$4 oc=$5 sc=$6
	runs=10
	hyperfine -N --warmup 1 --runs $runs --style none --export-json "$name-$size.json" \
		--prepare "rm -f $out" \
		-n flashkit "$fk" -n objcopy "$oc" -n srec_cat "$sc" >/dev/null
	fk_rss=$(rss $fk); oc_rss=$(rss $oc); sc_rss=$(rss $sc)
	$PY - "$name-$size.json" "$name" "$size" "$fk_rss" "$oc_rss" "$sc_rss" <<'PY'
import json, sys
f, name, size, fk_rss, oc_rss, sc_rss = sys.argv[1:]
r = {x["command"]: x["median"] for x in json.load(open(f))["results"]}
fk = r["flashkit"]
print(f"{name:8} {size:>5}  flashkit {fk*1000:8.1f} ms  objcopy {r['objcopy']*1000:8.1f} ms ({r['objcopy']/fk:5.1f}x)"
      f"  srec_cat {r['srec_cat']*1000:8.1f} ms ({r['srec_cat']/fk:5.1f}x)"
      f"  | peak RSS flashkit {int(fk_rss)/1024:6.1f} MiB, objcopy {int(oc_rss)/1024:6.1f} MiB, srec_cat {int(sc_rss)/1024:6.1f} MiB")
target = {"bin2hex": 3, "hex2bin": 5}.get(name)
if size == "64M" and target:
    speed = r["objcopy"] / fk
    mem = int(fk_rss) / 1024
    print(f"         target {name} >= {target}x faster than objcopy: {'met' if speed >= target else 'NOT met'} ({speed:.1f}x);"
          f" peak RSS < 16 MiB: {'met' if mem < 16 else 'NOT met'} ({mem:.1f} MiB)")
PY
}

echo "flashkit convert vs objcopy $(objcopy --version | head -1 | awk '{print $NF}') and srec_cat $(srec_cat -VERSion | head -1 | awk '{print $3}'); ratios are how many times faster flashkit is (median of 10 hyperfine runs, output removed before each)"
for size in $SIZES; do
	[ -f "in-$size.bin" ] || head -c "$size" /dev/urandom >"in-$size.bin"
	[ -f "in-$size.hex" ] || objcopy -I binary -O ihex --change-addresses 0x08000000 "in-$size.bin" "in-$size.hex"
	bench bin2hex "$size" out.hex \
		"$FLASHKIT convert in-$size.bin --address 0x08000000 -o out.hex" \
		"objcopy -I binary -O ihex --change-addresses 0x08000000 in-$size.bin out.hex" \
		"srec_cat in-$size.bin -binary -offset 0x08000000 -o out.hex -intel"
	bench hex2bin "$size" out.bin \
		"$FLASHKIT convert in-$size.hex -o out.bin" \
		"objcopy -I ihex -O binary in-$size.hex out.bin" \
		"srec_cat in-$size.hex -intel -offset -0x08000000 -o out.bin -binary"
	bench hex2srec "$size" out.srec \
		"$FLASHKIT convert in-$size.hex -o out.srec" \
		"objcopy -I ihex -O srec --srec-forceS3 in-$size.hex out.srec" \
		"srec_cat in-$size.hex -intel -o out.srec"
done
