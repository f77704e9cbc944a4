"""Every DFU workflow from the seeds as a make command, with the real dfu-util against
the virtual ROM bootloader. After each: the virtual flash against the image, and the
bootloader region against what it held before."""
import random
import subprocess

import pytest

from dfu_helpers import FAMILY, FLASH_BASE, FLASHKIT, ROOT, app_image, out

APP = 0x08004000
CF_LOADER = bytes(random.Random(42).getrandbits(8) for _ in range(0x4000))


def failed(r, code):
    """make stops with 2 and names the recipe's exit code."""
    return r.returncode == 2 and f"Error {code}" in out(r)


def cf_board(board, **opts):
    """A Crazyflie: its 16 KiB bootloader in flash, nothing after it."""
    b = board("f4", **opts)
    b.fill({FLASH_BASE: CF_LOADER})
    return b


# --- Crazyflie 2.x ---------------------------------------------------------------

def test_crazyflie_manual_waits_flashes_after_bootloader_and_leaves(board, blinky):
    b = cf_board(board, appear_after=1)  # the user needs a moment with the button
    img = (blinky("crazyflie2") / "blinky.bin").read_bytes()
    r = b.make("crazyflie2", f"FLASHFILE={blinky('crazyflie2') / 'blinky.bin'}", "flash_dfu_manual")
    assert r.returncode == 0, out(r)
    o = out(r)
    assert "hold the power button" in o                   # how to enter DFU on this board
    assert "waiting up to 4 s for the STM32 DFU bootloader" in o
    assert "-s 0x08004000:leave" in o or "0x08004000" in o
    assert b.read(APP, len(img)) == img
    assert b.read(FLASH_BASE, 0x4000) == CF_LOADER         # bootloader untouched
    assert "erase 0x08000000" not in b.events
    assert "leave 0x08004000: application started" in b.events
    assert "left the bus" in o


def test_crazyflie_automatic_detaches_flashes_and_reboots(board, blinky):
    b = cf_board(board, start="app")
    img = (blinky("crazyflie2") / "blinky.bin").read_bytes()
    r = b.make("crazyflie2", f"FLASHFILE={blinky('crazyflie2') / 'blinky.bin'}", "flash_dfu")
    assert r.returncode == 0, out(r)
    assert "detached into its DFU bootloader" in out(r)
    assert b.read(APP, len(img)) == img
    assert b.read(FLASH_BASE, 0x4000) == CF_LOADER
    ev = b.events.splitlines()
    assert ev[0].startswith("plug 0483:5740")             # running firmware
    assert any(e.startswith("detach") for e in ev)
    assert any(e.startswith("leave 0x08004000: application started") for e in ev)


def test_crazyflie_automatic_falls_back_to_manual(board, blinky):
    # The firmware refuses DFU_DETACH; the user then enters DFU by hand.
    b = cf_board(board, start="app", fault="no-detach", appear_after=1.5)
    img = (blinky("crazyflie2") / "blinky.bin").read_bytes()
    r = b.make("crazyflie2", f"FLASHFILE={blinky('crazyflie2') / 'blinky.bin'}",
               "DFU_DETACH_WAIT=0.5", "flash_dfu")
    assert r.returncode == 0, out(r)
    o = out(r)
    assert "could not put the running crazyflie2 firmware into DFU" in o
    assert "hold the power button" in o
    assert b.read(APP, len(img)) == img
    assert b.read(FLASH_BASE, 0x4000) == CF_LOADER


def test_crazyflie_automatic_gives_up_with_instructions(board, blinky):
    b = cf_board(board, start="app", fault="no-detach")
    r = b.make("crazyflie2", f"FLASHFILE={blinky('crazyflie2') / 'blinky.bin'}",
               "DFU_DETACH_WAIT=0.3", "DFU_WAIT=1", "flash_dfu")
    assert failed(r, 69), out(r)
    o = out(r)
    assert "hold the power button" in o
    assert "did not appear within 1 s" in o
    assert "attached instead: 0483:5740" in o and "DFU run-time" in o
    assert "left the bus" not in o
    assert b.read(FLASH_BASE, 0x4000) == CF_LOADER


