#!/bin/sh
# dfu-leave.sh 'GONE-CHECK' COMMAND...: dfu-util with :leave on a board that
# starts its application before it answers the last GET_STATUS.
#
# Many chips (Particle, monome crow, Stabilizer boards) jump to the
# application as soon as the leave request arrives; dfu-util then reports
# "Error during download get_status" and exits 74 although everything was
# written. When COMMAND fails after "Submitting leave request..." (dfu-util
# prints it only once the download itself is complete), GONE-CHECK (a short
# flashkit usb-wait --gone) tells whether the bootloader left the bus:
#   gone        -> success: one line on fd 3 (the recipe points fd 3 at
#                  stderr, past the quiet runner, which keeps COMMAND's output)
#   still there -> GONE-CHECK's own message (the :leave hint) and exit code.
# Any other failure: COMMAND's exit code; its output passes through as it is.
gone=$1
shift
log=$(mktemp) || exit 70
trap 'rm -f "$log" "$log.rc"' EXIT
{ "$@"; echo $? >"$log.rc"; } | tee "$log"
rc=$(cat "$log.rc")
[ "$rc" = 0 ] && exit 0
grep -q 'Submitting leave request' "$log" || exit "$rc"
eval "$gone" || exit $?
msg="flashkit: written; the board left DFU and started (dfu-util's error came from the leave request, which the board no longer answered)"
{ printf '%s\n' "$msg" >&3; } 2>/dev/null || printf '%s\n' "$msg" >&2
exit 0
