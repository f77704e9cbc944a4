"""Helpers for the DFU tests: the virtual STM32 ROM DFU bootloader (tools/vboard/vdfu,
umockdev) around the real dfu-util and the make plugin. A module of its own name, since
every test directory has a conftest."""
import random
import struct
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from vboardkit import (BUILD, FLASH_BASE, FLASHKIT, ROOT, FlashFile,  # noqa: E402,F401
                       blinky_builds, clean_env, linked_elf_project, option_flags)

VDFU = BUILD / "vboard" / "vdfu"
SIZES = {"f4": 1024 * 1024, "f401": 512 * 1024, "f7": 2 * 1024 * 1024}
# Family of each board's MCU, as vdfu knows it (the F7 ECU in dual-bank mode).
FAMILY = {"crazyflie2": "f4", "stm32f4discovery": "f4", "odrive-v3": "f4",
          "mks-xdrive": "f4", "odesc-4.2": "f4", "proteus-f7": "f7"}


def app_image(size, addr, seed=1):
    """A plausible application: Cortex-M vector table (SP in RAM, odd reset vector
    inside the image) followed by random bytes."""
    rnd = random.Random(seed)
    body = bytes(rnd.getrandbits(8) for _ in range(size - 8))
    return struct.pack("<II", 0x20020000, addr + 0x101) + body


class Board(FlashFile):
    """One virtual DFU board: its flash and event log live in tmp."""

    def __init__(self, tmp, family="f4", name="board", **opts):
        super().__init__(tmp, name)
        self.family = family
        self.flash_size = SIZES[family]
        self.opts = opts

    def args(self, **more):
        return [VDFU, "run", "--family", self.family, "--flash-file", self.flash,
                "--events", self.events_file, *option_flags({**self.opts, **more})]

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