def test_crazyflie_bootloader_recovery_and_ordinary_flash_refuses_it(board, tmp_path):
    loader = app_image(0x4000, FLASH_BASE, seed=9)
    (tmp_path / "cf2loader.bin").write_bytes(loader)
    b = board("f4")
    b.fill({FLASH_BASE: b"\x00" * 0x4000, APP: b"\x11" * 64})  # a wrecked bootloader
    # An ordinary flash refuses an image for 0x08000000 and writes nothing (a raw .bin
    # would go to the application address; a .dfu carries its address).
    subprocess.run([FLASHKIT, "dfu", tmp_path / "cf2loader.bin", "--address", hex(FLASH_BASE),
                    "-o", tmp_path / "cf2loader.dfu"], check=True)
    r = b.make("crazyflie2", f"FLASHFILE={tmp_path / 'cf2loader.dfu'}", "flash_dfu_manual")
    assert failed(r, 65), out(r)
    assert "0x08000000" in out(r)
    assert b.read(FLASH_BASE, 0x4000) == b"\x00" * 0x4000
    # The explicit recovery target writes it at 0x08000000 and leaves the app alone.
    r = b.make("crazyflie2", f"BOOTLOADER_FILE={tmp_path / 'cf2loader.bin'}", "flash-bootloader")
    assert r.returncode == 0, out(r)
    assert b.read(FLASH_BASE, 0x4000) == loader
    assert b.read(APP, 64) == b"\x11" * 64


def test_leave_that_does_not_start_the_app_is_detected(board, blinky):
    b = cf_board(board, fault="no-leave")
    img = (blinky("crazyflie2") / "blinky.bin").read_bytes()
    r = b.make("crazyflie2", f"FLASHFILE={blinky('crazyflie2') / 'blinky.bin'}",
               "DFU_LEAVE_WAIT=1", "flash_dfu_manual")
    assert r.returncode != 0
    o = out(r)
    assert "still in its DFU bootloader" in o
    assert "power-cycle" in o
    assert "left the bus" not in o
    assert b.read(APP, len(img)) == img                    # the write itself was fine


def test_reset_leaves_to_the_application(board, blinky):
    img = (blinky("crazyflie2") / "blinky.bin").read_bytes()
    b = board("f4")
    b.fill({FLASH_BASE: CF_LOADER, APP: img})
    r = b.make("crazyflie2", "FLASHFILE=x.bin", "reset")
    assert r.returncode == 0, out(r)
    assert "leave 0x08004000: application started" in b.events


# --- FOME (STM32F7 ECU) ----------------------------------------------------------

def test_fome_dfu_file_no_s_mass_erase_first(board, blinky):
    b = board("f7")
    b.fill({FLASH_BASE: bytes([0x5A]) * 0x20000})           # an old firmware
    d = blinky("proteus-f7")
    img = (d / "blinky.bin").read_bytes()
    r = b.make("proteus-f7", f"FLASHFILE={d / 'blinky.dfu'}", "V=1", "flash-only")
    assert r.returncode == 0, out(r)
    o = out(r)
    line = next(x for x in o.splitlines() if x.startswith("dfu-util") and "-D" in x)
    assert "blinky.dfu" in line and "-s" not in line.split("-D")[0]   # no -s with a .dfu
    assert "Invalid DFU suffix" not in o                    # our suffix satisfies dfu-util
    ev = b.events
    assert ev.index("mass-erase") < ev.index("leave")       # the F7 dual-bank rule
    assert b.read(FLASH_BASE, len(img)) == img
    assert b.read(FLASH_BASE + len(img), 0x1000) == b"\xff" * 0x1000
    assert "leave 0x08000000: application started" in ev


