"""Helpers for the CI tests (artifacts, manifest, exit codes, examples/ci): where
things are, the three virtual boards as one-liners, and make with a clean
environment. A module of its own name (not a conftest) so that it never shadows
another folder's helpers in a full run."""
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from vboardkit import (BUILD, FLASH_BASE, FLASHKIT, ROOT, VDFU, VDRIVE,  # noqa: E402,F401
                       VSTLINK, VUART)
from vboardkit import FK_MK as FLASHKIT_MK  # noqa: E402,F401

FK_MAKE = ROOT / "tools" / "fk-make"


def clean_env(extra=None):
    """No outer make's flags (pytest may run under make) leaking into the make under test."""
    e = {k: v for k, v in os.environ.items()
         if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "SOURCE_DATE_EPOCH", "BOARDS", "BOARD")}
    e.update(extra or {})
    return e


def run(cmd, timeout=300, env=None, **kw):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True,
                          timeout=timeout, env=clean_env(env), **kw)


def out(r):
    return r.stdout + r.stderr


def need_tools():
    for t in (FLASHKIT, VDFU, VDRIVE, VUART):
        if not t.exists():
            subprocess.run(["make", "-C", str(ROOT), f"BUILD={BUILD}", "all"], check=True,
                           capture_output=True, env=clean_env())
            break


def need_cross():
    if not shutil.which("arm-none-eabi-gcc"):
        pytest.skip("arm-none-eabi-gcc not installed")


def vector_image(size, sp=0x20018000, reset=FLASH_BASE + 0x1C1, seed=1):
    """A .bin that passes `flashkit check`: Cortex-M vector table, then bytes."""
    body = bytes((i * 131 + seed) & 0xFF for i in range(size - 8))
    return struct.pack("<II", sp, reset) + body


# --- the virtual boards: argv prefixes; the command under test follows "--" -------

def vdfu(tmp, family="f4", *opts):
    """The STM32 ROM DFU bootloader on a umockdev bus (crazyflie2 and friends)."""
    flash = tmp / "dfu-flash.bin"
    return [VDFU, "run", "--family", family, "--flash-file", flash,
            "--events", tmp / "dfu-events.txt", *opts, "--"], flash


def vdrive(tmp, *opts):
    """A NUCLEO-F401RE ST-LINK drive in a private mount namespace."""
    flash = tmp / "drive-flash.bin"
    return [VDRIVE, "run", "-q", "--board-flash", "0x08000000:512K",
            "--layout", "4*16K,1*64K,3*128K", "--flash-file", flash,
            "--remount-delay", "0.2", *opts, "--"], flash


def vuart(tmp, *opts):
    """The STM32F401 ROM UART bootloader on a pseudo-terminal; PORT is the link."""
    flash = tmp / "uart-flash.bin"
    link = tmp / "uart-tty"
    return [VUART, "--flash", flash, "--state", tmp / "uart-state.txt",
            "--log", tmp / "uart-log.txt", "--link", link, *opts, "--"], flash, link


def drive_namespace_ok(tmp):
    """vdrive needs a private mount namespace (root, or user namespaces)."""
    r = run([VDRIVE, "run", "-q", "--flash-file", tmp / "probe", "--", "true"])
    return r.returncode == 0, r.stderr.strip()
