"""Two DFU cases from the field, with the real dfu-util against the virtual bootloader:
- a board that starts its application before it answers the last GET_STATUS after
  :leave (dfu-util: "Error during download get_status", exit 74): written, and the
  bootloader left the bus, so make reports success;
- an ELF linked for 0x08000000 flashed to a Crazyflie (application at 0x08004000)
  through make's .elf -> .bin conversion: refused before the wait, nothing written."""
import subprocess

from dfu_helpers import FLASH_BASE, FLASHKIT, app_image, linked_elf_project, out

APP = 0x08004000


def test_raw_dfu_util_calls_the_good_flash_failed(board, tmp_path):
    """What the fault models: dfu-util alone reports the leave step as an error."""
    img = app_image(4096, FLASH_BASE)
    (tmp_path / "fw.bin").write_bytes(img)
    b = board("f4", fault="leave-no-status")
    r = b.run("dfu-util", "-d", "0483:df11", "-a", "0", "-s", "0x08000000:leave", "-D",
              tmp_path / "fw.bin")
    assert r.returncode == 74, out(r)
    assert "Error during download get_status" in out(r)
    assert b.read(FLASH_BASE, len(img)) == img
    assert "fault leave-no-status" in b.events
    assert "application started" in b.events


def test_leave_without_status_is_a_good_flash_bin(board, tmp_path):
    img = app_image(8192, FLASH_BASE)
    (tmp_path / "fw.bin").write_bytes(img)
    b = board("f4", fault="leave-no-status")
    r = b.make("odrive-v3", "PROGRAMMER=dfu", f"FLASHFILE={tmp_path / 'fw.bin'}", "flash-only")
    assert r.returncode == 0, out(r)
    assert "written; the board left DFU and started" in out(r)
    assert b.read(FLASH_BASE, len(img)) == img
    assert "application started" in b.events


def test_leave_without_status_is_a_good_flash_dfuse(board, tmp_path):
    img = app_image(8192, FLASH_BASE)
    (tmp_path / "fw.bin").write_bytes(img)
    subprocess.run([FLASHKIT, "dfu", tmp_path / "fw.bin", "--address", hex(FLASH_BASE),
                    "-o", tmp_path / "fw.dfu"], check=True)
    b = board("f4", fault="leave-no-status")
    r = b.make("odrive-v3", "PROGRAMMER=dfu", f"FLASHFILE={tmp_path / 'fw.dfu'}", "V=1",
               "flash-only")
    assert r.returncode == 0, out(r)
    assert "Error during download get_status" in out(r)          # V=1 shows dfu-util
    assert "written; the board left DFU and started" in out(r)
    assert b.read(FLASH_BASE, len(img)) == img


def test_leave_that_fails_and_stays_is_still_reported(board, tmp_path):
    """The bootloader ignores :leave (no-leave): still the :leave message, exit != 0."""
    img = app_image(4096, FLASH_BASE)
    (tmp_path / "fw.bin").write_bytes(img)
    b = board("f4", fault="no-leave")
    r = b.make("odrive-v3", "PROGRAMMER=dfu", f"FLASHFILE={tmp_path / 'fw.bin'}",
               "DFU_LEAVE_WAIT=1", "flash-only")
    assert r.returncode != 0
    assert "still in its DFU bootloader" in out(r)
    assert "written; the board left" not in out(r)


def test_mislinked_elf_on_crazyflie_is_refused_before_anything(board, tmp_path):
    proj = linked_elf_project(tmp_path, "crazyflie2", "0")
    b = board("f4")
    before = b.read(FLASH_BASE, 0x10000)
    for target in ("flash", "flash_dfu_manual"):
        r = b.run("make", "--no-print-directory", "-C", proj, f"FLASHKIT={FLASHKIT}",
                  "DFU_WAIT=4", target)
        assert r.returncode == 2 and "Error 65" in out(r), out(r)
        lines = [l for l in r.stderr.splitlines() if l.startswith("flashkit:")]
        # make converts fw.elf to the programmer's type (fw.dfu or fw.bin) first
        assert len(lines) == 1 and lines[0].startswith("flashkit: fw."), out(r)
        assert lines[0].endswith(
            ": made from fw.elf, which is linked for 0x08000000, but is to be "
            "written at 0x08004000 (the application address): link it for 0x08004000 (the FLASH "
            "origin in its linker script); 0x08000000-0x08003fff is the bootloader's"), out(r)
        assert "WAIT" not in out(r) and "hold the power button" not in out(r)
    assert b.read(FLASH_BASE, 0x10000) == before
    assert "erase" not in b.events and "leave" not in b.events
