"""make term against the virtual UART (vuart; its ttyshim models RTS/DTR for
the terminal program too): the console opens on PORT, or on the adapter that
SERIAL names, at the board's baud; with the stm32flash reset wiring, for an
inverted and a direct adapter, the board sees BOOT0 low and NRST released
while the console is open and after it closes, so the application runs;
text the board sends arrives. make flash term flashes first, then opens the
console of the same board."""
import os
import pty
import select
import subprocess
import time

import pytest

from boardbench import FK_MK, FLASHKIT, VUART, build, firmware

BANNER = "console: application says hello"


@pytest.fixture(scope="module", autouse=True)
def _built():
    build()


def states(log):
    """(BOOT0, NRST) after every line change the board logged."""
    out = []
    for line in log.splitlines():
        if "-> BOOT0" in line:
            b, n = line.split("-> BOOT0 ")[1].split(", NRST ")
            out.append((b.strip(), n.strip()))
    return out


def term(tmp_path, wiring, *args, fw=None, usb=False):
    """Run make ... term under a pty inside vuart; leave picocom with C-a C-x
    once the board's text has arrived. Returns (output, state, log)."""
    flash = tmp_path / "flash.bin"
    if fw is None:
        flash.write_bytes(firmware(4096, seed=9) + b"\xff" * (512 * 1024 - 4096))
    state, log, link = tmp_path / "state.txt", tmp_path / "log.txt", tmp_path / "tty"
    vu = [VUART, "--flash", flash, "--wiring", wiring, "--state", state, "--log", log,
          "--link", link, "--app-banner", BANNER + "\r\n", "--console-period", "150"]
    if usb:
        vu += ["--usb-dir", tmp_path / "usb", "--usb-serial", "CONS01", "--usb-path", "1-7"]
    cmd = ["make", "--no-print-directory", "-f", FK_MK, f"FLASHKIT={FLASHKIT}",
           "BOARD=nucleo-f401", "STM32FLASH_RESET=1",
           f"STM32FLASH_RESET_INVERT={1 if wiring == 'inverted' else 0}", *args]
    # the terminal program runs under the shim, like stm32flash does
    # vuart exports PORT; an adapter found by SERIAL must not be overridden by it
    sh = 'export LD_PRELOAD="$VUART_SHIM"; %sexec "$@"' % ("unset PORT; " if usb else "")
    master, slave = pty.openpty()
    p = subprocess.Popen([str(a) for a in [*vu, "--", "sh", "-c", sh, "sh", *cmd]],
                         stdin=slave, stdout=slave, stderr=slave, cwd=tmp_path)
    os.close(slave)
    out = b""
    deadline = time.time() + 60
    quit_sent = False
    while time.time() < deadline:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        if not quit_sent and out.count(BANNER.encode()) >= 2:
            os.write(master, b"\x01\x18")  # C-a C-x: leave picocom
            quit_sent = True
        if p.poll() is not None and not r:
            break
    p.wait(30)
    os.close(master)
    st = dict(l.split("=", 1) for l in state.read_text().splitlines())
    return out.decode(errors="replace"), st, log.read_text(), p.returncode


@pytest.mark.parametrize("wiring", ["inverted", "direct"])
def test_term_leaves_the_application_running(tmp_path, wiring):
    link = tmp_path / "tty"
    out, st, log, rc = term(tmp_path, wiring, f"PORT={link}", "TERM_FLAGS=-q", "term")
    assert rc == 0, out
    assert BANNER in out                       # the board's text arrives
    assert st["mode"] == "app" and st["boot0"] == "low" and st["nrst"] == "high"
    seen = states(log)
    # whatever the open did, the last states (console open, then closed) are the running app
    assert seen[-1] == ("low", "high")
    # never held in reset at the end, and the chip only ever left reset with BOOT0 low
    # after the console took the lines
    assert "application running" in log
    if wiring == "inverted":
        # opening raises DTR: a short reset, then released with BOOT0 low; no bootloader
        assert st["bootloader_entries"] == "1"   # the power-on one (lines idle = BOOT0 high)
    else:
        # uart-lines' reset pulse with BOOT0 low; picocom's open raises RTS (BOOT0 high)
        # without a reset, then lowers it
        i = seen.index(("low", "low"))
        assert seen[i + 1] == ("low", "high")
        assert ("high", "high") in seen[i + 1:] and seen[-1] == ("low", "high")
    assert f"{link} at 115200 baud" in out


def test_term_finds_the_adapter_by_serial(tmp_path):
    # the USB view's environment comes from vuart itself (FLASHKIT_SYSFS, ..._BY_ID)
    out, st, log, rc = term(tmp_path, "inverted", "SERIAL=CONS01", "TERM_FLAGS=-q", "term",
                            usb=True)
    assert rc == 0, out
    assert BANNER in out and "usb-FTDI_FT232R_USB_UART_CONS01-if00-port0 at 115200" in out
    assert st["boot0"] == "low" and st["nrst"] == "high"


def test_flash_then_term(tmp_path):
    """make flash-only term: stm32flash writes the image (entering the bootloader by
    RTS/DTR), then the console of the same board opens with the application running."""
    data = firmware(8192, seed=11)
    (tmp_path / "fw.bin").write_bytes(data)
    link = tmp_path / "tty"
    out, st, log, rc = term(tmp_path, "inverted", f"PORT={link}", "FLASHFILE=fw.bin", "PROGRAMMER=stm32flash",
                            "TERM_FLAGS=-q", "flash-only", "term")
    assert rc == 0, out
    assert (tmp_path / "flash.bin").read_bytes()[:len(data)] == data
    assert out.index("FLASH") < out.index(BANNER)
    assert st["mode"] == "app" and st["boot0"] == "low" and st["nrst"] == "high"
    assert int(st["bootloader_entries"]) >= 2   # power-on, then stm32flash's entry


def test_term_on_a_missing_port_is_one_line():
    r = subprocess.run(["make", "--no-print-directory", "-f", str(FK_MK), f"FLASHKIT={FLASHKIT}",
                        "BOARD=nucleo-f401", "PORT=/dev/ttyNOPE", "term"],
                       capture_output=True, text=True, timeout=60)
    assert "Error 69" in r.stderr, r.stdout + r.stderr
    assert "flashkit: PORT=/dev/ttyNOPE does not exist; plug in the adapter" in r.stderr
    assert "picocom" not in r.stdout + r.stderr.replace("make", "")   # no banner, no FATAL
    assert "FATAL" not in r.stdout + r.stderr


def test_term_keeps_picocoms_banner_back(tmp_path):
    """Quiet by default: the TERM line says how to leave; picocom's settings list shows
    only with V=1."""
    outs = {}
    for name, args in (("quiet", []), ("verbose", ["V=1"])):
        d = tmp_path / name
        d.mkdir()
        out, st, log, rc = term(d, "inverted", f"PORT={d / 'tty'}", *args, "term")
        assert rc == 0 and BANNER in out, out
        outs[name] = out
    assert "port is" not in outs["quiet"] and "C-a C-x leaves" in outs["quiet"], outs["quiet"]
    assert "port is" in outs["verbose"], outs["verbose"]
