"""What the virtual-board test helpers share (tests/openocd/stlinkkit.py,
tests/dfu/dfu_helpers.py): the environment for make under test, a board's
flash file and event log in tmp, the front end's options as flags, and the
example firmware built per board. Its own module name, so that it never meets
a folder's conftest; the helpers put this folder on sys.path to import it."""
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = Path(os.environ.get("FLASHKIT_BUILD", ROOT / "build")).resolve()
FLASHKIT = BUILD / "bin" / "flashkit"
VDFU = BUILD / "vboard" / "vdfu"
VDRIVE = BUILD / "vboard" / "vdrive"
VUART = BUILD / "vboard" / "vuart"
VSTLINK = BUILD / "vboard" / "vstlink"
FK_MK = ROOT / "makefiles" / "flashkit.mk"
FLASH_BASE = 0x08000000


def clean_env(extra=None):
    """The environment for make under test: no outer make's flags leaking in."""
    e = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    e.update(extra or {})
    return e


def option_flags(opts):
    """{name: value} as a front end's flags: --name for True, --name v for each
    item of a list or tuple, --name v otherwise (values as strings)."""
    a = []
    for k, v in opts.items():
        flag = "--" + k.replace("_", "-")
        if v is True:
            a.append(flag)
        elif isinstance(v, (list, tuple)):
            for x in v:
                a += [flag, str(x)]
        else:
            a += [flag, str(v)]
    return a


class FlashFile:
    """A virtual board's flash file and event log, NAME-flash.bin and
    NAME-events.txt in tmp. The board class says how large the flash is
    (flash_size, bytes)."""

    flash_size = 0

    def __init__(self, tmp, name):
        self.tmp = Path(tmp)
        self.flash = self.tmp / f"{name}-flash.bin"
        self.events_file = self.tmp / f"{name}-events.txt"

    def fill(self, data_at=None, fill=0xFF):
        """Create the flash file: erased (or all FILL), plus {address: bytes}."""
        mem = bytearray([fill]) * self.flash_size
        for addr, data in (data_at or {}).items():
            mem[addr - FLASH_BASE:addr - FLASH_BASE + len(data)] = data
        self.flash.write_bytes(bytes(mem))

    def read(self, addr, n):
        with open(self.flash, "rb") as f:
            f.seek(addr - FLASH_BASE)
            return f.read(n)

    def erased(self, addr, n):
        return self.read(addr, n) == b"\xff" * n

    @property
    def events(self):
        return self.events_file.read_text() if self.events_file.exists() else ""


def blinky_builds(base):
    """examples/blinky built with the plugin for a board into BASE/BOARD, once
    per board: a function board -> that folder."""
    cache = {}

    def _blinky(board):
        if board not in cache:
            d = base / board
            subprocess.run(["make", "-s", "-C", str(ROOT / "examples" / "blinky"),
                            f"BOARD={board}", f"BUILDDIR={d}", f"FLASHKIT={FLASHKIT}"],
                           check=True, capture_output=True, env=clean_env())
            cache[board] = d
        return cache[board]
    return _blinky


def linked_elf_project(tmp_path, board, offset, programmer=None):
    """A project folder for board: examples/blinky's ELF built with
    IMAGE_OFFSET=offset (linked there, whatever the board's own offset) as
    fw.elf, and a Makefile that flashes it through the plugin (ELFFILE), with
    programmer or the board's default one."""
    d = tmp_path / f"build-{board}-{offset}"
    subprocess.run(["make", "-s", "-C", str(ROOT / "examples" / "blinky"), f"BOARD={board}",
                    f"IMAGE_OFFSET={offset}", f"BUILDDIR={d}", f"FLASHKIT={FLASHKIT}",
                    str(d / "blinky.elf")], check=True, capture_output=True)
    proj = tmp_path / f"proj-{board}-{offset}"
    proj.mkdir()
    (proj / "fw.elf").write_bytes((d / "blinky.elf").read_bytes())
    (proj / "Makefile").write_text(f"BOARD ?= {board}\n"
                                   + (f"PROGRAMMER ?= {programmer}\n" if programmer else "")
                                   + f"ELFFILE = fw.elf\ninclude {ROOT}/makefiles/flashkit.mk\n")
    return proj
