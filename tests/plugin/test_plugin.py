"""The make plugin (makefiles/, programmers/, boards/): command lines, errors, output
modes, quoting, parse cost, the example firmware and the udev rules.

Real make, real helper; the flash tools are replaced only where a device would be needed
(a fake dfu-util/openocd/stm32flash on PATH that records its arguments)."""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import golden  # noqa: E402

ROOT = golden.ROOT
MK = golden.MK
GOLDEN = Path(__file__).resolve().parent / "golden_commands.txt"
BOARDS = golden.boards()
OPENOCD_SCRIPTS = Path("/usr/share/openocd/scripts")


def make(*args, cwd=ROOT, env=None):
    return golden.make(*args, cwd=cwd, env=env)


def one_line_error(r):
    """A parse-time error: exit 2 and exactly one line, make's '*** ... Stop.'."""
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, lines
    assert "*** flashkit: " in lines[0] and lines[0].endswith("Stop.")
    return lines[0]


# ---------------------------------------------------------------- golden command lines

def golden_cases():
    text = GOLDEN.read_text()
    blocks = {}
    for block in text.split("\n\n"):
        if block.strip():
            head, *body = block.strip("\n").split("\n")
            blocks[head] = body
    return blocks


GOLDEN_BLOCKS = golden_cases()
CASES = golden.cases()


def test_golden_covers_every_board_programmer_and_target():
    names = {name for name, _ in CASES}
    for board in BOARDS:
        (progs,) = golden.board_vars(board, "PROGRAMMERS_SUPPORTED")
        for prog in progs.split():
            for target in golden.TARGETS:
                assert f"{board} {prog} {target}" in names
    assert len(GOLDEN_BLOCKS) == len(CASES), "golden file out of date: regenerate and review"


@pytest.mark.parametrize("name,args", CASES, ids=[c[0] for c in CASES])
def test_golden_command_line(name, args):
    head = f"## {name}: make -n {' '.join(args)}"
    assert head in GOLDEN_BLOCKS, f"no golden entry for {head}"
    assert golden.render(args) == GOLDEN_BLOCKS[head]


def test_capabilities_registry_matches_programmer_files():
    """FK_CAN_* (used to name alternatives) agrees with what each programmer defines."""
    board_for = {"dfu": "stm32f4discovery", "openocd": "nucleo-f401",
                 "cpy2remed": "nucleo-f401", "stm32flash": "nucleo-f401"}
    for prog, board in board_for.items():
        (can,) = golden.board_vars(board, f"FK_CAN_{prog}")
        for target in ("erase", "reset", "debug-server"):
            args = [f"BOARD={board}", f"PROGRAMMER={prog}", "ELFFILE=x.elf", "-n", target]
            r = make(*args)
            assert (r.returncode == 0) == (target in can.split()), (prog, target, r.stderr)


# ---------------------------------------------------------------- board data

def bvars(board, *names):
    return dict(zip(names, golden.board_vars(board, *names)))


@pytest.mark.parametrize("board", BOARDS)
def test_board_data(board):
    v = bvars(board, "BOARD_MCU", "BOARD_FAMILY", "FLASH_BASE", "FLASH_SIZE", "RAM_BASE",
              "RAM_SIZE", "FLASH_SECTORS", "STM32_PART_ID", "PROGRAMMERS_SUPPORTED",
              "PROGRAMMER", "DFU_USB_ID", "OPENOCD_INTERFACE", "OPENOCD_TARGET",
              "OPENOCD_MIN_VERSION", "STLINK_LABELS", "STM32FLASH_BAUD",
              "BOARD_ENTER_dfu", "BOARD_ENTER_openocd", "BOARD_ENTER_cpy2remed",
              "BOARD_ENTER_stm32flash")
    progs = v["PROGRAMMERS_SUPPORTED"].split()
    assert v["PROGRAMMER"] == progs[0] or v["PROGRAMMER"] in progs
    assert v["BOARD_MCU"].startswith(v["BOARD_FAMILY"])
    assert v["FLASH_BASE"] == "0x08000000" and re.fullmatch(r"\d+[KM]", v["FLASH_SIZE"])
    assert re.fullmatch(r"0x[0-9a-f]{3}", v["STM32_PART_ID"]) and v["FLASH_SECTORS"]
    for p in progs:
        assert v[f"BOARD_ENTER_{p}"], f"{board}: no text on how to reach the {p} bootloader/probe"
    if "dfu" in progs:
        assert v["DFU_USB_ID"] == "0483:df11"
    if "openocd" in progs:
        assert (OPENOCD_SCRIPTS / v["OPENOCD_INTERFACE"]).is_file()
        if v["OPENOCD_MIN_VERSION"]:
            # A script newer than Debian's openocd: the version check explains instead.
            assert board == "nucleo-c031c6"
        else:
            assert (OPENOCD_SCRIPTS / v["OPENOCD_TARGET"]).is_file(), v["OPENOCD_TARGET"]
    if "cpy2remed" in progs:
        labels = v["STLINK_LABELS"].split()
        assert any(l.startswith("NODE_") for l in labels) and any(l.startswith("NOD_") for l in labels)
        assert all(len(l) <= 11 for l in labels), "FAT labels hold 11 characters"
    if "stm32flash" in progs:
        r = make(f"BOARD={board}", "PROGRAMMER=stm32flash", "FK_PRINT=STM32FLASH_BAUD PORT", "_fk-vars")
        assert r.stdout.split()[0] == "STM32FLASH_BAUD=115200", r.stdout


