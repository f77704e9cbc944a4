"""make ... PROGRAMMER=stm32flash against the virtual UART board: the
workflows of the UART path, and one clear line for each thing that can go
wrong (port, permissions, wiring, BOOT0, protection)."""
import os
import shutil
import subprocess
import tempfile

import pytest

from pathlib import Path

# Fixtures by import: a tests/uart/conftest.py would shadow the other areas'
# conftest modules (all are imported under the one name 'conftest').
from vuart_fixtures import board, image, vuart_built  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("FLASHKIT_BUILD", ROOT / "build")).resolve()
FLASHKIT = BUILD / "bin" / "flashkit"
F401_SIZE = 512 * 1024
MK = ["make", "--no-print-directory", "-f", ROOT / "makefiles" / "flashkit.mk",
      "BOARD=nucleo-f401", "PROGRAMMER=stm32flash", f"FLASHKIT={FLASHKIT}"]


def mk(b, *args, **kw):
    """make with the board attached; PORT is the board's terminal."""
    return b.run(*MK, f"PORT={b.link}", *args, **kw)


def failed(r, code):
    """make stops with 2; the recipe's own status (sysexits) is in its message."""
    return r.returncode == 2 and f"Error {code}" in r.stderr


def flashkit_lines(r):
    return [l for l in r.stderr.splitlines() if l.startswith("flashkit: ")]


def test_make_flash_example(board, tmp_path):
    """The README's command: build blinky for nucleo-f401 and flash it at
    115200 with verify, then the application is started."""
    if not shutil.which("arm-none-eabi-gcc"):
        pytest.skip("arm-none-eabi-gcc not installed")
    b = board()
    out = tmp_path / "blinky"
    r = b.run("make", "--no-print-directory", "-C", ROOT / "examples" / "blinky",
              "BOARD=nucleo-f401", "PROGRAMMER=stm32flash", f"PORT={b.link}",
              f"BUILDDIR={out}", f"FLASHKIT={FLASHKIT}", "V=1", "flash")  # V=1: the tool's words
    assert r.returncode == 0, r.stdout + r.stderr
    image = (out / "blinky.bin").read_bytes()
    assert b.contents(len(image)) == image
    assert "Interface serial_posix: 115200 8E1" in r.stdout
    assert "Wrote and verified" in r.stdout
    assert b.state["mode"] == "app" and b.state["app_entry"] == "0x08000000"


@pytest.mark.parametrize("wiring,invert", [("inverted", "1"), ("direct", "0")])
def test_make_flash_with_reset(board, image, wiring, invert):
    """STM32FLASH_RESET=1: reset into the bootloader, flash, reset into the
    application, with the BOOT0 jumper low as it stays on a real board."""
    b = board(wiring=wiring, boot0="low")
    path, data = image(30000)
    r = mk(b, f"FLASHFILE={path}", "STM32FLASH_RESET=1", f"STM32FLASH_RESET_INVERT={invert}",
           "flash-only")
    assert r.returncode == 0, r.stdout + r.stderr
    assert b.contents(len(data)) == data
    assert "NRST released with BOOT0 high: ROM bootloader" in b.log
    assert "NRST released: application running from 0x08000000" in b.log
    assert b.state["mode"] == "app"  # also after the port closed


@pytest.mark.parametrize("wiring,invert,other", [("inverted", "0", "1"), ("direct", "1", "0")])
def test_make_wrong_invert_says_flip(board, image, wiring, invert, other):
    b = board(wiring=wiring, boot0="low")
    path, _ = image(4096)
    r = mk(b, f"FLASHFILE={path}", "STM32FLASH_RESET=1", f"STM32FLASH_RESET_INVERT={invert}",
           "flash-only")
    assert r.returncode != 0
    first = flashkit_lines(r)[0]
    assert f"run again with STM32FLASH_RESET_INVERT={other}" in first
    assert b.contents() == b"\xff" * F401_SIZE


def test_make_reset_not_wired(board, image):
    """STM32FLASH_RESET=1 but nothing on BOOT0/NRST (BOOT0 jumper low)."""
    b = board(boot0="low")
    path, _ = image(4096)
    r = mk(b, f"FLASHFILE={path}", "STM32FLASH_RESET=1", "flash-only")
    assert failed(r, 69), r.stdout + r.stderr
    first = flashkit_lines(r)[0]
    assert "check RTS->BOOT0 and DTR->NRST" in first
    assert "STM32FLASH_RESET_INVERT=0" in first


def test_make_boot0_low(board, image):
    b = board(boot0="low")
    path, _ = image(4096)
    r = mk(b, f"FLASHFILE={path}", "flash-only")
    assert failed(r, 69), r.stdout + r.stderr
    assert "BOOT0 must be high at reset" in flashkit_lines(r)[0]
    assert b.contents() == b"\xff" * F401_SIZE


def test_make_other_interface_traffic(board, image):
    """The ROM listened to another interface first (Aseba: stop UART/CAN traffic)."""
    b = board(fault="no-answer")
    path, _ = image(4096)
    r = mk(b, f"FLASHFILE={path}", "flash-only")
    assert failed(r, 69), r.stdout + r.stderr
    assert "no traffic on the chip's other interfaces" in flashkit_lines(r)[0]


def test_make_port_missing(board, image, tmp_path):
    b = board()
    path, _ = image(4096)
    r = b.run(*MK, f"PORT={tmp_path}/ttyNONE", f"FLASHFILE={path}", "flash-only")
    assert failed(r, 69), r.stdout + r.stderr
    lines = flashkit_lines(r)
    assert len(lines) == 1 and "does not exist" in lines[0]


