"""Helpers and fixtures for the ST-LINK drive tests (imported by name, not
a conftest.py: tests/helper imports "conftest" and must get the top one). The ST-LINK drive path: the virtual drive runner, the built
example, and small images. Everything runs inside vdrive's private mount
namespace; the host's /media and mounts are never touched."""
import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from vboardkit import linked_elf_project  # noqa: E402,F401

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("FLASHKIT_BUILD", ROOT / "build")).resolve()
FLASHKIT = BUILD / "bin" / "flashkit"
VDRIVE = BUILD / "vboard" / "vdrive"
F401_LAYOUT = "4*16K,1*64K,3*128K"
F401_SIZE = 512 * 1024
SERIAL1 = "0671FF485550755187121723"
SERIAL2 = "0672FF485550755187125544"
RANGES = ["--flash", "0x08000000:512K", "--ram", "0x20000000:96K"]


class VRun:
    """vrun(cmd..., fault=..., label=...) runs cmd beside a virtual Nucleo-F401
    drive; .flash(n) reads the first n bytes of its flash afterwards."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.flash_file = tmp / "flash.bin"
        self.flash_file2 = tmp / "flash2.bin"

    def __call__(self, *cmd, faults=(), label=None, extra=(), timeout=90, cwd=None, env=None):
        args = [VDRIVE, "run", "--board-flash", "0x08000000:512K", "--layout", F401_LAYOUT,
                "--flash-file", self.flash_file, "--flash-file2", self.flash_file2,
                "--serial", SERIAL1, "--serial2", SERIAL2, "--remount-delay", "0.2"]
        for f in faults:
            args += ["--fault", f]
        if label:
            args += ["--label", label]
        args += list(extra)
        args += ["--", *cmd]
        return subprocess.run([str(a) for a in args], capture_output=True, text=True,
                              timeout=timeout, cwd=cwd, env=env)

    def flash(self, n=F401_SIZE, second=False):
        return (self.flash_file2 if second else self.flash_file).read_bytes()[:n]


@pytest.fixture(scope="session", autouse=True)
def _need_namespace(tmp_path_factory):
    if not VDRIVE.exists() or not FLASHKIT.exists():
        subprocess.run(["make", "-C", str(ROOT), f"BUILD={BUILD}", "all"], check=True,
                       capture_output=True)
    d = tmp_path_factory.mktemp("probe")
    r = subprocess.run([str(VDRIVE), "run", "-q", "--flash-file", str(d / "f"), "--", "true"],
                       capture_output=True, text=True)
    if r.returncode == 69 and os.geteuid() != 0:
        pytest.skip("no private mount namespace here (not root, user namespaces off): "
                    + r.stderr.strip())
    assert r.returncode == 0, r.stderr


@pytest.fixture
def vrun(tmp_path):
    return VRun(tmp_path)


def vector_image(size, sp=0x20018000, reset=0x080001C1, seed=1):
    """A .bin that passes the check: Cortex-M vector table, then bytes."""
    body = bytes((i * 131 + seed) & 0xFF for i in range(size - 8))
    return struct.pack("<II", sp, reset) + body


@pytest.fixture
def image(tmp_path):
    def make(size=3000, name="fw.bin", **kw):
        p = tmp_path / name
        data = vector_image(size, **kw)
        p.write_bytes(data)
        return p, data
    return make


@pytest.fixture(scope="session")
def blinky(tmp_path_factory):
    """The example built for nucleo-f401 into a private directory."""
    if not shutil.which("arm-none-eabi-gcc"):
        pytest.skip("arm-none-eabi-gcc not installed")
    out = tmp_path_factory.mktemp("blinky")
    r = subprocess.run(["make", "--no-print-directory", "-C", str(ROOT / "examples" / "blinky"),
                        "BOARD=nucleo-f401", f"BUILDDIR={out}", f"FLASHKIT={FLASHKIT}", "all"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return out


def crc(data):
    return zlib.crc32(data) & 0xFFFFFFFF
