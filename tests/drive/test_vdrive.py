"""The virtual ST-LINK drive itself, driven with plain cp the way a user
drags a file: it must behave like the probe, or the flashkit tests above
prove nothing."""
import subprocess

from drivekit import _need_namespace, blinky, image, vrun  # noqa: F401 (fixtures)
from drivekit import F401_SIZE, vector_image

WAIT = "for i in $(seq 100); do [ -e /media/$U/NODE_F401RE/MBED.HTM ] && break; sleep 0.05; done"


def cp_and_look(vrun, src, name):
    """cp src onto the drive, wait until it has gone and come back, list it."""
    script = ('U=$(ls /media); cp "$0" "/media/$U/NODE_F401RE/$1"; sleep 0.3; ' + WAIT +
              '; ls /media/$U/NODE_F401RE; cat /media/$U/NODE_F401RE/FAIL.TXT 2>/dev/null; true')
    return vrun("sh", "-c", script, src, name)


def test_looks_like_a_drive(vrun):
    r = vrun("sh", "-c", "ls /media/*/NODE_F401RE; cat /media/*/NODE_F401RE/DETAILS.TXT; "
             "grep NODE_F401RE /proc/self/mountinfo; ls /dev/disk/by-id /dev/disk/by-label")
    assert r.returncode == 0, r.stderr
    assert "MBED.HTM" in r.stdout and "DETAILS.TXT" in r.stdout
    assert "Remount count: 0" in r.stdout
    assert " - tmpfs /dev/sdb " in r.stdout
    assert "usb-MBED_microcontroller_0671FF485550755187121723-0:0" in r.stdout


def test_host_untouched(vrun):
    """The drive and the rebuilt /dev exist only inside the namespace."""
    r = vrun("grep", "-c", "NODE_F401RE", "/proc/self/mountinfo")
    assert r.stdout.strip() == "1"
    host = open("/proc/self/mountinfo").read()
    assert "NODE_F401RE" not in host and "vdrive-" not in host


def test_programs_bin_and_remounts_without_it(vrun, tmp_path):
    data = vector_image(70000)
    src = tmp_path / "a.bin"
    src.write_bytes(data)
    r = cp_and_look(vrun, src, "a.bin")
    assert "a.bin" not in r.stdout and "MBED.HTM" in r.stdout
    assert vrun.flash(len(data)) == data


def test_bad_hex_checksum(vrun, tmp_path):
    src = tmp_path / "bad.hex"
    src.write_text(":020000040800F2\n:04000000DEADBEEFB5\n:00000001FF\n")
    r = cp_and_look(vrun, src, "bad.hex")
    assert "error: The hex file cannot be decoded. Checksum calculation failure occurred." in r.stdout
    assert "type: user" in r.stdout
    assert vrun.flash() == b"\xff" * F401_SIZE


def test_hex_outside_flash(vrun, tmp_path):
    src = tmp_path / "far.hex"
    src.write_text(":020000040900F1\n:0400000001020304F2\n:00000001FF\n")
    r = cp_and_look(vrun, src, "far.hex")
    assert "The hex file you dropped isn't compatible with this mode or device" in r.stdout


def test_bin_too_large(vrun, tmp_path):
    src = tmp_path / "big.bin"
    src.write_bytes(b"\0" * (F401_SIZE + 4))
    r = cp_and_look(vrun, src, "big.bin")
    assert "error: Possible mismatch between file size and size programmed" in r.stdout
    assert "type: transient" in r.stdout
    assert vrun.flash() == b"\xff" * F401_SIZE


def test_other_files_ignored(vrun, tmp_path):
    src = tmp_path / "notes.txt"
    src.write_text("hello")
    r = vrun("sh", "-c", 'cp "$0" /media/*/NODE_F401RE/; sleep 0.4; ls /media/*/NODE_F401RE', src)
    assert "notes.txt" in r.stdout


def test_exit_status_is_the_commands(vrun):
    assert vrun("sh", "-c", "exit 7").returncode == 7
    assert vrun("/nonexistent-command").returncode == 127


def test_usage():
    from drivekit import VDRIVE
    r = subprocess.run([str(VDRIVE), "run", "--fault", "bogus", "--flash-file", "/tmp/x", "--", "true"],
                       capture_output=True, text=True)
    assert r.returncode == 64 and "unknown fault" in r.stderr
    r = subprocess.run([str(VDRIVE), "run", "--", "true"], capture_output=True, text=True)
    assert r.returncode == 64 and "--flash-file" in r.stderr


def test_without_root(tmp_path, image):
    """unshare -Urm style: the drive works for an ordinary user where user
    namespaces are allowed (run as nobody when the tests run as root)."""
    import os
    import shutil
    import tempfile
    from drivekit import FLASHKIT, VDRIVE, RANGES
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        import pytest
        pytest.skip("needs root to become another user")
    d = tempfile.mkdtemp(prefix="fk-nobody-")
    try:
        os.chmod(d, 0o777)
        fk, vd = os.path.join(d, "flashkit"), os.path.join(d, "vdrive")
        shutil.copy(FLASHKIT, fk)
        shutil.copy(VDRIVE, vd)
        path, data = image()
        fw = os.path.join(d, "fw.bin")
        shutil.copy(path, fw)
        os.chmod(fw, 0o644)
        flash = os.path.join(d, "flash.bin")
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                            "env", "USER=nobody", vd, "run", "--flash-file", flash, "--",
                            fk, "copy", fw, "--label", "NODE_F401RE", *RANGES],
                           capture_output=True, text=True, timeout=60)
        if r.returncode == 69 and "user namespace" in r.stderr:
            import pytest
            pytest.skip("unprivileged user namespaces are off here")
        assert r.returncode == 0, r.stderr
        assert "/media/nobody/NODE_F401RE" in r.stdout
        assert open(flash, "rb").read(len(data)) == data
        assert os.stat(flash).st_uid == 65534
    finally:
        shutil.rmtree(d)
