"""One SERIAL (or USB_PATH) for every programmer, with two virtual boards of
the same kind attached at once: the chosen one is flashed, the other keeps
its flash; a SERIAL that matches nothing lists what is attached; two
matches are refused."""
import subprocess
import time

import pytest

from boardbench import (DFU_SN, FK_MK, FLASHKIT, SERIAL1, SERIAL2, VSTLINK, VUART, build, firmware, rc,
                        run, vdfu, vdrive)

F401 = 512 * 1024


@pytest.fixture(scope="module", autouse=True)
def _built():
    build()


def make(*args):
    return ["make", "--no-print-directory", "-f", FK_MK, f"FLASHKIT={FLASHKIT}", *args]


@pytest.fixture
def fw(tmp_path):
    data = firmware(6000, seed=3)
    p = tmp_path / "fw.bin"
    p.write_bytes(data)
    return p, data


def erased(path, n):
    return not path.exists() or path.read_bytes()[:n] == b"\xff" * n


# --- cpy2remed: vdrive's two drives (same label, NODE_F401RE and NODE_F401RE1) ---

def cpy(tmp_path, fw, *sel, two=True, opts=()):
    return run([*vdrive(tmp_path, *opts, two=two), "--",
                *make("BOARD=nucleo-f401", "PROGRAMMER=cpy2remed", f"FLASHFILE={fw}", *sel,
                      "flash-only")])


@pytest.mark.parametrize("which", [1, 2])
def test_cpy2remed_serial_picks_one_drive(tmp_path, fw, which):
    path, data = fw
    r = cpy(tmp_path, path, f"SERIAL={SERIAL1 if which == 1 else SERIAL2}")
    assert r.returncode == 0, r.stdout + r.stderr
    chosen, other = (tmp_path / "drive1.bin", tmp_path / "drive2.bin")[::1 if which == 1 else -1]
    assert chosen.read_bytes()[:len(data)] == data
    assert erased(other, len(data))


def test_cpy2remed_no_serial_two_drives_refused(tmp_path, fw):
    r = cpy(tmp_path, fw[0])
    assert rc(r) == 69
    assert "2 drives" in r.stderr and "not guessing" in r.stderr
    assert erased(tmp_path / "drive1.bin", 64) and erased(tmp_path / "drive2.bin", 64)


def test_cpy2remed_serial_matching_nothing(tmp_path, fw):
    r = cpy(tmp_path, fw[0], "SERIAL=NOSUCHSERIAL")
    assert rc(r) == 69
    assert "NODE_F401RE" in r.stderr and SERIAL1 in r.stderr  # what is attached


def test_cpy2remed_usb_path_with_equal_serials(tmp_path, fw):
    path, data = fw
    opts = ("--serial2", SERIAL1, "--usb-path", "1-3", "--usb-path2", "1-4.2")
    r = cpy(tmp_path, path, f"SERIAL={SERIAL1}", opts=opts)
    assert rc(r) == 69 and "refusing to guess" in r.stderr
    r = cpy(tmp_path, path, "USB_PATH=1-4.2", opts=opts)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (tmp_path / "drive2.bin").read_bytes()[:len(data)] == data
    assert erased(tmp_path / "drive1.bin", len(data))


# --- dfu: vdfu --other-board SN --other-flash-file F (a second bootloader, its own flash) ---

def dfu(tmp_path, fw, other, *sel):
    flash, flash2 = tmp_path / "dfu-flash.bin", tmp_path / "dfu-flash2.bin"
    events = tmp_path / "events.txt"
    r = run([*vdfu("--family", "f4", "--flash-file", flash, "--events", events,
                   "--other-board", other, "--other-flash-file", flash2), "--",
             *make("BOARD=stm32f4discovery", "PROGRAMMER=dfu", f"FLASHFILE={fw}", "DFU_WAIT=3",
                   *sel, "flash-only")])
    return r, flash, flash2


@pytest.mark.parametrize("which", [1, 2])
def test_dfu_serial_picks_the_board(tmp_path, fw, which):
    path, data = fw
    r, f1, f2 = dfu(tmp_path, path, "OTHERSN01", f"SERIAL={DFU_SN if which == 1 else 'OTHERSN01'}")
    assert r.returncode == 0, r.stdout + r.stderr
    chosen, other = (f1, f2) if which == 1 else (f2, f1)
    assert chosen.read_bytes()[:len(data)] == data
    assert erased(other, len(data))


def test_dfu_two_boards_no_serial_refused(tmp_path, fw):
    r, f1, f2 = dfu(tmp_path, fw[0], "OTHERSN01")
    assert rc(r) == 69 and "2 boards match" in r.stderr
    assert erased(f1, 64) and erased(f2, 64)


