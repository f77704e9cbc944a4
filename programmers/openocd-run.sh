#!/bin/sh
# Run OpenOCD for programmers/openocd.mk and turn its failures into one line
# that says what to do, with the exit codes every programmer uses.
#
#   openocd-run.sh [OPTIONS] -- OPENOCD ARGS...
#
#   --board NAME      the board, for messages
#   --mcu MCU         the chip the board file names (stm32f401re)
#   --driver D        OpenOCD's flash driver (stm32f2x, stm32l4x, stm32h7x): unlock command
#   --target CFG      OpenOCD's target script (target/stm32f4x.cfg), for the unlock command
#   --action A        flash (default), erase, reset, server
#   --power TEXT      the board's power advice (ODrive: connect external power)
#   --slow KHZ        adapter speed of the one retry after transfers failed part-way
#                     (0: no retry)
#   --min-fw V2=N,V3=N   ST-LINK firmware below J<N> is "too old" when a connection fails
#   --hint TEXT       lines ('|' between them) for a failure with no known cause
#
# OpenOCD prints everything on stderr; this keeps it (the quiet runner around this
# script shows it only when it fails) and reads it afterwards.
# Exit: 0 ok; 66 file unreadable; 69 probe/target not usable (power, SWD, firmware,
# wrong chip); 74 write/erase failed (read protection, unreliable probe); 76 verify
# failed; 77 permission (LIBUSB_ERROR_ACCESS).

board=board mcu=STM32 driver= target='target/<family>.cfg' action=flash power= slow=480 minfw=V2=29,V3=7
hints=
while [ $# -gt 0 ]; do
	case $1 in
	--board) board=$2; shift 2 ;;
	--mcu) mcu=$2; shift 2 ;;
	--driver) driver=$2; shift 2 ;;
	--target) target=$2; shift 2 ;;
	--action) action=$2; shift 2 ;;
	--power) power=$2; shift 2 ;;
	--slow) slow=$2; shift 2 ;;
	--min-fw) minfw=$2; shift 2 ;;
	--hint) hints=$2; shift 2 ;;
	--) shift; break ;;
	*) printf 'flashkit: openocd-run.sh: unknown option %s\n' "$1" >&2; exit 70 ;;
	esac
done

fk() { printf 'flashkit: %s\n' "$*" >&2; }
# A note on success: the quiet runner around us shows nothing of a tool that succeeds,
# so it goes to fd 3 when the recipe opened it (3>&2), past the runner.
note() {
	if { true >&3; } 2>/dev/null; then
		printf 'flashkit: %s\n' "$*" >&3
	else
		fk "$*"
	fi
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fk-openocd.XXXXXX") || exit 70
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
log=$tmp/log

# $1: log file; the rest: the command. OpenOCD's output goes through (the runner
# around us keeps it back unless it fails), and into the log.
run() {
	l=$1
	shift
	{ "$@" 2>&1; echo $? >"$tmp/rc"; } | tee "$l"
	rc=$(cat "$tmp/rc")
}

run "$log" "$@"
[ "$rc" = 0 ] && exit 0
# A debug server stopped with Ctrl-C (or killed by its caller) is no failure.
if [ "$action" = server ] && [ "$rc" -ge 128 ] 2>/dev/null; then
	exit 0
fi

has() { grep -q -- "$1" "$log"; }
field() { sed -n "$1" "$log" | head -n 1; }

voltage=$(field 's/^Info : Target voltage: \([0-9.]*\).*/\1/p')
[ -n "$voltage" ] && voltage=$(awk "BEGIN { printf \"%.2f\", $voltage }")
version=$(field 's/^Info : STLINK \(V[0-9A-Z]*\) (API.*/\1/p')
connected=no
has 'processor detected' && connected=yes

# Firmware below the minimum of its kind (V2 J29, V3 J7 by default).
old_firmware() {
	[ -n "$version" ] || return 1
	hw=$(printf '%s' "$version" | sed -n 's/^\(V[0-9]*\)J.*/\1/p')
	j=$(printf '%s' "$version" | sed -n 's/^V[0-9]*J\([0-9]*\).*/\1/p')
	min=$(printf '%s' "$minfw" | tr ',' '\n' | sed -n "s/^$hw=//p")
	[ -n "$j" ] && [ -n "$min" ] && [ "$j" -lt "$min" ]
}

# The chip an SWD DPIDR belongs to (what OpenOCD prints as the idcode).
chip_of() {
	case $1 in
	0x2ba01477) echo "a Cortex-M4 (STM32F4 or STM32L4)" ;;
	0x5ba02477) echo "a Cortex-M7 STM32F7" ;;
	0x6ba02477) echo "a Cortex-M7 STM32H7" ;;
	0x0bc11477) echo "a Cortex-M0+ (STM32G0, STM32C0 or STM32L0)" ;;
	0x1ba01477) echo "a Cortex-M3 (STM32F1 or STM32F2)" ;;
	*) echo "an unknown chip" ;;
	esac
}

unlock_cmd() {
	d=${driver:-stm32f2x}
	printf "openocd -f interface/stlink.cfg -f %s -c init -c 'reset halt' -c '%s unlock 0' -c 'reset halt' -c shutdown" "$target" "$d"
}