SEED_TEXT = {
    # board: (programmer, phrases the seeds ask for in the "how to get there" text)
    "odrive-v3": ("dfu", ["micro switch", "external power"]),
    "mks-xdrive": ("dfu", ["jumper", "external power"]),
    "odesc-4.2": ("dfu", ["BOOT", "RESET"]),
    "crazyflie2": ("dfu", ["5 s", "1 Hz", "battery"]),
    "stm32f4discovery": ("dfu", ["BOOT0=1", "BOOT1=0", "UART", "CAN"]),
    "nucleo-f401": ("openocd", ["ST-LINK"]),
    "proteus-f7": ("dfu", ["unplugged", "plug"]),
}


@pytest.mark.parametrize("board", sorted(SEED_TEXT))
def test_bootloader_text_from_the_seeds(board):
    prog, phrases = SEED_TEXT[board]
    (text,) = golden.board_vars(board, f"BOARD_ENTER_{prog}")
    for p in phrases:
        assert p in text, (board, p)


@pytest.mark.parametrize("board", ["odrive-v3", "mks-xdrive", "odesc-4.2"])
def test_ffbeast_boards_power_and_clone_warning(board):
    v = bvars(board, "BOARD_MCU", "PROGRAMMER", "PROGRAMMERS_SUPPORTED", "BOARD_POWER_WARNING",
              "BOARD_WARNING_openocd", "BOARD_ENTER_openocd")
    assert v["BOARD_MCU"] == "stm32f405rg" and v["PROGRAMMER"] == "dfu"
    assert v["PROGRAMMERS_SUPPORTED"].split() == ["dfu", "openocd"]
    assert "does not power from USB" in v["BOARD_POWER_WARNING"]
    assert "clones" in v["BOARD_WARNING_openocd"]
    for wire in ("GND", "SWDIO", "SWCLK", "NRST"):
        assert wire in v["BOARD_ENTER_openocd"]


def test_crazyflie_layout():
    v = bvars("crazyflie2", "IMAGE_ADDR", "IMAGE_OFFSET", "BOOTLOADER_SIZE", "FK_CHECK_RANGES")
    assert v["IMAGE_ADDR"] == "0x08004000" and v["BOOTLOADER_SIZE"] == "16K"
    assert "--protect 0x08000000:16K" in v["FK_CHECK_RANGES"]


def test_aliases():
    r = make("BOARD=nucleo-f401re", "PROGRAMMER=dfu-util", "FK_PRINT=FK_BOARD FK_PROG", "_fk-vars")
    # nucleo-f401 has no DFU connector: the alias resolves, then the pair is refused.
    assert "nucleo-f401 cannot be flashed with dfu" in one_line_error(r)
    r = make("BOARD=nucleo-f401re", "FK_PRINT=FK_BOARD", "_fk-vars")
    assert r.stdout.strip() == "FK_BOARD=nucleo-f401"
    r = make("BOARD=odrive", "PROGRAMMER=dfu-util", "FK_PRINT=FK_BOARD FK_PROG", "_fk-vars")
    assert r.stdout.split() == ["FK_BOARD=odrive-v3", "FK_PROG=dfu"]


def test_image_address_arithmetic():
    r = make("BOARD=nucleo-f401", "IMAGE_OFFSET=0x20000", "FK_PRINT=IMAGE_ADDR", "_fk-vars")
    assert r.stdout.strip() == "IMAGE_ADDR=0x08020000"
    r = make("BOARD=nucleo-f401", "IMAGE_OFFSET=0x8000000", "FK_PRINT=IMAGE_ADDR", "_fk-vars")
    assert "cannot place offset 0x8000000 on base 0x08000000" in one_line_error(r)
    for bad in ("16K", "16384", "0x123456789", "0xg"):
        r = make("BOARD=nucleo-f401", f"IMAGE_OFFSET={bad}", "FK_PRINT=IMAGE_ADDR", "_fk-vars")
        assert "not a 32-bit hex number" in one_line_error(r), bad
    r = make("BOARD=crazyflie2", "FK_PRINT=IMAGE_ADDR", "_fk-vars", "IMAGE_OFFSET=0X8000")
    assert r.stdout.strip() == "IMAGE_ADDR=0x08008000"


