"""Golden command lines of the make plugin: `make -n` for every board x supported
programmer x target, plus the variants that change a command line (SERIAL, file types,
STM32FLASH_RESET, the Crazyflie targets).

Regenerate after a deliberate change, then review the diff line by line:
    /usr/bin/python3 tests/plugin/golden.py > tests/plugin/golden_commands.txt
"""
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MK = ROOT / "makefiles" / "flashkit.mk"
TARGETS = ("flash-only", "erase", "reset")
# Hints on failure are long and tested on their own; the golden file keeps the commands.
HINT = re.compile(r" \|\| \{ fk_rc=\$\?; .*; exit \$fk_rc; \}$")


def make(*args, cwd=ROOT, env=None):
    return subprocess.run(["make", "--no-print-directory", "-f", str(MK), *args],
                          cwd=cwd, capture_output=True, text=True, timeout=60, env=env)


def board_vars(board, *names):
    r = make(f"BOARD={board}", "FK_PRINT=" + " ".join(names), "_fk-vars")
    assert r.returncode == 0, r.stderr
    out = dict(line.split("=", 1) for line in r.stdout.splitlines())
    return [out[n] for n in names]


def boards():
    r = make("FORMAT=json", "list-boards")
    import json
    return [b["board"] for b in json.loads(r.stdout)]


def cases():
    """(name, make arguments) for every golden case, in a stable order."""
    out = []
    for board in boards():
        (progs,) = board_vars(board, "PROGRAMMERS_SUPPORTED")
        for prog in progs.split():
            for target in TARGETS:
                out.append((f"{board} {prog} {target}",
                            [f"BOARD={board}", f"PROGRAMMER={prog}", "FLASHFILE=fw.bin", target]))
    extra = [
        ("crazyflie2 dfu erase (bootloader wiped on purpose)", ["BOARD=crazyflie2", "ERASE_BOOTLOADER=1", "erase"]),
        ("crazyflie2 flash_dfu_manual", ["BOARD=crazyflie2", "FLASHFILE=cf2.bin", "flash_dfu_manual"]),
        ("crazyflie2 flash_dfu", ["BOARD=crazyflie2", "FLASHFILE=cf2.bin", "flash_dfu"]),
        ("crazyflie2 .dfu file", ["BOARD=crazyflie2", "FLASHFILE=cf2.dfu", "flash-only"]),
        ("crazyflie2 bootloader recovery", ["BOARD=crazyflie2", "BOOTLOADER_FILE=cf2loader-1.0.bin", "flash-bootloader"]),
        ("proteus-f7 .dfu with DFU_LEAVE=1 (FOME's -s :leave)", ["BOARD=proteus-f7", "FLASHFILE=fome.dfu", "DFU_LEAVE=1", "flash-only"]),
        ("proteus-f7 without the erase first", ["BOARD=proteus-f7", "FLASHFILE=fome.bin", "ERASE_BEFORE_FLASH=0", "flash-only"]),
        ("stm32f4discovery dfu SERIAL", ["BOARD=stm32f4discovery", "PROGRAMMER=dfu-util", "SERIAL=3276375C3034", "FLASHFILE=fw.bin", "flash-only"]),
        ("nucleo-f401re openocd SERIAL", ["BOARD=nucleo-f401re", "SERIAL=066DFF555051877267104227", "FLASHFILE=fw.bin", "flash-only"]),
        ("nucleo-f401 openocd .elf", ["BOARD=nucleo-f401", "FLASHFILE=fw.elf", "flash-only"]),
        ("nucleo-f401 openocd .hex", ["BOARD=nucleo-f401", "FLASHFILE=fw.hex", "flash-only"]),
        ("nucleo-f401 cpy2remed SERIAL .hex", ["BOARD=nucleo-f401", "PROGRAMMER=cpy2remed", "SERIAL=0668FF555051", "FLASHFILE=fw.hex", "flash-only"]),
        ("nucleo-f401 stm32flash RESET=1 (inverted)", ["BOARD=nucleo-f401", "PROGRAMMER=stm32flash", "STM32FLASH_RESET=1", "FLASHFILE=fw.bin", "flash-only"]),
        ("nucleo-f401 stm32flash RESET=1 INVERT=0", ["BOARD=nucleo-f401", "PROGRAMMER=stm32flash", "STM32FLASH_RESET=1", "STM32FLASH_RESET_INVERT=0", "FLASHFILE=fw.bin", "flash-only"]),
        ("nucleo-f401 stm32flash PORT and baud", ["BOARD=nucleo-f401", "PROGRAMMER=stm32flash", "PORT=/dev/ttyUSB3", "STM32FLASH_BAUD=57600", "FLASHFILE=fw.bin", "flash-only"]),
        ("nucleo-f401 stm32flash SERIAL", ["BOARD=nucleo-f401", "PROGRAMMER=stm32flash", "SERIAL=A50285BI", "FLASHFILE=fw.bin", "reset"]),
        ("nucleo-f401 debug-server", ["BOARD=nucleo-f401", "debug-server"]),
        ("nucleo-f401 debug", ["BOARD=nucleo-f401", "ELFFILE=fw.elf", "debug"]),
        ("odrive-v3 openocd debug-server (hand-wired ST-LINK)", ["BOARD=odrive-v3", "PROGRAMMER=openocd", "debug-server"]),
    ]
    return out + extra


def render(args):
    """The normalized `make -n` listing of one case: exit status, then each line."""
    r = make("FLASHKIT=flashkit", "-n", *args)
    lines = [f"exit {r.returncode}"]
    for line in (r.stdout + r.stderr).splitlines():
        if line.startswith("command -v "):
            # Tool checks: keep the tool and package, not the message text.
            m = re.match(r"command -v (\S+) .*apt-get install (\S+)'|command -v (\S+) .*not built", line)
            line = f"need {m.group(1)} ({m.group(2)})" if m and m.group(1) else f"need helper {m.group(3) if m else line}"
        line = HINT.sub(" || <hint>", line)
        lines.append(line.replace(str(ROOT), "$ROOT"))
    return lines


def golden_text():
    out = []
    for name, args in cases():
        out.append(f"## {name}: make -n {' '.join(args)}")
        out.extend(render(args))
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(golden_text(), end="")
