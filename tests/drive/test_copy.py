"""`flashkit copy` against the virtual ST-LINK drive: conversion, the check
before copying, completion detection, every failure with its exit code and
one line that says what to do, and the safety rules for where it writes."""
import subprocess
import threading
import time

from drivekit import _need_namespace, blinky, image, vrun  # noqa: F401 (fixtures)
from drivekit import FLASHKIT, RANGES, SERIAL1, SERIAL2, F401_SIZE, crc

LABELS = ["--label", "NODE_F401RE", "--label", "NOD_F401RE"]


def copy(vrun, path, *args, **kw):
    return vrun(FLASHKIT, "copy", path, *LABELS, *RANGES, *args, **kw)


def errors(r):
    return [l for l in r.stderr.splitlines() if l.startswith("flashkit: ")]


def test_bin(vrun, image):
    path, data = image(40000)
    r = copy(vrun, path)
    assert r.returncode == 0, r.stderr
    assert vrun.flash(len(data)) == data
    assert f"CRC32 0x{crc(data):08x}" in r.stdout
    # It said what it waited for, and that the drive left.
    assert "waiting for the probe to take the file" in r.stdout
    assert "disconnected" in r.stdout


def test_bin_as_hex_and_hex_as_bin(vrun, image, tmp_path):
    path, data = image(3000)
    r = copy(vrun, path, "--as", "hex")
    assert r.returncode == 0, r.stderr
    assert "converted to hex" in r.stdout and "programmed FLASHKIT.HEX" in r.stderr
    assert vrun.flash(len(data)) == data
    hexfile = tmp_path / "fw.hex"
    subprocess.run(["objcopy", "-I", "binary", "-O", "ihex", "--change-addresses",
                    "0x08000000", str(path), str(hexfile)], check=True)
    path.write_bytes(b"\0" * len(data))  # the flash must come from the hex
    r = copy(vrun, hexfile, "--as", "bin")
    assert r.returncode == 0, r.stderr
    assert "converted to bin" in r.stdout and "programmed FLASHKIT.BIN" in r.stderr
    assert vrun.flash(len(data)) == data
    r = copy(vrun, hexfile)                    # a .hex stays a .hex, byte for byte
    assert r.returncode == 0, r.stderr
    assert "programmed FLASHKIT.HEX" in r.stderr and "converted" not in r.stdout


def test_image_not_at_flash_start_goes_as_hex(vrun, tmp_path, image):
    path, data = image(2000, reset=0x080041C1)   # linked for 0x08004000
    r = vrun(FLASHKIT, "copy", path, *LABELS, *RANGES, "--address", "0x08004000",
             "--protect", "0x08000000:16K")
    assert r.returncode == 0, r.stderr
    assert "converted to hex" in r.stdout
    assert vrun.flash(0x4000 + len(data))[0x4000:] == data
    r = vrun(FLASHKIT, "copy", path, *LABELS, *RANGES, "--address", "0x08004000", "--as", "bin")
    assert r.returncode == 65
    assert "use --as hex" in errors(r)[0]


def test_failed_check_copies_nothing(vrun, image):
    path, _ = image(64, sp=0xFFFFFFFF, reset=0xFFFFFFFF)
    r = vrun("sh", "-c", '"$0" copy "$1" --label NODE_F401RE --flash 0x08000000:512K '
             '--ram 0x20000000:96K; echo "rc=$?"; ls /media/*/NODE_F401RE', FLASHKIT, path)
    assert "rc=65" in r.stdout
    # check's own line (test_copy_check.py compares them), nothing more
    (line,) = errors(r)
    assert line.startswith(f"flashkit: {path}: this does not look like firmware")
    assert "FLASHKIT" not in r.stdout           # nothing on the drive
    assert vrun.flash() == b"\xff" * F401_SIZE


def test_bad_hex_is_refused_before_the_drive(vrun, tmp_path):
    bad = tmp_path / "bad.hex"
    bad.write_text(":020000040800F2\n:04000000DEADBEEFB5\n:00000001FF\n")
    r = copy(vrun, bad)
    assert r.returncode == 65
    assert "bad.hex" in errors(r)[0]
    assert vrun.flash() == b"\xff" * F401_SIZE


def test_fail_txt(vrun, image):
    path, _ = image()
    r = copy(vrun, path, faults=["fail-next"])
    assert r.returncode == 74
    assert errors(r) == ["flashkit: NODE_F401RE: programming FAILED, the probe's FAIL.TXT says: "
                         "error: The interface firmware FAILED to reset/halt the target MCU; type: target"]
    assert "came back without FAIL.TXT" not in r.stdout


def test_never_remounts(vrun, image):
    path, _ = image()
    r = copy(vrun, path, "--timeout", "2", faults=["never-remount"])
    assert r.returncode == 75
    (line,) = errors(r)
    assert "disconnected (the probe took the file) but did not come back within" in line
    assert "still be programming" in line and "replug" in line


