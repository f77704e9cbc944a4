"""Shared pytest fixtures: where things are, and how to run them."""
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD = Path(os.environ.get("FLASHKIT_BUILD", ROOT / "build")).resolve()
FLASHKIT = BUILD / "bin" / "flashkit"


def run(cmd, check=False, **kw):
    """Run a command, capture text output; never raise on non-zero unless check."""
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 120)
    r = subprocess.run([str(c) for c in cmd], **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"{cmd} exited {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}")
    return r


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def flashkit():
    """Path to the built helper (make builds it before pytest runs)."""
    if not FLASHKIT.exists():
        subprocess.run(["make", "-C", str(ROOT), str(FLASHKIT.relative_to(ROOT))], check=True)
    return FLASHKIT


@pytest.fixture
def fk(flashkit):
    """fk(args...) runs the helper and returns the CompletedProcess."""
    def _run(*args, **kw):
        return run([flashkit, *args], **kw)
    return _run
