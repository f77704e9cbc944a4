"""Helpers for the OpenOCD tests: the virtual ST-LINK (build/vboard/vstlink, umockdev)
in front of the virtual STM32 (tools/vboard/mcu), around the real OpenOCD and the make
plugin. A module of its own name, since every test directory may have a conftest."""
import random
import shutil
import socket
import struct
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from vboardkit import (BUILD, FLASH_BASE, FLASHKIT, ROOT, FlashFile,  # noqa: E402,F401
                       blinky_builds, clean_env, linked_elf_project, option_flags)

VSTLINK = BUILD / "vboard" / "vstlink"
MK = ROOT / "makefiles" / "flashkit.mk"

# Every board whose programmers include openocd: its chip (vstlink --chip), flash size.
BOARDS = {
    "nucleo-f401": ("stm32f401re", 512), "nucleo-f446re": ("stm32f446re", 512),
    "nucleo-f767zi": ("stm32f767zi", 2048), "nucleo-h743zi": ("stm32h743zi", 2048),
    "nucleo-l476rg": ("stm32l476rg", 1024), "nucleo-g071rb": ("stm32g071rb", 128),
    "stm32f4discovery": ("stm32f407vg", 1024), "crazyflie2": ("stm32f405rg", 1024),
    "odrive-v3": ("stm32f405rg", 1024), "mks-xdrive": ("stm32f405rg", 1024),
    "odesc-4.2": ("stm32f405rg", 1024),
}


def rc(r):
    """make's own exit is 2; the recipe's code is in 'Error N'."""
    if r.returncode == 2:
        for line in reversed(r.stderr.splitlines()):
            if "] Error " in line:
                return int(line.rsplit("Error ", 1)[1].split()[0])
    return r.returncode


def loop_image(size, addr=FLASH_BASE, seed=1):
    """A firmware that boots and spins: SP in RAM, the reset vector at a 'b .' right
    after the table, then random bytes (never executed)."""
    rnd = random.Random(seed)
    body = bytes(rnd.getrandbits(8) for _ in range(size - 10))
    return struct.pack("<IIH", 0x20001000, addr + 9, 0xE7FE) + body


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Probe(FlashFile):
    """One virtual ST-LINK and the STM32 behind it: flash file and event log in tmp."""

    def __init__(self, tmp, board="nucleo-f401", chip=None, name="probe", **opts):
        super().__init__(tmp, name)
        self.board = board
        self.chip = chip or BOARDS[board][0]
        self.flash_kib = BOARDS[board][1]
        self.flash_size = self.flash_kib * 1024
        self.opts = opts

    def args(self, **more):
        return [str(VSTLINK), "--chip", self.chip, "--flash-file", str(self.flash),
                "--events", str(self.events_file), *option_flags({**self.opts, **more})]

    def run(self, *cmd, timeout=120, env=None, cwd=None, **more):
        """Run CMD (argv) with the probe on the virtual bus."""
        return subprocess.run([*self.args(**more), "--", *[str(c) for c in cmd]],
                              capture_output=True, text=True, timeout=timeout,
                              env=clean_env(env), cwd=cwd)

    def make(self, *args, timeout=120, **more):
        """make -f makefiles/flashkit.mk BOARD=... ARGS under the probe."""
        return self.run("make", "--no-print-directory", "-f", MK, f"BOARD={self.board}",
                        "PROGRAMMER=openocd", f"FLASHKIT={FLASHKIT}", "OPENOCD_WAIT=2", *args,
                        timeout=timeout, **more)


def out(r):
    return f"rc={r.returncode}\n--- stdout\n{r.stdout}\n--- stderr\n{r.stderr}"


def flashkit_lines(r):
    return [line for line in r.stderr.splitlines() if line.startswith("flashkit: ")]


@pytest.fixture(scope="session")
def built():
    subprocess.run(["make", "-C", str(ROOT), f"BUILD={BUILD}", str(VSTLINK), str(FLASHKIT)],
                   check=True, capture_output=True, env=clean_env())
    if not shutil.which("openocd"):
        pytest.skip("openocd not installed")
    return VSTLINK


@pytest.fixture
def probe(tmp_path, built):
    def _probe(board="nucleo-f401", **opts):
        p = Probe(tmp_path, board, **opts)
        p.fill()
        return p
    return _probe


@pytest.fixture(scope="session")
def blinky(tmp_path_factory, built):
    """examples/blinky built for a board (elf, bin, hex), once per session."""
    if not shutil.which("arm-none-eabi-gcc"):
        pytest.skip("arm-none-eabi-gcc not installed")
    return blinky_builds(tmp_path_factory.mktemp("blinky"))
