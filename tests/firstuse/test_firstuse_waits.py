"""Waits and writes show progress: on a terminal one updating line (a countdown of the
seconds left, the percent written), in a log plain lines, under make -s nothing."""
import os
import re

from firstuse import FLASHKIT, ROOT, blinky, env, in_pty, need_arm_gcc, out, run, vdfu, vdrive

WAIT = [FLASHKIT, "usb-wait", "--device", "1209:0001", "--what", "the test board"]


def test_usb_wait_counts_down_on_a_terminal():
    status, text = in_pty([*WAIT, "--timeout", "3"], timeout=30)
    assert os.WEXITSTATUS(status) == 69, text
    assert "waiting up to 3 s for the test board (1209:0001)" in text
    # One line redrawn in place: carriage returns, the seconds going down.
    left = [int(n) for n in re.findall(r"\r  WAIT    the test board \(1209:0001\): (\d+) s left", text)]
    assert left and left[0] == 3 and left == sorted(left, reverse=True), text
    assert "did not appear within 3 s" in text


def test_usb_wait_without_a_terminal_prints_plain_lines():
    r = run([*WAIT, "--timeout", "11"], timeout=60)
    assert r.returncode == 69, out(r)
    assert "\r" not in r.stderr and "\033" not in r.stderr
    # A line every 10 s, not one a second.
    assert re.findall(r"^  WAIT    the test board \(1209:0001\): (\d+) s left", r.stderr, re.M) == ["1"], out(r)


def test_usb_wait_silent_when_progress_is_off():
    r = run([*WAIT, "--timeout", "1"], env=env(FLASHKIT_PROGRESS="off"), timeout=30)
    assert r.returncode == 69 and "s left" not in r.stderr, out(r)
    assert "did not appear" in r.stderr  # the failure itself is never silent


def test_drive_wait_counts_down_on_a_terminal(tmp_path):
    need_arm_gcc()
    d = blinky("nucleo-f401")
    cmd = vdrive(tmp_path, FLASHKIT, "copy", d / "blinky.bin", "--label", "NODE_F401RE",
                 extra=["--remount-delay", "2.5"])
    status, text = in_pty(cmd, timeout=60)
    assert os.WEXITSTATUS(status) == 0, text
    assert re.search(r"\r          NODE_F401RE: away, the probe is programming, \d+ s left", text), text
    assert "came back without FAIL.TXT" in text


def test_dfu_write_shows_percent_on_a_terminal(tmp_path):
    need_arm_gcc()
    d = blinky("odrive-v3")
    cmd = vdfu(tmp_path, "make", "--no-print-directory", "-f", ROOT / "makefiles" / "flashkit.mk",
               "BOARD=odrive-v3", f"FLASHFILE={d / 'blinky.dfu'}", f"FLASHKIT={FLASHKIT}", "flash-only")
    status, text = in_pty(cmd, timeout=60)
    assert os.WEXITSTATUS(status) == 0, text
    assert re.search(r"\r          writing +100%", text), text
    assert "dfu-util 0.11" not in text


def test_make_s_on_a_terminal_shows_no_countdown(tmp_path):
    """make -s: the wait still says what to do if it fails, but draws nothing meanwhile."""
    cmd = vdfu(tmp_path, "make", "-s", "--no-print-directory", "-f", ROOT / "makefiles" / "flashkit.mk",
               "BOARD=odrive-v3", f"FLASHKIT={FLASHKIT}", "DFU_USB_ID=1209:0001", "DFU_WAIT=2",
               f"FLASHFILE={tmp_path / 'fw.bin'}", "erase")
    status, text = in_pty(cmd, timeout=60)
    assert os.WEXITSTATUS(status) != 0, text  # make's own 2: the wait failed
    assert "s left" not in text, text
    assert "did not appear within 2 s" in text


def test_usb_wait_option_errors_say_what_is_wrong():
    r = run([FLASHKIT, "usb-wait", "--bogus-opt"])
    assert r.returncode == 64 and "unknown option '--bogus-opt'" in r.stderr, out(r)
    r = run([FLASHKIT, "usb-wait", "--device"])
    assert r.returncode == 64 and "--device needs a value" in r.stderr, out(r)


def test_uart_lines_usage_is_one_line():
    r = run([FLASHKIT, "uart-lines", "--bogus-opt"])
    assert r.returncode == 64, out(r)
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("flashkit: uart-lines: give PORT and SEQ"), out(r)
