"""Fixtures for the DFU tests (helpers in dfu_helpers.py)."""
import subprocess

import pytest

from dfu_helpers import BUILD, FLASHKIT, ROOT, VDFU, Board, blinky_builds, clean_env


@pytest.fixture(scope="session")
def built():
    subprocess.run(["make", "-C", str(ROOT), f"BUILD={BUILD}", str(VDFU), str(FLASHKIT)],
                   check=True, capture_output=True, env=clean_env())
    return VDFU


@pytest.fixture
def board(tmp_path, built):
    def _board(family="f4", **opts):
        b = Board(tmp_path, family, **opts)
        b.fill()
        return b
    return _board


@pytest.fixture(scope="session")
def blinky(tmp_path_factory, built):
    """The example firmware built for a board with the plugin (bin, hex, dfu)."""
    return blinky_builds(tmp_path_factory.mktemp("blinky"))
