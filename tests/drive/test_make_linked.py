"""A firmware linked for the wrong address, flashed through make with the ST-LINK drive
(cpy2remed) on nucleo-f401: make converts the ELF to .bin, and the check still knows the
address the ELF was linked for. Refused in one line, nothing reaches the drive."""
from drivekit import _need_namespace, vrun  # noqa: F401 (fixtures)
from drivekit import FLASHKIT, F401_SIZE, linked_elf_project


def build(tmp_path, offset):
    return linked_elf_project(tmp_path, "nucleo-f401", offset, "cpy2remed")


def test_elf_linked_for_0x08004000_is_refused_on_nucleo_f401(vrun, tmp_path):
    proj = build(tmp_path, "0x4000")
    r = vrun("make", "--no-print-directory", "-C", proj, f"FLASHKIT={FLASHKIT}", "flash")
    assert r.returncode == 2 and "Error 65" in r.stderr, r.stdout + r.stderr
    lines = [l for l in r.stderr.splitlines() if l.startswith("flashkit:")]
    assert len(lines) == 1, r.stderr
    assert ("made from fw.elf, which is linked for 0x08004000, but is to be written at "
            "0x08000000") in lines[0]
    assert "link it for 0x08000000" in lines[0] and "IMAGE_OFFSET=0x4000" in lines[0]
    assert (proj / "fw.bin").exists()                # make did convert it...
    assert vrun.flash() == b"\xff" * F401_SIZE       # ...and nothing was written


def test_elf_linked_for_the_board_flashes(vrun, tmp_path):
    proj = build(tmp_path, "0")
    r = vrun("make", "--no-print-directory", "-C", proj, f"FLASHKIT={FLASHKIT}", "flash")
    assert r.returncode == 0, r.stdout + r.stderr
    img = (proj / "fw.bin").read_bytes()
    assert vrun.flash(len(img)) == img