def test_fome_f7_without_full_erase_goes_wrong(board, tmp_path):
    """Why the rule exists: with ERASE_BEFORE_FLASH=0 the dual-bank F7 keeps old bits."""
    img = app_image(48 * 1024, FLASH_BASE, seed=11)
    (tmp_path / "fw.bin").write_bytes(img)
    b = board("f7")
    b.fill({FLASH_BASE: bytes([0x5A]) * 0x20000})
    r = b.make("proteus-f7", f"FLASHFILE={tmp_path / 'fw.bin'}", "ERASE_BEFORE_FLASH=0", "flash-only")
    assert r.returncode == 0, out(r)
    assert b.read(FLASH_BASE, len(img)) != img
    b.fill({FLASH_BASE: bytes([0x5A]) * 0x20000})
    r = b.make("proteus-f7", f"FLASHFILE={tmp_path / 'fw.bin'}", "flash-only")
    assert r.returncode == 0, out(r)
    assert b.read(FLASH_BASE, len(img)) == img


def test_fome_make_erase_is_a_mass_erase(board):
    b = board("f7")
    b.fill({FLASH_BASE: b"\x00" * 4096, 0x08100000: b"\x00" * 4096})
    r = b.make("proteus-f7", "erase")
    assert r.returncode == 0, out(r)
    assert "mass-erase" in b.events
    assert b.read(FLASH_BASE, 4096) == b"\xff" * 4096
    assert b.read(0x08100000, 4096) == b"\xff" * 4096


# --- Aseba Discovery, FFBeast boards --------------------------------------------

def test_aseba_discovery_dfu_flash(board, blinky):
    b = board("f4")
    d = blinky("stm32f4discovery")
    img = (d / "blinky.bin").read_bytes()
    r = b.make("stm32f4discovery", "PROGRAMMER=dfu", f"FLASHFILE={d / 'blinky.bin'}", "V=1", "flash-only")
    assert r.returncode == 0, out(r)
    assert "-d 0483:df11 -c 1 -i 0 -a 0 -s 0x08000000:leave" in out(r)
    assert b.read(FLASH_BASE, len(img)) == img


def test_aseba_discovery_instructions_when_absent(board, blinky):
    b = board("f4", start="none")
    d = blinky("stm32f4discovery")
    r = b.make("stm32f4discovery", "PROGRAMMER=dfu", f"FLASHFILE={d / 'blinky.bin'}", "DFU_WAIT=1", "flash-only")
    assert failed(r, 69), out(r)
    o = out(r)
    assert "BOOT0=1" in o and "UART and CAN" in o


@pytest.mark.parametrize("name", ["odrive-v3", "mks-xdrive", "odesc-4.2"])
def test_ffbeast_boards_flash_over_dfu(board, blinky, name):
    b = board(FAMILY[name])
    d = blinky(name)
    img = (d / "blinky.bin").read_bytes()
    r = b.make(name, "PROGRAMMER=dfu", f"FLASHFILE={d / 'blinky.bin'}", "flash-only")
    assert r.returncode == 0, out(r)
    assert b.read(FLASH_BASE, len(img)) == img
    assert "application started" in b.events


@pytest.mark.parametrize("name,words", [
    ("odrive-v3", "micro switch"), ("mks-xdrive", "DFU jumper"), ("odesc-4.2", "press and hold BOOT")])
def test_ffbeast_boards_say_how_and_warn_about_power(board, blinky, name, words):
    b = board(FAMILY[name], start="none")
    r = b.make(name, "PROGRAMMER=dfu", f"FLASHFILE={blinky(name) / 'blinky.bin'}", "DFU_WAIT=1", "flash-only")
    assert failed(r, 69), out(r)
    o = out(r)
    assert words in o
    assert "does not power from USB" in o and "external power" in o


# --- waiting never hangs, and says what is wrong ---------------------------------

def test_other_dfu_device_is_named(board, blinky):
    b = board("f4", start="none", other=True)
    r = b.make("crazyflie2", f"FLASHFILE={blinky('crazyflie2') / 'blinky.bin'}", "DFU_WAIT=1", "flash_dfu_manual")
    assert failed(r, 69), out(r)
    assert "attached instead: 1209:2003" in out(r)


