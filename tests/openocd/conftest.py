"""Fixtures for the OpenOCD tests (helpers and fixtures live in stlinkkit.py)."""
from stlinkkit import blinky, built, probe  # noqa: F401
