"""Helpers for the bench-of-boards tests (imported by name, not a conftest):
virtual boards of every kind attached at once, `flashkit list`, and make
runs of the plugin against them. Two boards of one kind: vdfu's
--other-board, vdrive's two-drives fault, two vuarts."""
import json
import os
import struct
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from vboardkit import (BUILD, FK_MK, FLASHKIT, ROOT, VDFU, VDRIVE, VSTLINK,  # noqa: E402,F401
                       VUART)
SERIAL1 = "0671FF485550755187121723"
SERIAL2 = "0672FF485550755187125544"
DFU_SN = "3574364C3034"


def build():
    if not all(p.exists() for p in (FLASHKIT, VDFU, VDRIVE, VUART, VSTLINK)):
        subprocess.run(["make", "-C", str(ROOT), f"BUILD={BUILD}", "all"], check=True,
                       capture_output=True)


def run(cmd, timeout=120, env=None, **kw):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True,
                          timeout=timeout, env=e, **kw)


def vdfu(*opts):
    """The vdfu prefix: vdfu(...) + ['--', cmd...]."""
    return [VDFU, "run", "--poll-ms", "1", "--detach-delay", "0.05", *opts]


def vdrive(tmp, *opts, two=False):
    a = [VDRIVE, "run", "-q", "--board-flash", "0x08000000:512K", "--layout", "4*16K,1*64K,3*128K",
         "--flash-file", tmp / "drive1.bin", "--flash-file2", tmp / "drive2.bin",
         "--serial", SERIAL1, "--serial2", SERIAL2, "--remount-delay", "0.1"]
    if two:
        a += ["--fault", "two-drives"]
    return a + list(opts)


def listing(prefix, *args, env=None):
    """flashkit list --json under a virtual-board prefix -> list of dicts."""
    r = run([*prefix, "--", FLASHKIT, "list", "--json", *args], env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(r.stdout)


def firmware(size, seed=1, base=0x08000000):
    """A Cortex-M image: SP in RAM, odd reset vector in flash, a body."""
    body = bytes((i * 131 + seed * 7) & 0xFF for i in range(size - 8))
    return struct.pack("<II", 0x20018000, base + 0x1C1) + body


def rc(r):
    """The tool's exit status through make: make itself exits 2 and names the
    recipe's status in 'Error N'."""
    import re
    if r.returncode == 2:
        m = re.findall(r"\] Error (\d+)", r.stderr)
        if m:
            return int(m[-1])
    return r.returncode
