"""Fixtures for the UART path (imported by the test modules, not a conftest):
the virtual board (tools/vboard/vuart) around the real stm32flash, and
helpers to read back what the board did."""
import os
import random
import struct
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("FLASHKIT_BUILD", ROOT / "build")).resolve()
VUART = BUILD / "vboard" / "vuart"
SHIM = BUILD / "vboard" / "ttyshim.so"
FLASHKIT = BUILD / "bin" / "flashkit"

FLASH_BASE = 0x08000000
F401_SIZE = 512 * 1024


def _build():
    if not (VUART.exists() and SHIM.exists() and FLASHKIT.exists()):
        subprocess.run(["make", "-C", str(ROOT), f"BUILD={BUILD}", str(VUART), str(SHIM),
                        str(FLASHKIT)], check=True, capture_output=True)


class Board:
    """One virtual board: its flash file, state file and log live in tmp."""

    def __init__(self, tmp, name="board", **opts):
        self.dir = tmp
        self.flash = tmp / f"{name}-flash.bin"
        self.state_file = tmp / f"{name}-state.txt"
        self.log_file = tmp / f"{name}-log.txt"
        self.link = tmp / f"{name}-tty"
        self.opts = opts

    def args(self):
        a = [VUART, "--flash", self.flash, "--state", self.state_file,
             "--log", self.log_file, "--link", self.link]
        for k, v in self.opts.items():
            flag = "--" + k.replace("_", "-")
            if v is True:
                a.append(flag)
            else:
                a += [flag, v]
        return a

    def run(self, *cmd, timeout=60, env=None, **kw):
        """Run CMD (a shell line if one string) with the board attached."""
        if len(cmd) == 1 and isinstance(cmd[0], str):
            cmd = ["sh", "-c", cmd[0]]
        e = dict(os.environ)
        e.update(env or {})
        return subprocess.run([str(c) for c in [*self.args(), "--", *cmd]], capture_output=True,
                              text=True, timeout=timeout, env=e, **kw)

    def stm32flash(self, *args, **kw):
        """The real stm32flash (through vuart's PATH wrapper, with the shim)."""
        return self.run("stm32flash", *args, self.link, **kw)

    @property
    def state(self):
        d = {}
        for line in self.state_file.read_text().splitlines():
            k, _, v = line.partition("=")
            d[k] = v
        return d

    @property
    def log(self):
        return self.log_file.read_text() if self.log_file.exists() else ""

    def contents(self, size=None):
        data = self.flash.read_bytes()
        return data if size is None else data[:size]


@pytest.fixture(scope="session")
def vuart_built():
    _build()
    return VUART


@pytest.fixture
def board(tmp_path, vuart_built):
    """board(**opts) -> Board; opts are vuart options (wiring="inverted", fault=...)."""
    n = [0]

    def make(**opts):
        n[0] += 1
        return Board(tmp_path, f"b{n[0]}", **opts)
    return make


def firmware(size, seed=1):
    """A Cortex-M image: SP in RAM, odd reset vector in flash, random body."""
    rnd = random.Random(seed)
    body = bytes(rnd.getrandbits(8) for _ in range(size - 8))
    return struct.pack("<II", 0x20018000, FLASH_BASE + 0x1C1) + body


@pytest.fixture
def image(tmp_path):
    """image(size, seed) -> (path, bytes) of a firmware .bin in tmp."""
    def make(size=20000, seed=1, name=None):
        data = firmware(size, seed)
        p = tmp_path / (name or f"fw-{size}-{seed}.bin")
        p.write_bytes(data)
        return p, data
    return make
