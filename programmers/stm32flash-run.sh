#!/bin/sh
# Run stm32flash for programmers/stm32flash.mk and turn its failures into one
# line that says what to check.
#
#   stm32flash-run.sh check PORT...                 PORT exists, is one device, may be opened
#   stm32flash-run.sh run RESET INVERT FLIPSEQ BAUD PORT -- STM32FLASH ARGS...
#
# RESET/INVERT are STM32FLASH_RESET/STM32FLASH_RESET_INVERT; FLIPSEQ is the -i
# sequence for the other INVERT value: when the bootloader does not answer, it
# is tried once (entry and exit only, nothing written) so the message can say
# whether flipping STM32FLASH_RESET_INVERT fixes it.
# stm32flash 0.7 exits 0 when GO fails after a good write; that is a failure here.
# Exit codes are the flashkit contract (docs/ci.md): 69 port or bootloader not
# there, 74 write/erase refused, 76 verify failed, 77 no permission on PORT.

fk() { printf 'flashkit: %s\n' "$*" >&2; }

if [ "$1" = check ]; then
	shift
	if [ $# -gt 1 ]; then
		fk "several serial ports match: $*; set PORT=one of them"
		exit 69
	fi
	port=${1:-}
	if [ -z "$port" ]; then
		fk "PORT is empty; set PORT=/dev/ttyUSB0 (USB-serial adapter) or /dev/ttyACM0 (ST-LINK), see ls /dev/serial/by-id"
		exit 69
	fi
	case $port in *'*'*)
		fk "no serial port matches $port; is the adapter plugged in? (ls /dev/serial/by-id)"
		exit 69 ;;
	esac
	if [ ! -e "$port" ]; then
		fk "PORT=$port does not exist; plug in the adapter or set PORT=/dev/ttyUSB0, /dev/ttyACM0, ... (ls /dev/serial/by-id)"
		exit 69
	fi
	if [ ! -r "$port" ] || [ ! -w "$port" ]; then
		grp=$(stat -L -c %G "$port" 2>/dev/null || echo dialout)
		case $(stat -L -c %A "$port" 2>/dev/null) in
		????rw*) fk "no permission to open PORT=$port (group $grp); run: sudo adduser $(id -un) $grp, then log out and in" ;;
		*) fk "no permission to open PORT=$port, and its group $grp may not use it either; install the udev rules (make udev-install) or ask for access" ;;
		esac
		exit 77
	fi
	exit 0
fi

[ "$1" = run ] || { fk "stm32flash-run.sh: unknown mode '$1'"; exit 70; }
reset=$2 invert=$3 flipseq=$4 baud=$5 port=$6
shift 6
[ "$1" = -- ] && shift

# The tool's own words (STM32FLASH may be "env X=1 stm32flash"), then a bare
# connect with the other reset sequence: enter, identify, exit.
probe_other_wiring() {
	k=0
	for w; do [ "$w" = -b ] && break; k=$((k + 1)); done
	n=$#
	i=0
	for w; do i=$((i + 1)); [ $i -le $k ] && set -- "$@" "$w"; done
	shift "$n"
	[ "$invert" = 1 ] && stty -F "$port" -hupcl 2>/dev/null
	"$@" -b "$baud" -i "$flipseq" "$port" >/dev/null 2>&1
}

# A non-inverting adapter would pull NRST low again when the port closes and
# the kernel drops DTR (HUPCL): keep the lines as the exit sequence left them.
if [ "$reset" = 1 ] && [ "$invert" = 0 ]; then
	stty -F "$port" -hupcl 2>/dev/null
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fk-stm32flash.XXXXXX") || exit 70
trap 'rm -rf "$tmp"' EXIT
{ "$@" 2>&1; echo $? >"$tmp/rc"; } | tee "$tmp/log"
rc=$(cat "$tmp/rc")
log=$tmp/log
has() { grep -q -- "$1" "$log"; }

if [ "$rc" = 0 ]; then
	if has 'Starting execution at address .*failed'; then
		fk "written and verified, but the bootloader refused GO: reset the board with BOOT0 low to start the application"
		exit 74
	fi
	exit 0
fi

other=$((1 - invert))
if has 'is already open'; then
	fk "PORT=$port is in use by another program (a terminal: make term, minicom, screen); close it and retry"
	exit 69
elif has 'Failed to set terminal flags\|Error probing interface'; then
	fk "PORT=$port cannot be set to 8E1; is it a serial port? (a pseudo-terminal needs the virtual board's shim)"
	exit 69
elif has 'Failed to open port'; then
	fk "cannot open PORT=$port; check that it exists and that you are in its group (dialout)"
	exit 69
elif has 'Unknown/unsupported device'; then
	id=$(sed -n 's/.*Device ID: \(0x[0-9a-fA-F]*\).*/\1/p' "$log" | head -n 1)
	fk "stm32flash 0.7 does not know this chip (device ID $id); use PROGRAMMER=openocd or cpy2remed"
	exit 69
elif ! has '^Device ID'; then
	# No usable answer to 0x7F / GET: the bootloader is not listening.
	if [ "$reset" = 1 ]; then
		if probe_other_wiring "$@"; then
			fk "the board answered with STM32FLASH_RESET_INVERT=$other: your adapter's RTS/DTR are the other way round; run again with STM32FLASH_RESET_INVERT=$other"
		else
			fk "no answer from the STM32 bootloader on $port with STM32FLASH_RESET=1: check RTS->BOOT0 and DTR->NRST (or flip STM32FLASH_RESET_INVERT=$other), TX->RX, RX->TX, GND, and no traffic on the chip's other interfaces (USB, CAN, other UARTs)"
		fi
	elif has 'Got NACK\|instead of ACK'; then
		fk "the bootloader on $port answered with garbage/NACK: wrong framing or baud? (needs 8E1; try STM32FLASH_BAUD=57600), or another program writes to the port"
	else
		fk "no answer from the STM32 bootloader on $port: BOOT0 must be high at reset (set BOOT0, press RESET), TX->RX, RX->TX, GND, no traffic on the chip's other interfaces (USB, CAN, other UARTs); or wire RTS->BOOT0, DTR->NRST and set STM32FLASH_RESET=1"
	fi
	exit 69
elif has 'Got NACK from device on command 0x\(31\|44\|43\|11\|21\)'; then
	fk "the chip is read-protected (RDP level 1): 'stm32flash -k $port' removes it and mass-erases the flash, then flash again"
	exit 74
elif has 'Failed to erase memory\|erase failed\|Mass erase'; then
	fk "the bootloader refused to erase: the flash is write-protected; 'stm32flash -u $port' removes the protection, then flash again"
	exit 74
elif has 'Failed to write memory'; then
	addr=$(sed -n 's/.*Failed to write memory at address \(0x[0-9a-f]*\).*/\1/p' "$log" | head -n 1)
	fk "the bootloader refused the write at $addr (write-protected sector or line errors); retry, then 'stm32flash -u $port' or a lower STM32FLASH_BAUD"
	exit 74
elif has 'Failed to verify'; then
	fk "verify failed: the flash does not hold what was written (not erased, or line errors); erase and retry, or lower STM32FLASH_BAUD"
	exit 76
elif has 'Failed to read ACK\|Failed to read memory'; then
	fk "the bootloader on $port stopped answering mid-transfer (reset, cable, or another program on the port); retry"
	exit 74
fi
fk "stm32flash failed (exit $rc); see its output above"
exit "$rc"