def test_dfu_serial_matching_nothing(tmp_path, fw):
    r, f1, f2 = dfu(tmp_path, fw[0], "OTHERSN01", "SERIAL=NOPE", "DFU_WAIT=0.5")
    assert rc(r) == 69  # not found, after the wait
    assert "OTHERSN01" in r.stderr and DFU_SN in r.stderr  # what is attached instead
    assert erased(f1, 64) and erased(f2, 64)


@pytest.mark.parametrize("path,which", [("1-1", 1), ("1-2", 2)])
def test_dfu_equal_serials_refused_then_usb_path(tmp_path, fw, path, which):
    img, data = fw
    r, f1, f2 = dfu(tmp_path, img, DFU_SN, f"SERIAL={DFU_SN}")
    assert rc(r) == 69 and "2 boards match" in r.stderr and "USB_PATH" in r.stderr
    assert erased(f1, 64) and erased(f2, 64)
    r, f1, f2 = dfu(tmp_path, img, DFU_SN, f"SERIAL={DFU_SN}", f"USB_PATH={path}")
    assert r.returncode == 0, r.stdout + r.stderr
    chosen, other = (f1, f2) if which == 1 else (f2, f1)
    assert chosen.read_bytes()[:len(data)] == data
    assert erased(other, len(data))


def test_dfu_usb_path_flags(fw):
    r = run(make("-n", "BOARD=stm32f4discovery", "PROGRAMMER=dfu", f"FLASHFILE={fw[0]}",
                 "USB_PATH=1-2.3", "flash-only"))
    assert "-p '1-2.3'" in r.stdout and "--usb-path '1-2.3'" in r.stdout


# --- stm32flash: two vuarts shown as FTDI adapters (by-id + sysfs view) ---

class Uart:
    """A vuart running in the background, visible under usb_dir."""

    def __init__(self, tmp, name, usb_dir, sn, usb_path):
        self.flash = tmp / f"{name}.bin"
        self.log = tmp / f"{name}.log"
        self.args = [VUART, "--flash", self.flash, "--log", self.log, "--usb-dir", usb_dir,
                     "--usb-serial", sn, "--usb-path", usb_path, "--wiring", "none"]

    def start(self):
        self.p = subprocess.Popen([str(a) for a in self.args], stdout=subprocess.PIPE, text=True)
        env = {}
        for line in self.p.stdout:
            if line.startswith("# ready"):
                break
            k, _, v = line.strip().partition("=")
            env[k] = v
        self.env = env
        return self

    def stop(self):
        self.p.terminate()
        self.p.wait(10)


def uart_flash(tmp_path, fw, chosen, *sel):
    """Two adapters A (sn UA1, 1-5) and B (UB2, 1-6.1); the make runs under
    the chosen one's shim (the tool can only talk 8E1 to that pty)."""
    usb = tmp_path / "usb"
    a = Uart(tmp_path, "a", usb, "UA1", "1-5").start()
    b = Uart(tmp_path, "b", usb, "UB2", "1-6.1").start()
    try:
        c = a if chosen == "a" else b
        env = {"FLASHKIT_SYSFS": str(usb / "sys"), "FLASHKIT_SERIAL_BY_ID": str(usb / "serial/by-id"),
               "VUART_TTY": c.env["VUART_TTY"], "VUART_CTL": c.env["VUART_CTL"],
               "PATH": c.env["VUART_PATH"] + ":" + __import__("os").environ["PATH"]}
        r = run(make("BOARD=nucleo-f401", "PROGRAMMER=stm32flash", f"FLASHFILE={fw}", *sel,
                     "flash-only"), env=env)
    finally:
        a.stop()
        b.stop()
    return r, a, b


@pytest.mark.parametrize("sel", [("SERIAL=UB2",), ("USB_PATH=1-6.1",)])
def test_stm32flash_picks_adapter(tmp_path, fw, sel):
    path, data = fw
    r, a, b = uart_flash(tmp_path, path, "b", *sel)
    assert r.returncode == 0, r.stdout + r.stderr
    assert b.flash.read_bytes()[:len(data)] == data
    assert erased(a.flash, len(data))


