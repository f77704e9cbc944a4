"""Helpers for the DFU tests: the virtual STM32 ROM DFU bootloader (tools/vboard/vdfu,
umockdev) around the real dfu-util and the make plugin. A module of its own name, since
every test directory has a conftest."""
import os
import random
import struct
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("FLASHKIT_BUILD", ROOT / "build")).resolve()
VDFU = BUILD / "vboard" / "vdfu"
FLASHKIT = BUILD / "bin" / "flashkit"
FLASH_BASE = 0x08000000
SIZES = {"f4": 1024 * 1024, "f401": 512 * 1024, "f7": 2 * 1024 * 1024}
# Family of each board's MCU, as vdfu knows it (the F7 ECU in dual-bank mode).
FAMILY = {"crazyflie2": "f4", "stm32f4discovery": "f4", "odrive-v3": "f4",
          "mks-xdrive": "f4", "odesc-4.2": "f4", "proteus-f7": "f7"}


def clean_env(extra=None):
    """The environment for make under test: no outer make's flags leaking in."""
    e = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    e.update(extra or {})
    return e


def app_image(size, addr, seed=1):
    """A plausible application: Cortex-M vector table (SP in RAM, odd reset vector
    inside the image) followed by random bytes."""
    rnd = random.Random(seed)
    body = bytes(rnd.getrandbits(8) for _ in range(size - 8))
    return struct.pack("<II", 0x20020000, addr + 0x101) + body


class Board:
    """One virtual DFU board: its flash and event log live in tmp."""

    def __init__(self, tmp, family="f4", name="board", **opts):
        self.tmp = tmp
        self.family = family
        self.flash = tmp / f"{name}-flash.bin"
        self.events_file = tmp / f"{name}-events.txt"
        self.opts = opts

    def fill(self, data_at=None, fill=0xFF):
        """Create the flash file: erased, plus {address: bytes}."""
        mem = bytearray([fill]) * SIZES[self.family]
        for addr, data in (data_at or {}).items():
            mem[addr - FLASH_BASE:addr - FLASH_BASE + len(data)] = data
        self.flash.write_bytes(bytes(mem))

    def read(self, addr, n):
        with open(self.flash, "rb") as f:
            f.seek(addr - FLASH_BASE)
            return f.read(n)

    @property
    def events(self):
        return self.events_file.read_text() if self.events_file.exists() else ""

    def args(self, **more):
        a = [VDFU, "run", "--family", self.family, "--flash-file", self.flash,
             "--events", self.events_file]
        for k, v in {**self.opts, **more}.items():
            flag = "--" + k.replace("_", "-")
            if v is True:
                a.append(flag)
            elif isinstance(v, (list, tuple)):
                for x in v:
                    a += [flag, x]
            else:
                a += [flag, v]
        return a

    def run(self, *cmd, timeout=90, env=None, cwd=None, **more):
        """Run CMD (argv, or one shell line) with the board on the virtual bus."""
        if len(cmd) == 1 and isinstance(cmd[0], str):
            cmd = ["sh", "-c", cmd[0]]
        return subprocess.run([str(c) for c in [*self.args(**more), "--", *cmd]],
                              capture_output=True, text=True, timeout=timeout,
                              env=clean_env(env), cwd=cwd)

    def make(self, board, *args, **kw):
        """make -f makefiles/flashkit.mk BOARD=board ARGS... against this board."""
        return self.run("make", "--no-print-directory", "-f", ROOT / "makefiles" / "flashkit.mk",
                        f"BOARD={board}", f"FLASHKIT={FLASHKIT}", "DFU_WAIT=4", *args, **kw)


def out(r):
    return r.stdout + r.stderr