diagnose() {
	if has 'LIBUSB_ERROR_ACCESS'; then
		fk "no permission to open the ST-LINK's USB node (LIBUSB_ERROR_ACCESS): install the udev rules with make udev-install (tools/udev) and replug the probe, or join the plugdev group"
		return 77
	fi
	if has 'open failed' || has 'No device matches the serial string' || has 'unable to open ST-Link device'; then
		fk "OpenOCD found no ST-LINK$( [ -n "$SERIAL" ] && printf ' with serial %s' "$SERIAL"): plug in the probe (lsusb shows 0483:374b or similar) or check SERIAL/USB_PATH (make list-attached)"
		return 69
	fi
	if [ -n "$voltage" ] && awk "BEGIN { exit !($voltage < 1.5) }"; then
		fk "the target is not powered: the ST-LINK reads $voltage V on its VDD pin; ${power:-power the board (and check the ST-LINK's VDD/GND wires to it)}, then try again"
		return 69
	fi
	if [ $connected = no ] && old_firmware; then
		fk "the ST-LINK firmware $version is too old to connect to the $mcu: update the probe with ST's STSW-LINK007 (ST-LINK firmware upgrade, also in STM32CubeProgrammer), then flash again"
		return 69
	fi
	if has 'init mode failed'; then
		fk "the $mcu does not answer on SWD (the ST-LINK reads ${voltage:-?} V): check the SWDIO, SWCLK and GND wires (on a Nucleo both CN2 jumpers), that nothing holds NRST low; firmware that turned the SWD pins off needs connect under reset: OPENOCD_RESET_CONFIG='srst_only connect_assert_srst' with NRST wired"
		return 69
	fi
	if has 'UNEXPECTED idcode'; then
		id=$(field 's/.*UNEXPECTED idcode: \(0x[0-9a-fA-F]*\).*/\1/p')
		want=$(field 's/.*expected 1 of [0-9]*: \(0x[0-9a-fA-F]*\).*/\1/p')
		fk "wrong chip: BOARD=$board expects a $mcu (debug port id $want), but $(chip_of "$id") answers (id $id): check BOARD= (make list-attached) or the board file; nothing was written"
		return 69
	fi
	if has 'device protected' || has 'read protection' || has 'RDP level'; then
		fk "the $mcu is read-protected (RDP level 1): nothing was written; removing the protection erases the whole flash: $(unlock_cmd), then flash again"
		return 74
	fi
	if has "couldn't open" || has 'no such file'; then
		fk "OpenOCD cannot read the image: $(field "s/.*couldn't open \(.*\)/\1/p")"
		return 66
	fi
	if has 'Verify Failed' || has 'checksum mismatch' || has 'contents differ'; then
		fk "the flash does not hold the image after writing (verify failed): erase (make erase) and flash again; if it fails again the chip's flash may be worn or write-protected"
		return 76
	fi
	if [ $connected = yes ] && { has 'communication failure' || has 'error writing to flash' || has 'Failed to write memory' || has 'Failed to read memory' || has 'timed out while waiting for target' || has 'error waiting for target'; }; then
		return 200 # part-way: the caller retries slower
	fi
	return 1
}

diagnose
code=$?
if [ $code = 200 ]; then
	if [ "$action" != server ] && [ "${slow:-0}" != 0 ]; then
		first=$(field 's/^Info : clock speed \([0-9]*\) kHz.*/\1/p')
		fk "transfers through the ST-LINK failed part-way${first:+ at $first kHz}: the probe or its wiring is unreliable; retrying at $slow kHz"
		# OpenOCD's target scripts raise the speed on reset (reset-init): hold it down.
		last_f=0 i=0
		for a; do i=$((i + 1)); [ "$a" = -f ] && last_f=$((i + 1)); done
		n=$# i=0
		for a; do
			i=$((i + 1))
			set -- "$@" "$a"
			if [ $i = $last_f ]; then
				set -- "$@" -c "adapter speed $slow" \
					-c "[target current] configure -event reset-start {adapter speed $slow}" \
					-c "[target current] configure -event reset-init {adapter speed $slow}"
			fi
		done
		shift "$n"
		run "$tmp/log2" "$@"
		if [ "$rc" = 0 ]; then
			note "written and verified at $slow kHz; the probe is unreliable at full speed: use a genuine ST-LINK, shorter wires, or keep this speed (OPENOCD_SPEED=$slow)"
			exit 0
		fi
		log=$tmp/log2
		diagnose
		code=$?
		if [ $code = 200 ] || [ $code = 1 ]; then
			fk "the ST-LINK is unreliable: transfers failed part-way at full speed and again at $slow kHz; nothing usable was written. Use a genuine ST-LINK (clones often fail this way), shorter SWD wires and a common GND, then flash again"
			exit 74
		fi
		exit $code
	fi
	fk "transfers through the ST-LINK failed part-way: the probe or its wiring is unreliable; use a genuine ST-LINK, shorter SWD wires and a common GND"
	exit 74
fi
[ $code != 1 ] && exit $code

# No known cause: the board's text and the general hints.
fk "openocd failed on $board ($mcu)."
printf '%s\n' "$hints" | tr '|' '\n' | sed '/^ *$/d' >&2
case $action in
flash) exit 74 ;;
erase) exit 74 ;;
*) exit 69 ;;
esac