# ---------------------------------------------------------------- errors

@pytest.mark.parametrize("args,expect", [
    (["flash-only"], "BOARD is not set; choose one of: crazyflie2 "),
    (["BOARD=nucleo-f999", "flash"], "unknown board 'nucleo-f999'; choose one of: crazyflie2 "),
    (["BOARD=nucleo-f401", "PROGRAMMER=jlink", "flash"], "unknown programmer 'jlink'; choose one of: cpy2remed dfu openocd stm32flash"),
    (["BOARD=nucleo-f401", "PROGRAMMER=dfu", "flash"], "cannot be flashed with dfu; choose PROGRAMMER= one of: openocd cpy2remed stm32flash"),
    (["BOARD=nucleo-f401", "PROGRAMMER=cpy2remed", "erase"], "cpy2remed cannot erase (nucleo-f401); use PROGRAMMER=openocd"),
    (["BOARD=nucleo-f401", "PROGRAMMER=cpy2remed", "reset"], "cpy2remed cannot reset (nucleo-f401); use PROGRAMMER=openocd"),
    (["BOARD=crazyflie2", "debug-server"], "dfu cannot debug-server (crazyflie2); use PROGRAMMER=openocd"),
    (["BOARD=nucleo-f401", "PROGRAMMER=stm32flash", "ELFFILE=a.elf", "debug"], "stm32flash cannot debug (nucleo-f401); use PROGRAMMER=openocd"),
    (["BOARD=nucleo-f401", "debug"], "debug needs the ELF with symbols: set ELFFILE="),
    (["BOARD=nucleo-f401", "flash-only"], "nothing to flash on nucleo-f401: set FLASHFILE="),
    (["BOARD=crazyflie2", "FLASHFILE=fw.hex", "flash-only"], "dfu-util cannot take 'fw.hex'; it takes .bin .dfu files"),
    (["BOARD=nucleo-f401", "PROGRAMMER=cpy2remed", "FLASHFILE=fw.elf", "flash-only"], "cpy2remed cannot take 'fw.elf'; it takes .bin .hex files"),
    (["BOARD=crazyflie2", "erase"], "erase would wipe the crazyflie2 bootloader (0x08000000+16K); add ERASE_BOOTLOADER=1"),
    (["BOARD=crazyflie2", "flash-bootloader"], "set BOOTLOADER_FILE=bootloader.bin"),
    (["BOARD=nucleo-f401", "flash-bootloader", "BOOTLOADER_FILE=x.bin"], "nucleo-f401 has no bootloader in flash to recover"),
    (["BOARD=nucleo-f401", "FLASHFILE=a{b}.bin", "flash-only"], "OpenOCD cannot take a file name with braces"),
    (["BOARD=nucleo-f401", "VIRTUAL=yes", "FLASHFILE=fw.bin", "flash-only"], "VIRTUAL=yes: use VIRTUAL=1 for a virtual board"),
    (["FORMAT=xml", "list-boards"], "FORMAT=xml is not a list format; use FORMAT=json"),
    (["FORMAT=yaml", "list-attached"], "FORMAT=yaml is not a list format; use FORMAT=json"),
])
def test_parse_time_errors_are_one_line(args, expect):
    r = make(*args, "-n")
    line = one_line_error(r)
    if expect:
        assert expect in line, line


def test_flash_dfu_targets_use_dfu_whatever_programmer_says():
    r = make("BOARD=crazyflie2", "PROGRAMMER=openocd", "FLASHFILE=cf2.bin", "-n", "flash_dfu_manual")
    assert r.returncode == 0 and "dfu-util -d 0483:df11 -a 0 -s 0x08004000:leave -D 'cf2.bin'" in r.stdout


# ---------------------------------------------------------------- running recipes

FAKE_TOOL = """#!/bin/sh
# Records its arguments (one per line, then a separator) and exits with $FAKE_RC.
{ echo "$(basename "$0")"; for a in "$@"; do printf '%s\\n' "$a"; done; echo ---; } >> "$FAKE_LOG"
[ -n "$FAKE_SAY" ] && echo "$FAKE_SAY"
exit "${FAKE_RC:-0}"
"""


