"""Helpers for the tests of running what was flashed (issue 13): the board's data
from its board file, blinky built per board, the virtual boards' programs with
--run, and the verdict line in their output. Imported by name (not a conftest)."""
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("FLASHKIT_BUILD", ROOT / "build")).resolve()
FLASHKIT = BUILD / "bin" / "flashkit"
VBOARD = BUILD / "vboard"
BOARDS = sorted(p.stem for p in (ROOT / "boards").glob("*.mk"))
VERDICT = re.compile(r"^  RUN     (\S+) \(virtual, (\d+) ms\): (.*)$", re.M)


def run(cmd, timeout=180, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    return subprocess.run([str(c) for c in cmd], timeout=timeout, **kw)


def out(r):
    return f"exit {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}"


def board_vars(board, *names, virtual=False):
    """Variables of a board file as make sees them."""
    r = run(["make", "--no-print-directory", "-f", ROOT / "makefiles" / "flashkit.mk",
             f"BOARD={board}", *(["VIRTUAL=1"] if virtual else []),
             "FK_PRINT=" + " ".join(names), "_fk-vars"])
    assert r.returncode == 0, out(r)
    return dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)


def spec(board, **over):
    """The --run SPEC virtual.mk writes for this board, with keys replaced."""
    s = board_vars(board, "VBOARD_RUN", virtual=True)["VBOARD_RUN"]
    kv = dict(item.split("=", 1) for item in s.split(","))
    kv.update({k: str(v) for k, v in over.items()})
    return ",".join(f"{k}={v}" for k, v in kv.items())


def verdict(r):
    """(board, ms, verdict) of the RUN line, or None."""
    m = VERDICT.search(r.stdout)
    return m.groups() if m else None


def need_tools():
    missing = [p for p in (FLASHKIT, VBOARD / "vdfu", VBOARD / "vdrive", VBOARD / "vuart")
               if not p.exists()]
    if missing:
        r = run(["make", "-C", ROOT, f"BUILD={BUILD}", "all"], timeout=900)
        assert r.returncode == 0, out(r)


def need_namespace(tmp):
    """vdrive needs a private mount namespace (root or user namespaces)."""
    r = run([VBOARD / "vdrive", "run", "-q", "--flash-file", tmp / "ns-probe", "--", "true"])
    if r.returncode == 69 and os.geteuid() != 0:
        pytest.skip("no private mount namespace here: " + r.stderr.strip())
    assert r.returncode == 0, out(r)


def blinky(board, outdir, *make_vars):
    """examples/blinky built for board into outdir (blinky.elf, .bin, .hex, .dfu)."""
    r = run(["make", "--no-print-directory", "-C", ROOT / "examples" / "blinky", f"BOARD={board}",
             f"BUILDDIR={outdir}", f"FLASHKIT={FLASHKIT}", *make_vars, "all"])
    assert r.returncode == 0, out(r)
    return Path(outdir)
