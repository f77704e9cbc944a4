"""The virtual STM32 ROM DFU bootloader against the real dfu-util, called directly."""
import shutil
import subprocess
import tempfile
from pathlib import Path

from dfu_helpers import FLASH_BASE, FLASHKIT, app_image, out

APP = 0x08004000


def test_list_shows_rom_bootloader_and_cleans_up(board):
    # vdfu's testbed goes under its own TMPDIR: other runs (other worktrees, CI)
    # make and remove /tmp/umockdev.* at the same time, so only this one is looked at.
    # Short, under /tmp, not tmp_path: umockdev's ioctl socket
    # TMPDIR/umockdev.XXXXXX/ioctl/dev/bus/usb/001/002 must fit a socket path
    # (108 bytes); under pytest's long tmp_path dfu-util cannot read the strings.
    tmp = Path(tempfile.mkdtemp(prefix="fk-vdfu.", dir="/tmp"))
    try:
        b = board()
        r = b.run('dfu-util -l && echo "testbed=$UMOCKDEV_DIR"', env={"TMPDIR": str(tmp)})
        assert r.returncode == 0, out(r)
        assert "Found DFU: [0483:df11]" in r.stdout
        assert 'name="@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg"' in r.stdout
        assert 'name="@Option Bytes  /0x1FFFC000/01*016 e"' in r.stdout
        assert 'serial="3574364C3034"' in r.stdout
        testbed = Path(r.stdout.split("testbed=")[1].split()[0])
        assert testbed.parent == tmp and testbed.name.startswith("umockdev.")  # it was ours...
        assert not testbed.exists() and list(tmp.iterdir()) == []            # ...and it is gone
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_download_erases_writes_and_leaves(board, tmp_path):
    b = board()
    img = app_image(40000, APP)
    (tmp_path / "app.bin").write_bytes(img)
    r = b.run("dfu-util", "-d", "0483:df11", "-a", "0", "-s", f"0x{APP:08x}:leave",
              "-D", tmp_path / "app.bin")
    assert r.returncode == 0, out(r)
    assert "Device returned transfer size 2048" in r.stdout
    assert b.read(APP, len(img)) == img
    assert b.read(FLASH_BASE, 0x4000) == b"\xff" * 0x4000
    for s in ("erase 0x08004000", "erase 0x08008000", "erase 0x0800c000"):
        assert s in b.events
    assert "erase 0x08000000" not in b.events


def test_upload_reads_back_the_flash(board, tmp_path):
    b = board()
    img = app_image(10000, APP, seed=3)
    b.fill({APP: img})
    r = b.run("dfu-util", "-d", "0483:df11", "-a", "0", "-s", f"0x{APP:08x}:{len(img)}",
              "-U", tmp_path / "up.bin")
    assert r.returncode == 0, out(r)
    assert (tmp_path / "up.bin").read_bytes() == img


def test_option_bytes_alt_is_readable(board, tmp_path):
    b = board()
    r = b.run("dfu-util", "-d", "0483:df11", "-a", "1", "-s", "0x1FFFC000:16",
              "-U", tmp_path / "opt.bin")
    assert r.returncode == 0, out(r)
    assert len((tmp_path / "opt.bin").read_bytes()) == 16


def test_our_dfuse_file_with_two_elements_no_s(board, tmp_path):
    """flashkit dfu writes the file; dfu-util's own parser flashes it (no -s)."""
    b = board()
    a, c = app_image(3000, APP, seed=5), bytes(range(256)) * 20
    (tmp_path / "a.bin").write_bytes(a)
    (tmp_path / "c.bin").write_bytes(c)
    subprocess.run(["srec_cat", tmp_path / "a.bin", "-binary", "-offset", str(APP),
                    tmp_path / "c.bin", "-binary", "-offset", "0x08020000",
                    "-o", tmp_path / "two.hex", "-intel"], check=True)
    r = subprocess.run([FLASHKIT, "dfu", tmp_path / "two.hex", "-o", tmp_path / "two.dfu"],
                       capture_output=True, text=True)
    assert r.returncode == 0, out(r)
    r = b.run("dfu-util", "-d", "0483:df11", "-a", "0", "-D", tmp_path / "two.dfu")
    assert r.returncode == 0, out(r)
    assert "Invalid DFU suffix" not in out(r)
    assert "(2 elements" in r.stdout
    assert b.read(APP, len(a)) == a
    assert b.read(0x08020000, len(c)) == c


def test_dfuse_file_refused_with_address(board, tmp_path):
    b = board()
    (tmp_path / "a.bin").write_bytes(app_image(1000, APP))
    subprocess.run([FLASHKIT, "dfu", tmp_path / "a.bin", "--address", hex(APP),
                    "-o", tmp_path / "a.dfu"], check=True)
    r = b.run("dfu-util", "-d", "0483:df11", "-a", "0", "-s", hex(APP), "-D", tmp_path / "a.dfu")
    assert r.returncode != 0
    assert "DfuSe file" in out(r)