@pytest.fixture
def fakes(tmp_path, flashkit):
    """PATH with fake flash tools in front; FLASHKIT records every call and runs the real
    helper, except for the device-facing copy and usb-wait, which succeed."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("dfu-util", "openocd", "stm32flash", "gdb-multiarch"):
        p = bin_dir / tool
        p.write_text(FAKE_TOOL)
        p.chmod(0o755)
    fk = bin_dir / "fk-wrapper"
    fk.write_text(FAKE_TOOL.replace('exit "${FAKE_RC:-0}"',
                                    f'case "$1" in copy|usb-wait) exit 0;; *) exec {flashkit} "$@";; esac'))
    fk.chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}", FAKE_LOG=str(tmp_path / "calls.log"))
    env.pop("MAKEFLAGS", None)

    class F:
        path = tmp_path
        log = tmp_path / "calls.log"
        helper = fk

        def calls(self):
            if not self.log.exists():
                return []
            out, cur = [], []
            for line in self.log.read_text().split("\n"):
                if line == "---":
                    out.append(cur)
                    cur = []
                elif line or cur:
                    cur.append(line)
            return out

        def tools(self):
            """The flash tools' calls, and the helper's check and copy calls (not its
            usb-wait calls, which the DFU flow adds around dfu-util)."""
            return [c for c in self.calls() if c[0] != "fk-wrapper" or c[1] in ("check", "copy")]

        def run(self, *args, cwd=None, **extra):
            e = dict(env, **extra)
            return make(f"FLASHKIT={fk}", *args, cwd=cwd or tmp_path, env=e)
    return F()


@pytest.fixture(scope="session")
def blinky(flashkit, tmp_path_factory):
    """blinky for nucleo-f401 and crazyflie2, built once through the plugin (in a private
    directory: other runs may be building examples/blinky/build at the same time)."""
    out = {}
    base = tmp_path_factory.mktemp("blinky")
    for board in ("nucleo-f401", "crazyflie2"):
        r = subprocess.run(["make", "--no-print-directory", "-C", str(ROOT / "examples/blinky"),
                            f"BOARD={board}", f"FLASHKIT={flashkit}", f"BUILDDIR={base / board}", "all"],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
        out[board] = base / board
    return out


def test_quiet_output_is_kbuild_style(fakes, blinky):
    shutil.copy(blinky["crazyflie2"] / "blinky.bin", fakes.path / "cf2.bin")
    r = fakes.run("BOARD=crazyflie2", "FLASHFILE=cf2.bin", "flash-only")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "  CHECK   cf2.bin" in lines
    assert "  FLASH   dfu-util  cf2.bin -> 0x08004000" in lines
    assert not any(l.startswith("dfu-util ") for l in lines), "quiet mode must not echo commands"
    assert fakes.tools()[-1] == ["dfu-util", "-d", "0483:df11", "-a", "0", "-s", "0x08004000:leave", "-D", "cf2.bin"]
    assert [c[:2] for c in fakes.tools()] == [["fk-wrapper", "check"], ["dfu-util", "-d"]]


def test_v1_prints_full_commands(fakes, blinky):
    shutil.copy(blinky["crazyflie2"] / "blinky.bin", fakes.path / "cf2.bin")
    r = fakes.run("BOARD=crazyflie2", "FLASHFILE=cf2.bin", "V=1", "flash-only")
    assert r.returncode == 0, r.stderr
    assert "  FLASH   " not in r.stdout
    assert re.search(r"^'\S+fk-wrapper' check 'cf2.bin' --address 0x08004000 --flash 0x08000000:1M "
                     r"--ram 0x20000000:128K --protect 0x08000000:16K$", r.stdout, re.M)
    # dfu-util runs inside programmers/dfu-leave.sh (a leave step the board no longer answers)
    assert re.search(r"^sh '\S+/dfu-leave\.sh' '.*' dfu-util -d 0483:df11 -a 0 -s 0x08004000:leave "
                     r"-D 'cf2.bin' ", r.stdout, re.M)


def test_make_n_runs_nothing_and_prints_what_would_run(fakes, blinky):
    shutil.copy(blinky["crazyflie2"] / "blinky.bin", fakes.path / "cf2.bin")
    r = fakes.run("BOARD=crazyflie2", "FLASHFILE=cf2.bin", "-n", "flash-only")
    assert r.returncode == 0
    assert fakes.calls() == [] and "  FLASH" not in r.stdout
    # The listing runs: paste it into a shell and the same tools are called.
    subprocess.run(["sh", "-e", "-c", r.stdout], cwd=fakes.path, env=dict(
        os.environ, PATH=f"{fakes.path / 'bin'}:{os.environ['PATH']}", FAKE_LOG=str(fakes.log)),
        check=True, capture_output=True)
    assert [c[:2] for c in fakes.tools()] == [["fk-wrapper", "check"], ["dfu-util", "-d"]]


def test_failed_check_never_flashes(fakes, blinky):
    # The application image flashed over the Crazyflie bootloader is refused.
    shutil.copy(blinky["crazyflie2"] / "blinky.bin", fakes.path / "cf2.bin")
    r = fakes.run("BOARD=crazyflie2", "FLASHFILE=cf2.bin", "IMAGE_ADDR=0x08000000", "flash-only")
    assert r.returncode != 0
    assert [c[:2] for c in fakes.tools()] == [["fk-wrapper", "check"]], "dfu-util must not run after a failed check"
    # A nucleo image is too big for nothing, but a file that is not there is caught too.
    r = fakes.run("BOARD=nucleo-f401", "FLASHFILE=missing.bin", "flash-only")
    assert r.returncode != 0 and "openocd" not in [c[0] for c in fakes.tools()]


def test_failed_flash_prints_board_hints_and_no_success(fakes, blinky):
    shutil.copy(blinky["nucleo-f401"] / "blinky.bin", fakes.path / "fw.bin")
    r = fakes.run("BOARD=odrive-v3", "FLASHFILE=fw.bin", "flash-only", FAKE_RC="74",
                  FAKE_SAY="dfu-util: No DFU capable USB device available")
    assert r.returncode != 0
    assert "flashkit: dfu-util failed on odrive-v3 (stm32f405rg)." in r.stderr
    assert "micro switch" in r.stderr and "does not power from USB" in r.stderr
    assert "make udev-install" in r.stderr
    assert "If the application does not start" not in r.stdout + r.stderr
    r = fakes.run("BOARD=odesc-4.2", "PROGRAMMER=openocd", "FLASHFILE=fw.bin", "flash-only", FAKE_RC="1")
    assert r.returncode != 0 and "clones" in r.stderr and "NRST" in r.stderr


def test_missing_tool_is_one_line_naming_the_package(fakes):
    (fakes.path / "x.elf").write_bytes(b"")     # debug checks the ELF is there first
    for args, pkg in ((["BOARD=crazyflie2", "DFU_UTIL=dfu-util-not-here", "reset"], "dfu-util"),
                      (["BOARD=nucleo-f401", "OPENOCD=openocd-not-here", "reset"], "openocd"),
                      (["BOARD=nucleo-f401", "PROGRAMMER=stm32flash", "STM32FLASH=nope-stm32flash", "erase"], "stm32flash"),
                      (["BOARD=nucleo-f401", "ELFFILE=x.elf", "GDB=no-gdb", "debug"], "gdb-multiarch")):
        r = fakes.run(*args)
        assert r.returncode == 2, r.stderr
        msgs = [l for l in r.stderr.splitlines() if l.startswith("flashkit:")]
        assert len(msgs) == 1 and msgs[0].endswith(f"install it with: sudo apt-get install {pkg}"), msgs
    assert fakes.tools() == []
    r = fakes.run("BOARD=nucleo-f401", "FLASHFILE=fw.bin", "FLASHKIT=/nonexistent/flashkit", "flash-only")
    assert "the helper /nonexistent/flashkit is not built; run make -C" in r.stderr and r.returncode == 2


def test_openocd_too_old_for_stm32c0_is_explained():
    """Real openocd 0.12.0: the version is checked in the recipe, before anything runs on
    the probe (the image check comes first; FLASHKIT=/bin/true passes it)."""
    r = make("BOARD=nucleo-c031c6", "PROGRAMMER=openocd", "FLASHFILE=fw.bin", "FLASHKIT=/bin/true", "flash-only")
    assert r.returncode == 2
    assert re.search(r"flashkit: OpenOCD 0\.12\.0 cannot drive the stm32c031c6 .* use PROGRAMMER=cpy2remed", r.stderr)
    r = make("BOARD=nucleo-c031c6", "PROGRAMMER=openocd", "reset", "OPENOCD_VERSION_CHECK=0", "OPENOCD=true", "FLASHKIT=/bin/true")
    assert r.returncode == 0


ODD_NAMES = ["my fw.bin", "it's.bin", 'say "hi".bin', "cost$HOME$(id).bin", "a;touch PWNED;b.bin",
             "`touch PWNED`.bin", "tab\there.bin", "a,b.bin"]


@pytest.mark.parametrize("prog,board", [("dfu", "odrive-v3"), ("openocd", "nucleo-f401"),
                                        ("stm32flash", "nucleo-f401"), ("cpy2remed", "nucleo-f401")])
def test_odd_file_names_reach_the_tool_intact(fakes, blinky, prog, board):
    for name in ODD_NAMES:
        shutil.copy(blinky["nucleo-f401"] / "blinky.bin", fakes.path / name)
        before = len(fakes.calls())
        # The name arrives through the environment, literally (a '$' stays a '$').
        port = fakes.path / "ttyFAKE0"  # stands in for the adapter: exists, read-write
        port.touch()
        r = fakes.run(f"BOARD={board}", f"PROGRAMMER={prog}", f"PORT={port}", "flash-only", FLASHFILE=name)
        assert r.returncode == 0, (name, r.stderr)
        calls = [c for c in fakes.calls()[before:] if c[0] != "fk-wrapper" or c[1] in ("check", "copy")]
        assert calls[0][:3] == ["fk-wrapper", "check", name]
        tool = calls[-1]
        if prog == "openocd":
            assert tool[-1] == f"program {{{name}}} 0x08000000 verify reset exit"
        elif prog == "cpy2remed":
            assert tool[1:3] == ["copy", name]
        else:
            assert name in tool, tool
    assert not (fakes.path / "PWNED").exists()
    assert not (ROOT / "PWNED").exists()


@pytest.mark.parametrize("stem", ["my $fw", "c:d", "it's"])
def test_odd_names_on_the_command_line_and_through_flash(fakes, blinky, tmp_path, stem):
    """`make flash` builds a file whose name has a space, a dollar or a colon (make's own
    special characters in a prerequisite), then flashes it."""
    work = tmp_path / "w"
    work.mkdir()
    shutil.copy(blinky["nucleo-f401"] / "blinky.elf", work / f"{stem}.elf")
    r = fakes.run("BOARD=nucleo-f401", "PROGRAMMER=openocd",
                  f"FLASHFILE={stem}.bin", "flash", cwd=work)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (work / f"{stem}.bin").exists()
    assert fakes.tools()[-1][-1] == f"program {{{stem}.bin}} 0x08000000 verify reset exit"


def test_serial_selects_the_device(fakes, blinky):
    shutil.copy(blinky["nucleo-f401"] / "blinky.bin", fakes.path / "fw.bin")
    serial = "066D FF'55"
    fakes.run("BOARD=stm32f4discovery", "PROGRAMMER=dfu", "FLASHFILE=fw.bin", f"SERIAL={serial}", "flash-only")
    fakes.run("BOARD=nucleo-f401", "FLASHFILE=fw.bin", f"SERIAL={serial}", "reset")
    fakes.run("BOARD=nucleo-f401", "PROGRAMMER=cpy2remed", "FLASHFILE=fw.bin", f"SERIAL={serial}", "flash-only")
    calls = [c for c in fakes.tools() if c[0] != "fk-wrapper" or c[1] == "copy"]
    assert calls[0][:10] == ["dfu-util", "-d", "0483:df11", "-c", "1", "-i", "0", "-a", "0", "-S"] and calls[0][10] == serial
    assert calls[1][3:5] == ["-c", f"adapter serial {{{serial}}}"]
    assert "--serial" in calls[2] and calls[2][calls[2].index("--serial") + 1] == serial


# ---------------------------------------------------------------- no process at parse time

def execves(args, cwd=ROOT):
    with_trace = ["strace", "-f", "-qq", "-e", "trace=execve", "-o", "/dev/stderr",
                  "make", "--no-print-directory", *args]
    r = subprocess.run(with_trace, cwd=cwd, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return [l for l in r.stderr.splitlines() if "execve(" in l], r.stdout


@pytest.mark.parametrize("board,prog", [("crazyflie2", "dfu"), ("nucleo-f401", "openocd"),
                                        ("nucleo-c031c6", "openocd"), ("nucleo-f401", "cpy2remed"),
                                        ("nucleo-l476rg", "stm32flash")])
def test_no_process_at_parse_time_standalone(board, prog):
    calls, out = execves(["-f", str(MK), f"BOARD={board}", f"PROGRAMMER={prog}", "FLASHFILE=fw.bin",
                          "-n", "flash-only"])
    assert len(calls) == 1 and '"make"' in calls[0], calls
    assert "check 'fw.bin'" in out  # the recipe was listed, not run


def test_no_process_at_parse_time_included(blinky):
    # a DFU board flashes the DfuSe file with its ids (no suffix warning from dfu-util)
    calls, out = execves(["BOARD=crazyflie2", "-n", "flash-only"], cwd=ROOT / "examples/blinky")
    assert len(calls) == 1, calls
    assert "blinky.dfu" in out


# ---------------------------------------------------------------- lists, help, info

def test_list_boards_text_and_json():
    r = make("list-boards")
    assert r.returncode == 0
    rows = r.stdout.splitlines()[1:]
    assert [row.split()[0] for row in rows] == BOARDS
    assert len(BOARDS) == 13
    boards = json.loads(make("list-boards", "FORMAT=json").stdout)
    by = {b["board"]: b for b in boards}
    assert by["crazyflie2"]["image"] == "0x08004000" and by["crazyflie2"]["programmer"] == "dfu"
    assert by["nucleo-f401"]["name"] == "NUCLEO-F401RE" and by["nucleo-f401"]["mcu"] == "stm32f401re"
    for b in boards:
        assert b["programmer"] in b["programmers"]
    # A PROGRAMMER in the caller's environment does not leak into the board rows.
    r = make("list-boards", "FORMAT=json", env=dict(os.environ, PROGRAMMER="stm32flash"))
    assert r.returncode == 0 and json.loads(r.stdout) == boards


def test_list_programmers_and_help():
    r = make("list-programmers")
    assert [l.split()[0] for l in r.stdout.splitlines()] == ["cpy2remed", "dfu", "openocd", "stm32flash"]
    r = make()  # standalone: help is the default goal
    assert r.returncode == 0 and "flash-only" in r.stdout and "crazyflie2" in r.stdout


def test_info_says_what_and_why():
    r = make("BOARD=crazyflie2", "ELFFILE=build/cf2.elf", "info")
    info = dict(re.match(r"(\S+)\s+(.*)", l).groups() for l in r.stdout.splitlines())
    assert info["programmer"].startswith("dfu (the board's default")
    assert info["file"].startswith("build/cf2.dfu (the ELF as .dfu")
    assert info["address"] == "0x08004000 (FLASH_BASE 0x08000000 + IMAGE_OFFSET 0x4000)"
    assert "only make flash-bootloader writes there" in info["protected"]
    assert "run --label writing -- dfu-util -d 0483:df11 -a 0 -D 'build/cf2.dfu' && " in info["flash"]
    r = make("BOARD=nucleo-f401", "PROGRAMMER=cpy2remed", "FLASHFILE=fw.hex", "info")
    assert "erase        cannot; use PROGRAMMER=openocd" in r.stdout
    assert "from the command line" in r.stdout


def test_included_makefile_keeps_its_default_goal():
    r = subprocess.run(["make", "-n", "BOARD=nucleo-f401"], cwd=ROOT / "examples/blinky",
                       capture_output=True, text=True)
    assert r.returncode == 0 and "blinky.elf" in r.stdout and "flashkit: flash STM32 boards" not in r.stdout


# ---------------------------------------------------------------- example and buildtest

def test_buildtest_builds_and_checks_every_board(flashkit, tmp_path):
    build = flashkit.parent.parent
    r = subprocess.run(["make", "--no-print-directory", f"BUILD={build}", "buildtest",
                        f"BUILDTEST_OUT={tmp_path}"], cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    rows = [l.split() for l in r.stdout.splitlines() if l.split() and l.split()[0] in BOARDS]
    assert sorted(row[0] for row in rows) == BOARDS and all(row[1] == "ok" for row in rows)
    for board in BOARDS:
        for ext in ("elf", "bin", "hex", "dfu"):
            assert (tmp_path / board / f"blinky.{ext}").stat().st_size > 0
        log = (build / "buildtest" / f"{board}.log").read_text()
        assert log.count("  CHECK   ") == 4, log  # flashkit check ran (and passed) on elf, bin, hex, dfu


def test_buildtest_fails_when_a_board_fails(flashkit, tmp_path):
    r = subprocess.run(["make", "--no-print-directory", "-f", "makefiles/buildtest.mk", "-j2",
                        f"FLASHKIT={flashkit}", f"BUILDTEST_DIR={tmp_path}", f"BUILDTEST_OUT={tmp_path}",
                        "BUILDTEST_BOARDS=nucleo-g071rb no-such-board"], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode != 0
    assert re.search(r"^nucleo-g071rb\s+ok", r.stdout, re.M)
    assert re.search(r"^no-such-board\s+FAIL", r.stdout, re.M)
    assert "1 of 2 boards failed" in r.stderr


def test_blinky_images_match_the_board(blinky, flashkit):
    """The image sits at IMAGE_ADDR, and the .dfu carries the DfuSe suffix dfu-util wants."""
    cf = blinky["crazyflie2"]
    r = subprocess.run([str(flashkit), "info", str(cf / "blinky.dfu")], capture_output=True, text=True)
    assert r.returncode == 0 and "0x08004000" in r.stdout
    r = subprocess.run(["dfu-suffix", "-c", str(cf / "blinky.dfu")], capture_output=True, text=True)
    assert r.returncode == 0 and "0x011A" in r.stdout and "0xDF11" in r.stdout
    objcopy = subprocess.run(["arm-none-eabi-objcopy", "-O", "binary", str(cf / "blinky.elf"), "/dev/stdout"],
                             capture_output=True)
    assert objcopy.stdout == (cf / "blinky.bin").read_bytes()


# ---------------------------------------------------------------- udev

def test_udev_rules_install(tmp_path):
    r = subprocess.run(["make", "-C", "tools/udev", "install", f"DESTDIR={tmp_path}"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    rules = (tmp_path / "etc/udev/rules.d/60-flashkit.rules").read_text()
    assert 'ATTR{idVendor}=="0483", ATTR{idProduct}=="df11"' in rules
    for pid in ("3748", "374b", "374e", "374f", "3753"):
        assert pid in rules
    for vid in ("0403", "10c4", "1a86", "067b"):
        assert f'ATTRS{{idVendor}}=="{vid}"' in rules
    for line in rules.splitlines():
        if line and not line.startswith("#"):
            assert re.fullmatch(r'(\w+(\{\w+\})?(==|!=|\+=|=)"[^"]*"(, )?)+', line), line
    r = subprocess.run(["make", "-n", "udev-install"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0 and "tools/udev install" in r.stdout


def test_a_board_outside_the_tree(tmp_path):
    """The README's "adding a board": one data file, here in EXTERNAL_BOARD_DIRS."""
    (tmp_path / "myboard.mk").write_text(
        "BOARD_NAME ?= My Board\nBOARD_MCU ?= stm32f405rg\nPROGRAMMERS_SUPPORTED ?= dfu openocd\n"
        "PROGRAMMER ?= dfu\nIMAGE_OFFSET ?= 0x8000\nBOOTLOADER_SIZE ?= 32K\n"
        "BOARD_ENTER_dfu ?= Hold BOOT0, press RESET.\n"
        "include $(FK_ROOT)/boards/common/stm32f405xg.mk\n")
    ext = f"EXTERNAL_BOARD_DIRS={tmp_path}"
    boards = json.loads(make(ext, "FORMAT=json", "list-boards").stdout)
    mine = [b for b in boards if b["board"] == "myboard"]
    assert mine == [{"board": "myboard", "name": "My Board", "mcu": "stm32f405rg", "family": "stm32f4",
                     "programmer": "dfu", "programmers": ["dfu", "openocd"],
                     "flash": "0x08000000:1M", "image": "0x08008000"}]
    r = make(ext, "BOARD=myboard", "PROGRAMMER=openocd", "FLASHFILE=fw.bin", "FLASHKIT=flashkit", "-n", "flash-only")
    assert r.returncode == 0, r.stderr
    assert "'flashkit' check 'fw.bin' --address 0x08008000 --flash 0x08000000:1M --ram 0x20000000:128K --protect 0x08000000:32K" in r.stdout
    assert "-c 'program {fw.bin} 0x08008000 verify reset exit'" in r.stdout