def test_slow_remount_within_timeout(vrun, image):
    path, data = image()
    r = copy(vrun, path, faults=["slow-remount"], extra=["--slow-delay", "1.5"])
    assert r.returncode == 0, r.stderr
    assert vrun.flash(len(data)) == data


def test_slow_remount_past_timeout(vrun, image):
    path, _ = image()
    r = copy(vrun, path, "--timeout", "0.5", faults=["slow-remount"], extra=["--slow-delay", "3"])
    assert r.returncode == 75


def test_enumerated_but_not_mounted(vrun, image):
    path, _ = image()
    r = copy(vrun, path, "--mount-grace", "0.5", faults=["no-automount"])
    assert r.returncode == 69
    (line,) = errors(r)
    assert "came back as /dev/sdb but nothing mounted it" in line
    assert "udisksctl mount -b /dev/sdb" in line
    assert "result is unknown" in line


def test_drive_full(vrun, image):
    path, _ = image(20000)
    r = copy(vrun, path, faults=["full"])
    assert r.returncode == 74
    (line,) = errors(r)
    assert "No space left on device" in line and "replug" in line


def test_no_drive_at_all(vrun, image):
    path, _ = image()
    r = vrun("sh", "-c", 'umount /media/*/NODE_F401RE; rm /dev/disk/by-label/*; "$@"',
             "sh", FLASHKIT, "copy", path, *LABELS, *RANGES)
    assert r.returncode == 69
    (line,) = errors(r)
    assert "no ST-LINK drive labelled NODE_F401RE or NOD_F401RE is mounted" in line
    assert "found no USB drives" in line
    assert "plugged in" in line and "udisksctl mount" in line


def test_plugged_in_but_not_mounted(vrun, image):
    path, _ = image()
    r = vrun("sh", "-c", 'umount /media/*/NODE_F401RE; "$@"', "sh", FLASHKIT, "copy", path,
             *LABELS, *RANGES)
    assert r.returncode == 69
    assert "plugged in as /dev/sdb but not mounted" in errors(r)[0]
    assert "udisksctl mount -b /dev/sdb" in errors(r)[0]


def test_two_drives_and_serial(vrun, image):
    path, data = image()
    r = copy(vrun, path, faults=["two-drives"])
    assert r.returncode == 69
    (line,) = errors(r)
    assert f"/media/" in line and SERIAL1 in line and SERIAL2 in line and "--serial" in line
    r = copy(vrun, path, "--serial", SERIAL1, faults=["two-drives"])
    assert r.returncode == 0, r.stderr
    assert vrun.flash(len(data)) == data
    assert vrun.flash(second=True) == b"\xff" * F401_SIZE
    r = copy(vrun, path, "--serial", "DEADBEEF", faults=["two-drives"])
    assert r.returncode == 69
    assert "with serial DEADBEEF" in errors(r)[0]


def test_serial_without_label(vrun, image):
    path, data = image()
    r = vrun(FLASHKIT, "copy", path, "--serial", SERIAL1.lower(), *RANGES)
    assert r.returncode == 0, r.stderr
    assert vrun.flash(len(data)) == data


def test_label_with_space_and_mount_anywhere(vrun, image):
    """A label with a space (\\040 in the mount table), and a drive mounted
    at /mnt/LABEL: found wherever the mount table says."""
    path, data = image()
    r = vrun(FLASHKIT, "copy", path, "--label", "MY DRIVE", *RANGES, label="MY DRIVE")
    assert r.returncode == 0, r.stderr
    assert vrun.flash(len(data)) == data
    r = vrun(FLASHKIT, "copy", path, "--label", "NODE_F401RE", *RANGES, extra=["--mount-base", "/mnt"])
    assert r.returncode == 0, r.stderr
    assert "-> /mnt/NODE_F401RE/FLASHKIT.BIN" in r.stdout


def test_no_symlink_following(vrun, image, tmp_path):
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    path, data = image()
    r = vrun("sh", "-c", 'ln -s "$1" "$(echo /media/*/NODE_F401RE)/FLASHKIT.BIN" && "$0" copy "$2" '
             '--label NODE_F401RE --flash 0x08000000:512K', FLASHKIT, victim, path)
    assert r.returncode == 0, r.stderr
    assert victim.read_bytes() == b"precious"
    assert vrun.flash(len(data)) == data
    # --drive through a symlink: realpath gives the mount point itself.
    r = vrun("sh", "-c", 'ln -s /media/*/NODE_F401RE /tmp/fk-link && "$0" copy "$1" --drive /tmp/fk-link/ '
             '--flash 0x08000000:512K; rc=$?; rm -f /tmp/fk-link; exit $rc', FLASHKIT, path)
    assert r.returncode == 0, r.stderr


def test_labels_are_not_paths(fk, image):
    path, _ = image()
    r = fk("copy", path, "--label", "../../etc")
    assert r.returncode == 64
    r = fk("copy", path, "--serial", "a/b")
    assert r.returncode == 64