def test_f7_dual_bank_page_erase_misses_sectors_mass_erase_cures(board, tmp_path):
    """Flash behaves like flash: on the dual-bank F7 the ROM's page erase hits the
    wrong sector, so the old contents shine through unless a mass erase ran first."""
    b = board("f7")
    old = bytes([0x5A]) * 0x10000
    new = app_image(48 * 1024, FLASH_BASE, seed=7)
    (tmp_path / "new.bin").write_bytes(new)
    b.fill({FLASH_BASE: old})
    r = b.run("dfu-util", "-d", "0483:df11", "-a", "0", "-s", "0x08000000", "-D", tmp_path / "new.bin")
    assert r.returncode == 0, out(r)
    assert b.read(FLASH_BASE, len(new)) != new  # page erase alone: wrong contents
    b.fill({FLASH_BASE: old})
    r = b.run(f"dfu-util -d 0483:df11 -a 0 -s 0x08000000:mass-erase:force && "
              f"dfu-util -d 0483:df11 -a 0 -s 0x08000000 -D {tmp_path / 'new.bin'}")
    assert r.returncode == 0, out(r)
    assert b.read(FLASH_BASE, len(new)) == new
    assert "mass-erase" in b.events


def test_bad_address_is_err_address(board, tmp_path):
    b = board()
    (tmp_path / "a.bin").write_bytes(app_image(1000, APP))
    r = b.run("dfu-util", "-d", "0483:df11", "-a", "0", "-s", "0x08200000:force",
              "-D", tmp_path / "a.bin")
    assert r.returncode != 0
    assert "SET_ADDRESS not correctly executed" in out(r)
    # The next session finds the bootloader in dfuERROR/errADDRESS and clears it.
    r = b.run(f"dfu-util -d 0483:df11 -a 0 -s 0x08200000:force -D {tmp_path / 'a.bin'}; "
              f"dfu-util -d 0483:df11 -a 0 -s 0x08004000:16 -U {tmp_path / 'up.bin'}")
    assert r.returncode == 0, out(r)
    assert "state(10) = dfuERROR, status(8)" in r.stdout
    assert "address that is out of range" in r.stdout and "Clearing status" in r.stdout


def test_stall_mid_download(board, tmp_path):
    b = board(fault="stall=10000")
    (tmp_path / "a.bin").write_bytes(app_image(40000, APP))
    r = b.run("dfu-util", "-d", "0483:df11", "-a", "0", "-s", hex(APP), "-D", tmp_path / "a.bin")
    assert r.returncode != 0
    assert "LIBUSB_ERROR_PIPE" in out(r)


def test_disconnect_mid_download(board, tmp_path):
    b = board(fault="disconnect=10000")
    (tmp_path / "a.bin").write_bytes(app_image(40000, APP))
    r = b.run("dfu-util", "-d", "0483:df11", "-a", "0", "-s", hex(APP), "-D", tmp_path / "a.bin")
    assert r.returncode != 0
    assert "LIBUSB_ERROR_NO_DEVICE" in out(r)
    assert "unplug 0483:df11" in b.events


def test_read_protection_refuses_then_unprotect_erases(board, tmp_path):
    b = board(fault="rdp")
    b.fill({APP: b"secret" * 100})
    r = b.run("dfu-util", "-d", "0483:df11", "-a", "0", "-s", f"0x{APP:08x}:600",
              "-U", tmp_path / "up.bin")
    assert r.returncode != 0
    (tmp_path / "a.bin").write_bytes(app_image(1000, APP))
    r = b.run("dfu-util", "-d", "0483:df11", "-a", "0", "-s", hex(APP), "-D", tmp_path / "a.bin")
    assert r.returncode != 0
    r = b.run(f"dfu-util -d 0483:df11 -a 0 -s :unprotect:force; "
              f"{FLASHKIT} usb-wait --gone --device 0483:df11 --timeout 3 && "
              f"{FLASHKIT} usb-wait --device 0483:df11 --timeout 3 && "
              f"dfu-util -d 0483:df11 -a 0 -s 0x{APP:08x}:600 -U {tmp_path / 'up2.bin'}")
    assert r.returncode == 0, out(r)
    assert "unprotect" in b.events
    assert (tmp_path / "up2.bin").read_bytes() == b"\xff" * 600


def test_detach_from_application_brings_up_bootloader(board):
    b = board(start="app")
    r = b.run(f"dfu-util -d 0483:5740 -e && {FLASHKIT} usb-wait --device 0483:df11 --timeout 3")
    assert r.returncode == 0, out(r)
    assert "Claiming USB DFU (Run-Time) Interface" in r.stdout
    ev = b.events
    assert ev.index("unplug 0483:5740") < ev.index("plug 0483:df11")
