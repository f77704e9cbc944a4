#!/bin/sh
# Benchmark: adding a DFU suffix and writing a DfuSe file with flashkit,
# against dfu-util's dfu-suffix, on 512 KiB, 2 MiB and 64 MiB images, in one
# hyperfine run per size. Prints mean times and ratios (dfu-suffix / ours).
#
# Same work on both sides: each run starts from a fresh copy of the input
# (hyperfine --prepare, not timed); `flashkit suffix add` and `dfu-suffix -a`
# then read the whole copy, compute the CRC and write the file with its
# suffix; `flashkit dfu IN --address A -o OUT` reads the input and writes a
# complete DfuSe file (prefix, target, element, suffix) - the dfu-util way to
# get a flashable file from a .bin is the copy + `dfu-suffix -a`.
# flashkit also fsyncs its output before renaming it into place; dfu-suffix
# truncates and rewrites in place without fsync. The fsync is most of our
# time on small files, so a third flashkit line writes the DfuSe file to
# stdout (no temporary file, no fsync) to show that share. Each prepare step
# ends with sync and a short pause, so no command pays for flushing the copy
# made before it. On a busy machine single runs vary by milliseconds, so the
# script prints medians and also the ratio of the fastest runs.
#
# Usage: sh tests/bench/dfu.sh   (FLASHKIT=path/to/flashkit, BENCH_DIR=dir,
#        SIZES="512K 2M 64M", RUNS=10)
set -eu

FLASHKIT=${FLASHKIT:-${BUILD:-build}/bin/flashkit}
SIZES=${SIZES:-512K 2M 64M}
RUNS=${RUNS:-20}
for t in hyperfine dfu-suffix; do
	command -v $t >/dev/null 2>&1 || { echo "dfu.sh: $t not installed (tools/install-deps)" >&2; exit 69; }
done
[ -x "$FLASHKIT" ] || { echo "dfu.sh: $FLASHKIT not built (make)" >&2; exit 66; }
FLASHKIT=$(cd "$(dirname "$FLASHKIT")" && pwd)/$(basename "$FLASHKIT")

dir=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/flashkit-bench-dfu.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
cd "$dir"
echo "flashkit: $FLASHKIT"
echo "work dir: $dir ($(df -PT . | awk 'NR==2 {print $2}'))"
echo "dfu-suffix: $(dfu-suffix -V 2>/dev/null | head -1)"
echo

bytes() {
	case $1 in
	*K) echo $(( ${1%K} * 1024 )) ;;
	*M) echo $(( ${1%M} * 1024 * 1024 )) ;;
	*) echo "$1" ;;
	esac
}

echo 'median of the runs (ratio = dfu-suffix / flashkit), and the ratio of the fastest runs'
printf '%-6s %-26s %9s %9s %7s %9s\n' size task ours_ms peer_ms ratio min_ratio
for size in $SIZES; do
	n=$(bytes "$size")
	head -c "$n" /dev/urandom >in.bin
	hyperfine -N --style none -w 2 -r "$RUNS" --export-csv "r-$size.csv" \
		--prepare "sh -c 'cp in.bin ours.bin && sync && sleep 0.1'" "$FLASHKIT suffix add ours.bin" \
		--prepare "sh -c 'cp in.bin peer.bin && sync && sleep 0.1'" 'dfu-suffix -a peer.bin' \
		--prepare "sh -c 'rm -f out.dfu && sync && sleep 0.1'" "$FLASHKIT dfu in.bin --address 0x08000000 -o out.dfu" \
		--prepare true "$FLASHKIT dfu in.bin --address 0x08000000 -o -" \
		--output=null >/dev/null
	# sanity: both suffixed files are byte-identical, the .dfu passes dfu-suffix -c
	cmp -s ours.bin peer.bin || { echo "dfu.sh: outputs differ" >&2; exit 1; }
	dfu-suffix -c out.dfu >/dev/null 2>&1 || { echo "dfu.sh: out.dfu rejected" >&2; exit 1; }
	awk -F, -v size="$size" 'NR > 1 { med[NR - 1] = $4 * 1000; min[NR - 1] = $7 * 1000 }
		function line(task, i) {
			printf "%-6s %-26s %9.1f %9.1f %6.1fx %8.1fx\n", size, task, med[i], med[2],
				med[2] / med[i], min[2] / min[i];
		}
		END {
			line("suffix add", 1);
			line("dfu (bin -> DfuSe file)", 3);
			line("dfu to stdout (no fsync)", 4);
		}' "r-$size.csv"
done

# Peak memory for the largest size (KiB of maximum resident set).
if [ -x /usr/bin/time ]; then
	cp in.bin ours.bin
	cp in.bin peer.bin
	a=$(/usr/bin/time -f %M "$FLASHKIT" suffix add ours.bin 2>&1 >/dev/null)
	b=$(/usr/bin/time -f %M dfu-suffix -a peer.bin 2>&1 >/dev/null | tail -1)
	c=$(/usr/bin/time -f %M "$FLASHKIT" dfu in.bin --address 0x08000000 -o out.dfu 2>&1 >/dev/null)
	echo
	echo "peak RSS at $size: suffix add ${a} KiB, dfu ${c} KiB, dfu-suffix -a ${b} KiB"
fi