def test_usage(fk, image):
    path, _ = image()
    assert fk("copy", path).returncode == 64
    assert fk("copy", "--label", "X").returncode == 64
    assert fk("copy", path, "--label", "X", "--timeout", "-1").returncode == 64
    assert fk("copy", path, "--label", "X", "--as", "srec").returncode == 64
    assert fk("copy", "/nonexistent.bin", "--label", "X").returncode == 66
    r = fk("copy", "--help")
    assert r.returncode == 0 and "--serial" in r.stdout and "FAIL.TXT" in r.stdout


def test_drive_dir_refuses_plain_directory(fk, image, tmp_path):
    path, _ = image()
    r = fk("copy", path, "--drive", tmp_path)
    assert r.returncode == 69
    assert "not an ST-LINK/DAPLink drive" in r.stderr
    assert list(tmp_path.iterdir()) == [path]


def fake_windows_drive(d, fail=None, delay=0.3):
    """A drive letter under WSL: a plain directory whose contents the
    Windows side replaces when the probe re-enumerates."""
    def probe():
        for _ in range(200):
            f = d / "FLASHKIT.BIN"
            if f.exists():
                time.sleep(delay)
                f.unlink()
                if fail:
                    (d / "FAIL.TXT").write_text(fail)
                return
            time.sleep(0.05)
    t = threading.Thread(target=probe)
    t.start()
    return t


def test_drive_dir_gentle_poll(fk, image, tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "MBED.HTM").write_text("x")
    path, data = image()
    t = fake_windows_drive(d)
    r = fk("copy", path, "--drive", d, "--flash", "0x08000000:512K", "--timeout", "10")
    t.join()
    assert r.returncode == 0, r.stderr
    t = fake_windows_drive(d, fail="error: Flash algorithm write command FAILURE\r\ntype: target\r\n")
    r = fk("copy", path, "--drive", d, "--flash", "0x08000000:512K", "--timeout", "10")
    t.join()
    assert r.returncode == 74
    assert "Flash algorithm write command FAILURE" in r.stderr
    (d / "FAIL.TXT").unlink()
    r = fk("copy", path, "--drive", d, "--flash", "0x08000000:512K", "--timeout", "0.5")
    assert r.returncode == 75
    assert "did not disconnect" in r.stderr


def test_progress(vrun, image):
    path, data = image(300000)
    r = copy(vrun, path, "--progress")
    assert r.returncode == 0, r.stderr
    assert "100%" in r.stderr
    assert vrun.flash(len(data)) == data


def test_leftovers_replaced(fk, image, tmp_path):
    """A copy the probe never took (FLASHKIT.HEX on old firmware) does not
    pile up: the next copy removes it, and replaces its own name."""
    d = tmp_path / "d"
    d.mkdir()
    (d / "DETAILS.TXT").write_text("x")
    (d / "FLASHKIT.HEX").write_text("stale")
    (d / "FLASHKIT.BIN").write_text("stale")
    path, data = image()
    seen = {}

    def probe():
        for _ in range(200):
            f = d / "FLASHKIT.BIN"
            if f.exists() and f.stat().st_size == len(data):
                seen["bin"] = f.read_bytes()
                seen["hex_left"] = (d / "FLASHKIT.HEX").exists()
                f.unlink()
                return
            time.sleep(0.02)
    t = threading.Thread(target=probe)
    t.start()
    r = fk("copy", path, "--drive", d, "--flash", "0x08000000:512K", "--timeout", "10")
    t.join()
    assert r.returncode == 0, r.stderr
    assert seen == {"bin": data, "hex_left": False}


def test_elf_and_dfu_inputs(vrun, blinky):
    """Whatever the build made, the probe gets a .bin of the same bytes."""
    image = (blinky / "blinky.bin").read_bytes()
    for name in ("blinky.elf", "blinky.dfu"):
        vrun.flash_file.unlink(missing_ok=True)
        r = copy(vrun, blinky / name)
        assert r.returncode == 0, r.stderr
        assert "converted to bin" in r.stdout
        assert vrun.flash(len(image)) == image


def test_old_firmware_ignores_hex(vrun, image):
    """Old ST-LINK firmware leaves a .hex on the drive and does nothing: the
    timeout says so and names the fix; as .bin it works."""
    path, data = image()
    r = copy(vrun, path, "--as", "hex", "--timeout", "1", faults=["old-firmware"])
    assert r.returncode == 75
    (line,) = errors(r)
    assert "did not disconnect" in line and "FLASHKIT.HEX" in line
    assert "old ST-LINK firmware cannot take .hex: use --as bin (make: CPY2REMED_FILE_TYPE=bin)" in line
    r = copy(vrun, path, faults=["old-firmware"])
    assert r.returncode == 0, r.stderr
    assert vrun.flash(len(data)) == data
