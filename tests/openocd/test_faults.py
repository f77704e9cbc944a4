"""The faults of a real ST-LINK setup on the virtual probe: each is one line that says
what to do, a non-zero exit with the shared code, and nothing written."""
import pytest

from stlinkkit import FLASH_BASE, FLASHKIT, MK, flashkit_lines, loop_image, out, rc

IMG = loop_image(24 * 1024)


@pytest.fixture
def fw(tmp_path):
    f = tmp_path / "fw.bin"
    f.write_bytes(IMG)
    return f


def flash(p, fw, *more, **opts):
    return p.make(f"FLASHFILE={fw}", *more, "flash", **opts)


def last_line(r):
    lines = flashkit_lines(r)
    assert lines, out(r)
    return lines[-1]


def never_success(r):
    text = r.stdout + r.stderr
    assert "Verified OK" not in text or "failed" in text
    assert "written and verified" not in text


def test_no_probe_waits_then_says_what_is_attached(probe, fw):
    p = probe(fault="no-probe")
    r = flash(p, fw)
    assert rc(r) == 69, out(r)
    assert "waiting up to 2 s for the ST-LINK probe" in r.stderr
    assert "did not appear within 2 s" in r.stderr
    assert "nothing else is attached" in r.stderr
    assert p.erased(FLASH_BASE, 4096)


def test_two_probes_without_serial_are_listed(probe, fw):
    p = probe(fault="two-probes")
    r = flash(p, fw)
    assert rc(r) == 69, out(r)
    assert "2 boards match" in r.stderr and "SERIAL=" in r.stderr
    assert "066DFF343339415043084126" in r.stderr and "0671FF555052836687163344" in r.stderr
    assert "stlink: enter swd" not in p.events  # OpenOCD never ran
    assert p.erased(FLASH_BASE, 4096)


def test_no_permission_on_the_node(probe, fw):
    p = probe(fault="access")
    r = flash(p, fw)
    assert rc(r) == 77, out(r)
    assert "LIBUSB_ERROR_ACCESS" in r.stderr and "make udev-install" in r.stderr
    assert p.erased(FLASH_BASE, 4096)


# Faults refused before anything is written, each with one line that says what
# to do: (probe board, probe options, exit code, what that last line says).
REFUSED = {
    "target_not_powered": ("nucleo-f401", {"fault": "no-power"}, 69,
                           ["the target is not powered: the ST-LINK reads 0.00 V"]),
    "odrive_not_powered_says_connect_external_power": (
        "odrive-v3", {"fault": "no-power"}, 69, ["not powered", "connect external power"]),
    "swd_not_answering": ("nucleo-f401", {"fault": "swd-dead"}, 69,
                          ["does not answer on SWD", "3.25 V"]),
    "read_protected_chip": ("nucleo-f401", {"fault": "rdp"}, 74,
                            ["read-protected (RDP level 1)", "erases the whole flash",
                             "stm32f2x unlock 0"]),
    "wrong_chip_for_the_board": ("nucleo-f401", {"chip": "stm32f767zi"}, 69,
                                 ["wrong chip", "stm32f401re", "STM32F7"]),
    "old_stlink_firmware": ("nucleo-f401", {"fault": "old-firmware"}, 69,
                            ["V2J17M4 is too old", "STSW-LINK007"]),
}


@pytest.mark.parametrize("board,opts,code,says", REFUSED.values(), ids=REFUSED.keys())
def test_refused_with_one_line(probe, fw, board, opts, code, says):
    p = probe(board, **opts)
    r = flash(p, fw)
    assert rc(r) == code, out(r)
    line = last_line(r)
    for words in says:
        assert words in line, line
    never_success(r)
    assert p.erased(FLASH_BASE, 4096)


def test_unreliable_clone_is_retried_slower_and_never_succeeds(probe, fw):
    p = probe(fault="unreliable")
    r = flash(p, fw)
    assert rc(r) == 74, out(r)
    lines = flashkit_lines(r)
    assert any("failed part-way" in x and "retrying at 480 kHz" in x for x in lines), out(r)
    assert "the ST-LINK is unreliable" in lines[-1]
    never_success(r)
    assert "swd clock 480 kHz" in p.events  # the retry really ran slower


def test_unreliable_at_full_speed_works_slower(probe, fw):
    p = probe(fault="unreliable=4096@480")
    r = flash(p, fw)
    assert r.returncode == 0, out(r)
    assert "written and verified at 480 kHz" in r.stderr
    assert p.read(FLASH_BASE, len(IMG)) == IMG


def test_openocd_too_old_for_stm32c0(probe, fw):
    """Today's detection stays: the version check runs before any wait or transfer."""
    p = probe("nucleo-f401", chip="stm32c031c6")
    r = p.run("make", "--no-print-directory", "-f", MK, "BOARD=nucleo-c031c6",
              "PROGRAMMER=openocd", f"FLASHKIT={FLASHKIT}", f"FLASHFILE={fw}", "flash")
    assert rc(r) == 69, out(r)
    assert "OpenOCD 0.12.0 cannot drive the stm32c031c6" in r.stderr
    assert "stlink: enter swd" not in p.events


def test_serial_matching_no_probe_says_what_is_attached(probe, fw):
    p = probe()
    r = flash(p, fw, "SERIAL=NOPE")
    assert rc(r) == 69, out(r)
    assert "0483:374b serial NOPE" in r.stderr and "did not appear within 2 s" in r.stderr
    assert "066DFF343339415043084126" in r.stderr  # the probe that is there instead
    assert p.erased(FLASH_BASE, 4096)
