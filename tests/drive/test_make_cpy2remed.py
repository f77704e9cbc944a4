"""The headline command, `make BOARD=nucleo-f401 PROGRAMMER=cpy2remed flash`,
run unchanged against the virtual ST-LINK drive: the flash must end up
holding the image, and every way the drive can fail must fail the make."""
from drivekit import _need_namespace, blinky, image, vrun  # noqa: F401 (fixtures)
from drivekit import FLASHKIT, ROOT, SERIAL1, SERIAL2, F401_SIZE

MAKE = ["make", "--no-print-directory", "-C", ROOT / "examples" / "blinky",
        "BOARD=nucleo-f401", "PROGRAMMER=cpy2remed", f"FLASHKIT={FLASHKIT}"]


def make_flash(vrun, blinky, *args, **kw):
    return vrun(*MAKE, f"BUILDDIR={blinky}", *args, "flash", **kw)


def test_make_flash_example(vrun, blinky):
    r = make_flash(vrun, blinky)
    assert r.returncode == 0, r.stdout + r.stderr
    image = (blinky / "blinky.bin").read_bytes()
    assert vrun.flash(len(image)) == image
    # The rest of the sector the probe erased is erased.
    assert vrun.flash(16384)[len(image):] == b"\xff" * (16384 - len(image))
    assert "came back without FAIL.TXT" in r.stdout
    assert "programmed FLASHKIT.BIN" in r.stderr


def test_make_flash_hex(vrun, blinky):
    """Probes that take .hex: the plugin hands over the .hex, the probe
    decodes it (its own parser), the flash equals the .bin."""
    r = make_flash(vrun, blinky, "CPY2REMED_FILE_TYPE=hex")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "programmed FLASHKIT.HEX" in r.stderr
    image = (blinky / "blinky.bin").read_bytes()
    assert vrun.flash(len(image)) == image


def test_make_fail_txt(vrun, blinky):
    r = make_flash(vrun, blinky, faults=["fail-next"])
    assert r.returncode != 0
    assert "FAIL.TXT says: error: The interface firmware FAILED to reset/halt the target MCU" in r.stderr
    assert "Error 74" in r.stderr
    assert "came back without FAIL.TXT" not in r.stdout


def test_make_never_remounts_times_out(vrun, blinky):
    r = make_flash(vrun, blinky, "CPY2REMED_TIMEOUT=2", faults=["never-remount"])
    assert r.returncode != 0
    assert "did not come back within 2 s" in r.stderr
    assert "may need a replug" in r.stderr
    assert "Error 75" in r.stderr


def test_make_no_drive(vrun, blinky):
    """The only drive has another board's label."""
    r = make_flash(vrun, blinky, label="NODE_F746ZG")
    assert r.returncode != 0
    assert "no ST-LINK drive labelled NODE_F401RE or NOD_F401RE is mounted" in r.stderr
    assert "NODE_F746ZG at /media/" in r.stderr      # what it found
    assert "udisksctl mount" in r.stderr              # what to try
    assert "Error 69" in r.stderr
    assert vrun.flash() == b"\xff" * F401_SIZE


def test_make_two_drives_refuses(vrun, blinky):
    r = make_flash(vrun, blinky, faults=["two-drives"])
    assert r.returncode != 0
    assert "2 drives labelled NODE_F401RE or NOD_F401RE" in r.stderr
    assert SERIAL1 in r.stderr and SERIAL2 in r.stderr
    assert "SERIAL=" in r.stderr
    assert vrun.flash() == b"\xff" * F401_SIZE
    assert vrun.flash(second=True) == b"\xff" * F401_SIZE


def test_make_serial_picks_the_drive(vrun, blinky):
    r = make_flash(vrun, blinky, f"SERIAL={SERIAL2}", faults=["two-drives"])
    assert r.returncode == 0, r.stdout + r.stderr
    image = (blinky / "blinky.bin").read_bytes()
    assert vrun.flash(len(image), second=True) == image
    assert vrun.flash() == b"\xff" * F401_SIZE     # the other board untouched
    assert f"serial {SERIAL2}" in r.stdout


def test_make_flash_only_file_name_with_spaces(vrun, image, tmp_path):
    d = tmp_path / "my dir"
    d.mkdir()
    path, data = image(5000, name="fw (v1) $x.bin")
    target = d / path.name
    path.rename(target)
    r = vrun("make", "--no-print-directory", "-f", ROOT / "makefiles" / "flashkit.mk",
             "BOARD=nucleo-f401", "PROGRAMMER=cpy2remed", f"FLASHKIT={FLASHKIT}",
             f"FLASHFILE={target}", "flash-only")
    assert r.returncode == 0, r.stdout + r.stderr
    assert vrun.flash(len(data)) == data


def test_make_drive_dir_for_wsl():
    """Under WSL the drive is a Windows drive letter: CPY2REMED_DRIVE hands
    it to flashkit copy --drive, quoted as one word."""
    import subprocess
    r = subprocess.run(["make", "--no-print-directory", "-n", "-f", str(ROOT / "makefiles" / "flashkit.mk"),
                        "BOARD=nucleo-f401", "PROGRAMMER=cpy2remed", f"FLASHKIT={FLASHKIT}",
                        "FLASHFILE=/tmp/fw.bin", "CPY2REMED_DRIVE=/mnt/my d", "flash-only"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert " copy '/tmp/fw.bin' --label NODE_F401RE --label NOD_F401RE --drive '/mnt/my d' " in r.stdout