def test_stm32flash_equal_serials_refused_then_usb_path(tmp_path, fw):
    path, data = fw
    usb = tmp_path / "usb"
    a = Uart(tmp_path, "a", usb, "SAME01", "1-5").start()
    b = Uart(tmp_path, "b", usb, "SAME01", "1-6.1").start()
    env = {"FLASHKIT_SYSFS": str(usb / "sys"), "FLASHKIT_SERIAL_BY_ID": str(usb / "serial/by-id"),
           "VUART_TTY": b.env["VUART_TTY"], "VUART_CTL": b.env["VUART_CTL"],
           "PATH": b.env["VUART_PATH"] + ":" + __import__("os").environ["PATH"]}
    base = ("BOARD=nucleo-f401", "PROGRAMMER=stm32flash", f"FLASHFILE={path}")
    try:
        r1 = run(make(*base, "SERIAL=SAME01", "flash-only"), env=env)
        r2 = run(make(*base, "SERIAL=SAME01", "USB_PATH=1-6.1", "flash-only"), env=env)
    finally:
        a.stop()
        b.stop()
    assert rc(r1) == 69 and "refusing to guess" in r1.stderr and "1-5" in r1.stderr
    assert r2.returncode == 0, r2.stdout + r2.stderr
    assert b.flash.read_bytes()[:len(data)] == data
    assert erased(a.flash, len(data))


def test_stm32flash_serial_matching_nothing(tmp_path, fw):
    r, a, b = uart_flash(tmp_path, fw[0], "a", "SERIAL=NOPE")
    assert rc(r) == 69
    assert "no uart matches SERIAL=NOPE" in r.stderr and "UA1" in r.stderr and "UB2" in r.stderr
    assert erased(a.flash, 64) and erased(b.flash, 64)


# --- openocd: vstlink --second (another probe wired to its own chip, USB path 1-2) ---

PROBE1, PROBE2 = "066DFF343339415043084126", "0672FF000000000000000002"


def ocd(tmp_path, fw, second, *sel):
    f1, f2 = tmp_path / "probe1.bin", tmp_path / "probe2.bin"
    r = run([VSTLINK, "--flash-file", f1, "--serial", PROBE1, "--second", second,
             "--second-flash-file", f2, "--",
             *make("BOARD=nucleo-f401", "PROGRAMMER=openocd", f"FLASHFILE={fw}", "OPENOCD_WAIT=1",
                   *sel, "flash-only")], timeout=300)
    return r, f1, f2


@pytest.mark.parametrize("which", [1, 2])
def test_openocd_serial_picks_the_probe(tmp_path, fw, which):
    path, data = fw
    r, f1, f2 = ocd(tmp_path, path, PROBE2, f"SERIAL={PROBE1 if which == 1 else PROBE2}")
    assert r.returncode == 0, r.stdout + r.stderr
    chosen, other = (f1, f2) if which == 1 else (f2, f1)
    assert chosen.read_bytes()[:len(data)] == data
    assert erased(other, len(data))


def test_openocd_two_probes_no_serial_refused(tmp_path, fw):
    r, f1, f2 = ocd(tmp_path, fw[0], PROBE2)
    assert rc(r) == 69 and "2 boards match" in r.stderr
    assert erased(f1, 64) and erased(f2, 64)


def test_openocd_serial_matching_nothing(tmp_path, fw):
    r, f1, f2 = ocd(tmp_path, fw[0], PROBE2, "SERIAL=NOSUCHPROBE")
    assert rc(r) == 69
    assert PROBE1 in r.stderr and PROBE2 in r.stderr   # what is attached instead
    assert erased(f1, 64) and erased(f2, 64)


def test_openocd_equal_serials_then_usb_path(tmp_path, fw):
    path, data = fw
    r, f1, f2 = ocd(tmp_path, path, PROBE1, f"SERIAL={PROBE1}")
    assert rc(r) == 69 and "2 boards match" in r.stderr and "USB_PATH" in r.stderr
    assert erased(f1, 64) and erased(f2, 64)
    r, f1, f2 = ocd(tmp_path, path, PROBE1, f"SERIAL={PROBE1}", "USB_PATH=1-2")
    assert r.returncode == 0, r.stdout + r.stderr
    assert f2.read_bytes()[:len(data)] == data
    assert erased(f1, len(data))


def test_openocd_flags(fw):
    r = run(make("-n", "BOARD=nucleo-f401", "PROGRAMMER=openocd", f"FLASHFILE={fw[0]}",
                 "SERIAL=066D", "USB_PATH=1-2.3", "flash-only"))
    assert r.returncode == 0, r.stderr
    assert "-c 'adapter serial {066D}' -c 'adapter usb location {1-2.3}'" in r.stdout
    assert "--serial '066D' --usb-path '1-2.3'" in r.stdout


def test_list_shows_both_probes():
    from boardbench import listing
    items = listing([VSTLINK, "--serial", PROBE1, "--second", PROBE2])
    assert [(i["kind"], i["serial"], i["usb_path"]) for i in items] == [
        ("stlink", PROBE1, "1-1"), ("stlink", PROBE2, "1-2")]
    assert "nucleo-f401" in items[0]["boards"]
