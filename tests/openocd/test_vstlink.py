"""The virtual ST-LINK itself: how it looks on the bus, its options, and the mass erase
of every flash controller family behind it (F4/F7 sectors, L4/G0 pages, H7 banks)."""
import json
import subprocess

import pytest

from stlinkkit import FLASH_BASE, FLASHKIT, VSTLINK, loop_image, out


def test_enumerates_as_an_stlink_v2_1(probe):
    p = probe()
    r = p.run(FLASHKIT, "list", "--json")
    assert r.returncode == 0, out(r)
    probes = [d for d in json.loads(r.stdout) if d.get("kind") == "stlink"]
    assert len(probes) == 1, r.stdout
    assert probes[0]["serial"] == "066DFF343339415043084126"
    assert "0483:374b" in json.dumps(probes[0]).lower()


def test_v3_is_a_high_speed_374e(probe):
    p = probe(v3=True)
    r = p.run("sh", "-c", "cat /sys/bus/usb/devices/1-1/idProduct; echo; cat /sys/bus/usb/devices/1-1/speed")
    assert r.returncode == 0, out(r)
    assert r.stdout.split() == ["374e", "480"]


def test_usage_errors(built):
    for args in (["--fault", "nope", "--", "true"], ["--chip", "stm32x", "--", "true"],
                 ["--firmware", "J37", "--", "true"], ["--bogus", "--", "true"], []):
        r = subprocess.run([str(VSTLINK), *args], capture_output=True, text=True)
        assert r.returncode == 64, (args, r.stderr)


def test_exit_status_is_the_command_s(probe):
    p = probe()
    assert p.run("sh", "-c", "exit 7").returncode == 7


@pytest.mark.parametrize("board", ["nucleo-f767zi", "nucleo-h743zi", "nucleo-l476rg",
                                   "nucleo-g071rb"])
def test_erase_on_every_family(probe, board):
    p = probe(board)
    p.fill({FLASH_BASE: loop_image(2048), FLASH_BASE + 0x10000: b"\x00" * 256})
    r = p.make("erase")
    assert r.returncode == 0, out(r)
    assert p.erased(FLASH_BASE, 0x10000 + 256)