def test_make_port_not_permitted():
    """Not in the port's group (dialout): run make as nobody."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to act as an unprivileged user")
    d = Path(tempfile.mkdtemp(prefix="fk-port-"))  # pytest's tmp is private to root
    try:
        d.chmod(0o755)
        port = d / "ttyUSB9"
        port.touch()
        os.chown(port, 0, 20)  # root:dialout, like /dev/ttyUSB*
        os.chmod(port, 0o660)
        # A valid image: the image check runs before the port check.
        fw = d / "fw.bin"
        fw.write_bytes((0x20018000).to_bytes(4, "little") + (0x08000101).to_bytes(4, "little")
                       + bytes(4088))
        fw.chmod(0o644)
        # The plugin and helper as nobody can read them: the checkout itself may sit in
        # a folder only root can enter (a clone under mktemp -d).
        for sub in ("makefiles", "programmers", "boards"):
            shutil.copytree(ROOT / sub, d / sub)
        shutil.copy(FLASHKIT, d / "flashkit")
        (d / "flashkit").chmod(0o755)
        for sub in ("makefiles", "programmers", "boards"):
            for f in (d / sub).rglob("*"):
                f.chmod(0o755 if f.is_dir() or f.suffix == ".sh" else 0o644)
        mk_nobody = ["make", "--no-print-directory", "-f", d / "makefiles" / "flashkit.mk",
                     "BOARD=nucleo-f401", "PROGRAMMER=stm32flash", f"FLASHKIT={d / 'flashkit'}"]
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                            *map(str, mk_nobody), f"PORT={port}", f"FLASHFILE={d}/fw.bin",
                            "flash-only"], capture_output=True, text=True, timeout=60, cwd=d)
    finally:
        shutil.rmtree(d)
    assert failed(r, 77), r.stdout + r.stderr
    lines = flashkit_lines(r)
    assert len(lines) == 1
    assert "no permission to open" in lines[0] and "adduser" in lines[0] and "dialout" in lines[0]


def test_make_port_busy(board, image):
    """Another program holds the port (stm32flash's lock)."""
    b = board()
    path, _ = image(4096)
    hold = ("import fcntl,os,sys,time; f=open(os.environ['PORT'],'r+b',buffering=0); "
            "fcntl.lockf(f, fcntl.LOCK_EX|fcntl.LOCK_NB); print('locked', flush=True); time.sleep(30)")
    r = b.run(f'/usr/bin/python3 -c "{hold}" > {b.dir}/hold.out & pid=$!; '
              f'while ! grep -q locked {b.dir}/hold.out; do sleep 0.05; done; '
              f'{" ".join(map(str, MK))} PORT="$PORT" FLASHFILE={path} flash-only; rc=$?; '
              'kill $pid; exit $rc')
    assert failed(r, 69), r.stdout + r.stderr
    assert "in use by another program" in flashkit_lines(r)[0]


@pytest.mark.parametrize("fault,text", [
    ("read-protect", "read-protected (RDP level 1)"),
    ("write-protect", "the flash is write-protected"),
    ("nack-write=2", "refused the write at 0x08000100"),
])
def test_make_refusals(board, image, fault, text):
    b = board(fault=fault)
    path, _ = image(4096)
    r = mk(b, f"FLASHFILE={path}", "flash-only")
    assert failed(r, 74), r.stdout + r.stderr
    assert text in flashkit_lines(r)[0]
    assert "Starting execution" not in r.stdout
    assert b.state["app_starts"] == "0"


def test_make_go_refused_is_a_failure(board, image):
    """stm32flash 0.7 exits 0 when GO fails after a good write; make must not."""
    b = board(fault="nack-go")
    path, data = image(4096)
    r = mk(b, f"FLASHFILE={path}", "flash-only")
    assert failed(r, 74), r.stdout + r.stderr
    assert "refused GO" in flashkit_lines(r)[0]
    assert b.contents(len(data)) == data
    assert b.state["app_starts"] == "0"


def test_make_erase(board, image):
    b = board()
    path, _ = image(20000)
    assert mk(b, f"FLASHFILE={path}", "flash-only").returncode == 0
    r = mk(b, "erase")
    assert r.returncode == 0, r.stdout + r.stderr
    assert b.contents() == b"\xff" * F401_SIZE


@pytest.mark.parametrize("opts,args", [({}, []),
                                       ({"wiring": "inverted", "boot0": "low"},
                                        ["STM32FLASH_RESET=1"])])
def test_make_reset(board, image, opts, args):
    """make reset starts the application: GO without wiring; with wiring a
    real reset with BOOT0 low follows."""
    b = board(**opts)
    path, data = image(4096)
    assert mk(b, f"FLASHFILE={path}", *args, "flash-only").returncode == 0
    b.log_file.unlink()
    r = mk(b, *args, "reset")  # a new power cycle of the same board
    assert r.returncode == 0, r.stdout + r.stderr
    log = b.log
    assert "GO: application running from 0x08000000" in log
    if args:
        assert log.index("NRST released: application running") > log.index("GO:")
    assert b.state["mode"] == "app"
    assert b.contents(len(data)) == data


def test_make_flash_hex_at_riot_baud(board, image, tmp_path):
    """A .hex carries its addresses (no -S); RIOT's 57600 works too (autobaud)."""
    b = board()
    path, data = image(10000)
    hexfile = tmp_path / "fw.hex"
    subprocess.run(["objcopy", "-I", "binary", "-O", "ihex", "--change-addresses",
                    "0x08000000", str(path), str(hexfile)], check=True)
    r = mk(b, f"FLASHFILE={hexfile}", "STM32FLASH_FILE_TYPE=hex", "STM32FLASH_BAUD=57600",
           "V=1", "flash-only")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Interface serial_posix: 57600 8E1" in r.stdout
    assert b.contents(len(data)) == data
    assert "autobaud locked at 57600 baud" in b.log
