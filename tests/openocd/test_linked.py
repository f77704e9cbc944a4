"""An ELF linked for 0x08004000 flashed through make with OpenOCD on nucleo-f401
(application at 0x08000000), and one linked for 0x08000000 on crazyflie2 (application at
0x08004000): make converts the ELF to the programmer's .bin, the check still knows where
the ELF was linked, and the flash is refused in one line before OpenOCD or the wait for
the probe runs. The virtual STM32's flash stays as it was."""
import pytest

from stlinkkit import FLASH_BASE, FLASHKIT, linked_elf_project, out


def project(tmp_path, board, offset):
    return linked_elf_project(tmp_path, board, offset, "openocd")


@pytest.mark.parametrize("board,offset,linked,app", [
    ("nucleo-f401", "0x4000", "0x08004000", "0x08000000"),
    ("crazyflie2", "0", "0x08000000", "0x08004000"),
])
def test_mislinked_elf_is_refused_before_openocd(probe, tmp_path, board, offset, linked, app):
    p = probe(board)
    before = p.read(FLASH_BASE, 0x10000)
    proj = project(tmp_path, board, offset)
    r = p.run("make", "--no-print-directory", "-C", proj, f"FLASHKIT={FLASHKIT}", "flash")
    assert r.returncode == 2 and "Error 65" in r.stderr, out(r)
    lines = [l for l in r.stderr.splitlines() if l.startswith("flashkit:")]
    assert len(lines) == 1, out(r)
    assert (f"made from fw.elf, which is linked for {linked}, but is to be written at {app}"
            in lines[0]), out(r)
    assert f"link it for {app}" in lines[0]
    assert "openocd" not in r.stdout.lower(), out(r)           # neither WAIT nor FLASH ran
    assert p.read(FLASH_BASE, 0x10000) == before


def test_elf_linked_for_the_board_flashes_through_the_same_path(probe, tmp_path):
    p = probe("nucleo-f401")
    proj = project(tmp_path, "nucleo-f401", "0")
    r = p.run("make", "--no-print-directory", "-C", proj, f"FLASHKIT={FLASHKIT}", "flash")
    assert r.returncode == 0, out(r)
    img = (proj / "fw.bin").read_bytes()
    assert p.read(FLASH_BASE, len(img)) == img