def test_serial_selects_the_board(board, blinky):
    f = f"FLASHFILE={blinky('crazyflie2') / 'blinky.bin'}"
    b = cf_board(board, serial="CF2-A")
    r = b.make("crazyflie2", f, "SERIAL=CF2-B", "DFU_WAIT=1", "flash_dfu_manual")
    assert failed(r, 69), out(r)
    assert "another serial number" in out(r) and "CF2-A" in out(r)
    r = b.make("crazyflie2", f, "SERIAL=CF2-A", "flash_dfu_manual")
    assert r.returncode == 0, out(r)


def test_no_access_explains_udev(board, blinky):
    b = cf_board(board, fault="access")
    r = b.make("crazyflie2", f"FLASHFILE={blinky('crazyflie2') / 'blinky.bin'}", "flash_dfu_manual")
    assert failed(r, 77), out(r)
    o = out(r)
    assert "LIBUSB_ERROR_ACCESS" in o and "udev" in o
    assert b.read(FLASH_BASE, 0x4000) == CF_LOADER


@pytest.mark.parametrize("fault,words", [
    ("stall=100", "LIBUSB_ERROR_PIPE"), ("disconnect=100", "LIBUSB_ERROR_NO_DEVICE"),
    ("rdp", "read-protected")])
def test_faults_fail_clearly(board, blinky, fault, words):
    b = cf_board(board, fault=fault)
    r = b.make("crazyflie2", f"FLASHFILE={blinky('crazyflie2') / 'blinky.bin'}", "flash_dfu_manual")
    assert r.returncode != 0
    o = out(r)
    assert words in o
    assert "dfu-util failed on crazyflie2" in o
    assert "left the bus" not in o
    assert b.read(FLASH_BASE, 0x4000) == CF_LOADER


def test_crazyflie_automatic_when_already_in_dfu(board, blinky):
    b = cf_board(board)
    img = (blinky("crazyflie2") / "blinky.bin").read_bytes()
    r = b.make("crazyflie2", f"FLASHFILE={blinky('crazyflie2') / 'blinky.bin'}", "flash_dfu")
    assert r.returncode == 0, out(r)
    assert "could not put" not in out(r)
    assert b.read(APP, len(img)) == img
    assert b.read(FLASH_BASE, 0x4000) == CF_LOADER


def test_two_boards_in_dfu_need_a_serial(board, blinky):
    f = f"FLASHFILE={blinky('crazyflie2') / 'blinky.bin'}"
    b = cf_board(board, other_board="TWIN1")
    r = b.make("crazyflie2", f, "flash_dfu_manual")
    assert failed(r, 69), out(r)
    assert "2 boards match" in out(r) and "SERIAL=" in out(r) and "TWIN1" in out(r)
    assert b.read(APP, 16) == b"\xff" * 16
    r = b.make("crazyflie2", f, "SERIAL=3574364C3034", "V=1", "flash_dfu_manual")
    assert r.returncode == 0, out(r)
    assert "-S '3574364C3034'" in out(r)
    img = (blinky("crazyflie2") / "blinky.bin").read_bytes()
    assert b.read(APP, len(img)) == img


def test_aseba_make_flash_from_the_firmware_makefile(board, blinky):
    """The seed's command as a firmware project runs it: make BOARD=... PROGRAMMER=dfu flash."""
    b = board("f4")
    d = blinky("stm32f4discovery")
    r = b.run("make", "--no-print-directory", "-C", ROOT / "examples" / "blinky",
              "BOARD=stm32f4discovery", "PROGRAMMER=dfu", f"BUILDDIR={d}", f"FLASHKIT={FLASHKIT}",
              "flash")
    assert r.returncode == 0, out(r)
    img = (d / "blinky.bin").read_bytes()
    assert b.read(FLASH_BASE, len(img)) == img
    assert "application started" in b.events