OPENOCD_BOARDS = [b for b in BOARDS if "openocd" in golden.board_vars(b, "PROGRAMMERS_SUPPORTED")[0].split()
                  and not golden.board_vars(b, "OPENOCD_MIN_VERSION")[0]]


@pytest.mark.parametrize("board", OPENOCD_BOARDS)
def test_openocd_configuration_loads_in_debians_openocd(board):
    """The real openocd 0.12.0 reads each board's probe, serial, target and reset settings
    and knows the flash driver commands its erase uses (configuration stage only: no probe)."""
    r = make(f"BOARD={board}", "PROGRAMMER=openocd", "SERIAL=0668FF55", "FK_PRINT=OPENOCD_ARGS OPENOCD_ERASE", "_fk-vars")
    v = dict(l.split("=", 1) for l in r.stdout.splitlines())
    drivers = sorted({c.split("+")[0] for c in v["OPENOCD_ERASE"].split()})
    probe = " ".join(f"-c 'if {{[lsearch -exact [info commands] {d}] < 0}} {{exit 3}}'" for d in drivers)
    run = subprocess.run(["sh", "-c", f"openocd {v['OPENOCD_ARGS']} {probe} -c shutdown"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    # The probe itself can fail: a driver the target does not register is caught.
    bad = subprocess.run(["sh", "-c", f"openocd {v['OPENOCD_ARGS']} -c 'if {{[lsearch -exact [info commands] stm32nope] < 0}} {{exit 3}}' -c shutdown"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0


def test_elffile_with_a_comment_after_it(fakes, blinky):
    """docs/plugin.md's include example: make keeps the blanks before a '#' comment in a
    variable's value, and the ELF must still be found (not 'build/app.elf   ')."""
    (fakes.path / "build").mkdir()
    shutil.copy(blinky["nucleo-f401"] / "blinky.elf", fakes.path / "build" / "app.elf")
    (fakes.path / "Makefile").write_text(
        "BOARD   ?= nucleo-f401\n"
        "ELFFILE  = build/app.elf          # the firmware's ELF\n"
        f"include {MK}\n")
    env = dict(os.environ, PATH=f"{fakes.path / 'bin'}:{os.environ['PATH']}", FAKE_LOG=str(fakes.log))
    env.pop("MAKEFLAGS", None)
    r = subprocess.run(["make", "--no-print-directory", f"FLASHKIT={fakes.helper}", "flash"],
                       cwd=fakes.path, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    checks = [c for c in fakes.tools() if c[:2] == ["fk-wrapper", "check"]]
    assert checks and checks[0][2] == "build/app.bin" and "build/app.elf" in checks[0], checks
