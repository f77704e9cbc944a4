"""`flashkit copy` runs the very check `flashkit check` runs (src/check_file.c): a
mislinked .hex or .bin, or a file that is not firmware, given straight to copy is
refused with check's own lines and exit 65, before the drive is looked for, and
nothing reaches the virtual drive."""
import shutil
import subprocess

import pytest

from drivekit import _need_namespace, image, vrun  # noqa: F401 (fixtures)
from drivekit import FLASHKIT, RANGES, F401_SIZE, vector_image

LABELS = ["--label", "NODE_F401RE", "--label", "NOD_F401RE"]


def to_hex(tmp_path, data, at, name="fw.hex"):
    """data as an Intel HEX file at address at, as objcopy writes it."""
    b = tmp_path / (name + ".in")
    b.write_bytes(data)
    h = tmp_path / name
    subprocess.run(["objcopy", "-I", "binary", "-O", "ihex", "--change-addresses", hex(at),
                    str(b), str(h)], check=True)
    return h


def errors(text):
    return [l for l in text.splitlines() if l.startswith("flashkit: ")]


def refused(vrun, path, *args, labels=LABELS):
    """Copy path, then list the drive, in one run inside the namespace. Returns
    (exit code of copy, its flashkit: lines, the drive's listing)."""
    r = vrun("sh", "-c", 'f=$1; shift; "$0" copy "$f" "$@"; echo "rc=$?"; ls -a /media/*/NODE_F401RE',
             FLASHKIT, path, *labels, *args)
    rc = [l for l in r.stdout.splitlines() if l.startswith("rc=")]
    assert rc, r.stdout + r.stderr
    return int(rc[0][3:]), errors(r.stderr), r.stdout


def check(path, *args):
    r = subprocess.run([str(FLASHKIT), "check", str(path), *args], capture_output=True, text=True)
    return r.returncode, errors(r.stderr)


def assert_refused_like_check(vrun, path, copy_args, check_args):
    rc, lines, listing = refused(vrun, path, *copy_args)
    assert (rc, lines) == check(path, *check_args)
    assert rc == 65 and len(lines) == 1, lines
    assert "FLASHKIT" not in listing and "MBED.HTM" in listing   # the drive, untouched
    assert vrun.flash() == b"\xff" * F401_SIZE                   # nothing programmed
    return lines[0]


def test_mislinked_bin_at_the_start_of_flash(vrun, image):
    """A .bin linked for 0x08004000 goes to the start of flash, where the
    probe writes every .bin: its reset vector points past the image."""
    path, _ = image(2000, reset=0x080041C1)
    line = assert_refused_like_check(vrun, path, RANGES,
                                     [*RANGES, "--address", "0x08000000"])
    assert "it looks linked for 0x08004000, not for 0x08000000 where it is written" in line


def test_mislinked_bin_at_the_application_address(vrun, image):
    path, _ = image(2000)                                 # linked for 0x08000000
    args = [*RANGES, "--address", "0x08004000", "--protect", "0x08000000:16K"]
    line = assert_refused_like_check(vrun, path, args, args)
    assert "it looks linked for 0x08000000, not for 0x08004000" in line
    assert "0x08000000-0x08003fff is the bootloader's" in line


def test_mislinked_hex_at_another_address(vrun, tmp_path):
    """A .hex made from a .bin linked for 0x08000000 but placed at 0x08004000:
    the reset vector points outside the image itself."""
    hexfile = to_hex(tmp_path, vector_image(2000), 0x08004000)
    line = assert_refused_like_check(vrun, hexfile, RANGES, RANGES)
    assert "reset vector 0x080001c1" in line and "points outside the image 0x08004000-" in line


def test_hex_linked_for_another_application_address(vrun, tmp_path):
    """A well-formed .hex linked for 0x08000000, to be written at 0x08004000."""
    hexfile = to_hex(tmp_path, vector_image(2000), 0x08000000)
    args = [*RANGES, "--address", "0x08004000"]
    line = assert_refused_like_check(vrun, hexfile, args, args)
    assert "linked for 0x08000000 but to be written at 0x08004000 (the application address)" in line


def test_bin_made_from_an_elf_linked_elsewhere(vrun, tmp_path, image):
    """--elf as in check: the .bin was made from an ELF linked for 0x08004000."""
    path, data = image(2000, reset=0x080001C1)
    if not shutil.which("arm-none-eabi-ld"):
        pytest.skip("arm-none-eabi binutils not installed")
    obj, elf = tmp_path / "fw.o", tmp_path / "fw.elf"
    subprocess.run(["arm-none-eabi-objcopy", "-I", "binary", "-O", "elf32-littlearm",
                    "--rename-section", ".data=.text,alloc,load,contents,code", str(path), str(obj)],
                   check=True)
    subprocess.run(["arm-none-eabi-ld", "-Ttext=0x08004000", "-e", "0x08004000", "-o", str(elf),
                    str(obj)], check=True)
    args = [*RANGES, "--address", "0x08000000", "--elf", str(elf)]
    line = assert_refused_like_check(vrun, path, args, args)
    assert "made from " + str(elf) + ", which is linked for 0x08004000" in line


def test_not_firmware(vrun, tmp_path):
    png = tmp_path / "logo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    line = assert_refused_like_check(vrun, png, RANGES, [*RANGES, "--address", "0x08000000"])
    assert "this is a PNG image, not firmware" in line


@pytest.mark.parametrize("labels", [["--label", "NO_SUCH_DRIVE"], ["--serial", "0000"]])
def test_refused_before_the_drive_is_looked_for(vrun, image, labels):
    """The check comes first: 65, not "no drive" (69)."""
    path, _ = image(2000, reset=0x080041C1)
    rc, lines, _ = refused(vrun, path, *RANGES, labels=labels)
    assert rc == 65 and "looks linked for 0x08004000" in lines[0], lines
    assert vrun.flash() == b"\xff" * F401_SIZE


def test_well_linked_files_still_flash(vrun, image, tmp_path):
    path, data = image(2000, reset=0x080041C1)
    hexfile = to_hex(tmp_path, data, 0x08004000)
    for f in (path, hexfile):
        vrun.flash_file.unlink(missing_ok=True)
        r = vrun(FLASHKIT, "copy", f, *LABELS, *RANGES, "--address", "0x08004000")
        assert r.returncode == 0, r.stderr
        assert vrun.flash(0x4000 + len(data))[0x4000:] == data
