"""make flash / erase / reset / flash-bootloader with the real OpenOCD through the
virtual ST-LINK, for every board whose programmers include openocd; the virtual flash
is compared with the image afterwards, and the event log shows OpenOCD's loader ran
on the core."""
import re

import pytest

from stlinkkit import BOARDS, FLASH_BASE, loop_image, out

# One image type per board, all three on the default board, and .elf/.hex on two other families.
CASES = [(b, "bin") for b in BOARDS] + [("nucleo-f401", "hex"), ("nucleo-f401", "elf"),
                                        ("nucleo-h743zi", "elf"), ("nucleo-g071rb", "hex")]


def image_in(blinky_dir, kind):
    """The bytes the image puts at each address: from the .bin the build made."""
    return (blinky_dir / "blinky.bin").read_bytes()


@pytest.mark.parametrize("board,kind", CASES, ids=[f"{b}-{k}" for b, k in CASES])
def test_flash_every_board(probe, blinky, board, kind):
    p = probe(board)
    d = blinky(board)
    addr = FLASH_BASE + (0x4000 if board == "crazyflie2" else 0)
    boot = bytes(range(256)) * 64  # the Crazyflie's 16 KiB bootloader, to stay untouched
    if board == "crazyflie2":
        p.fill({FLASH_BASE: boot})
    r = p.make(f"FLASHFILE={d / ('blinky.' + kind)}", "flash")
    assert r.returncode == 0, out(r)
    data = image_in(d, kind)
    assert p.read(addr, len(data)) == data, out(r)
    if board == "crazyflie2":
        assert p.read(FLASH_BASE, len(boot)) == boot
    # quiet: OpenOCD's banner and Info lines stay hidden on success
    assert "Open On-Chip Debugger" not in r.stdout + r.stderr, out(r)
    assert "  FLASH   openocd" in r.stdout
    # OpenOCD's work-area loader ran on the core and wrote the flash
    m = re.search(r"mcu: algorithm at 0x(2[0-9a-f]{7}) ran, wrote (\d+) bytes", p.events)
    assert m and int(m.group(2)) > 0, p.events
    # every command OpenOCD sent is one the probe knows
    assert "unknown" not in p.events, p.events


def test_loader_ran_and_wrote_the_image(probe):
    """The plain command users run, unchanged: the stm32f2x loader runs from the work
    area (0x20000000) and writes every byte of a 64 KiB image."""
    p = probe()
    img = loop_image(64 * 1024)
    (p.tmp / "fw.bin").write_bytes(img)
    r = p.run("openocd", "-f", "interface/stlink.cfg", "-f", "target/stm32f4x.cfg",
              "-c", "gdb_port disabled", "-c", "tcl_port disabled", "-c", "telnet_port disabled",
              "-c", "program fw.bin 0x08000000 verify reset exit", cwd=p.tmp)
    assert r.returncode == 0, out(r)
    assert "** Verified OK **" in r.stderr
    assert p.read(FLASH_BASE, len(img)) == img
    wrote = [int(n) for n in re.findall(r"mcu: algorithm at 0x20000000 ran, wrote (\d+) bytes",
                                         p.events)]
    assert sum(wrote) == len(img), p.events
    assert "stlink: enter swd" in p.events


def test_flash_progress_and_wait_lines(probe, blinky):
    p = probe()
    r = p.make(f"FLASHFILE={blinky('nucleo-f401') / 'blinky.bin'}", "flash")
    assert r.returncode == 0, out(r)
    assert "  WAIT    ST-LINK" in r.stdout
    assert "writing" in r.stderr  # the runner's progress line while OpenOCD writes


def test_v1_shows_openocd(probe, blinky):
    p = probe()
    r = p.make(f"FLASHFILE={blinky('nucleo-f401') / 'blinky.bin'}", "V=1", "flash")
    assert r.returncode == 0, out(r)
    assert "Open On-Chip Debugger" in r.stdout and "** Verified OK **" in r.stdout


def test_erase_wipes_the_flash(probe):
    p = probe()
    p.fill({FLASH_BASE: loop_image(4096), FLASH_BASE + 0x20000: b"\x00" * 64})
    r = p.make("erase")
    assert r.returncode == 0, out(r)
    assert p.erased(FLASH_BASE, 512 * 1024)


def test_reset_runs_the_firmware(probe):
    p = probe()
    p.fill({FLASH_BASE: loop_image(1024)})
    r = p.make("reset")
    assert r.returncode == 0, out(r)
    assert "stlink: reset" in p.events
    assert p.read(FLASH_BASE, 1024) == loop_image(1024)


def test_crazyflie_bootloader_recovery(probe, tmp_path):
    p = probe("crazyflie2")
    app = loop_image(2048, FLASH_BASE + 0x4000, seed=3)
    p.fill({FLASH_BASE + 0x4000: app})
    loader = loop_image(12 * 1024, FLASH_BASE, seed=4)
    (tmp_path / "cf2loader.bin").write_bytes(loader)
    r = p.make(f"BOOTLOADER_FILE={tmp_path / 'cf2loader.bin'}", "flash-bootloader")
    assert r.returncode == 0, out(r)
    assert p.read(FLASH_BASE, len(loader)) == loader
    assert p.read(FLASH_BASE + 0x4000, len(app)) == app  # the application survives


def test_serial_selects_one_of_two_probes(probe, blinky):
    p = probe(fault="two-probes")
    r = p.make(f"FLASHFILE={blinky('nucleo-f401') / 'blinky.bin'}",
               "SERIAL=066DFF343339415043084126", "flash")
    assert r.returncode == 0, out(r)
    data = (blinky("nucleo-f401") / "blinky.bin").read_bytes()
    assert p.read(FLASH_BASE, len(data)) == data


def test_stlink_v3(probe, blinky):
    p = probe(v3=True)
    r = p.make(f"FLASHFILE={blinky('nucleo-f401') / 'blinky.bin'}", "V=1", "flash")
    assert r.returncode == 0, out(r)
    assert "STLINK V3J7M2B3S1 (API v3) VID:PID 0483:374E" in r.stdout
