"""The exit-code contract (docs/ci.md), pinned per programmer (dfu, cpy2remed,
stm32flash, openocd) against the virtual
boards' faults: the same code for the same kind of failure whatever the tool.

Each case runs `tools/fk-make -f makefiles/flashkit.mk ... flash-only` with the board
on its virtual bus, exactly as a farm engine's flash command would, and checks the
process's own exit status; plain make reports the same number as "Error N"."""
import shutil

import pytest

import cikit
from cikit import FK_MAKE, FLASHKIT, FLASHKIT_MK, out, run, vector_image

OK, USAGE, BAD_IMAGE, NO_INPUT, NOT_FOUND, FLASH_FAILED, TIMEOUT, VERIFY, PERM = \
    0, 64, 65, 66, 69, 74, 75, 76, 77


@pytest.fixture(scope="module", autouse=True)
def _tools():
    cikit.need_tools()


def images(tmp):
    good = tmp / "fw.bin"
    good.write_bytes(vector_image(6000))
    bad = tmp / "bad.bin"           # SP outside RAM: fails the check before any write
    bad.write_bytes(vector_image(6000, sp=0xFFFFFFF0))
    return {"good": good, "bad": bad, "missing": tmp / "missing.bin"}


def fk_make(prefix, *args, timeout=120):
    return run([*prefix, FK_MAKE, "--no-print-directory", "-f", FLASHKIT_MK,
                f"FLASHKIT={FLASHKIT}", *args], timeout=timeout)


# --- dfu: dfu-util and the ROM DFU bootloader (vdfu) ------------------------------

DFU_CASES = [
    # (what, vdfu options, file, make args, code)
    ("ok", [], "good", [], OK),
    ("device not found", ["--start", "none"], "good", ["DFU_WAIT=1"], NOT_FOUND),
    ("permission", ["--fault", "access"], "good", [], PERM),
    ("flash failed", ["--fault", "stall=2048"], "good", [], FLASH_FAILED),
    ("timeout", ["--fault", "no-leave"], "good", [], TIMEOUT),
    ("bad image", [], "bad", [], BAD_IMAGE),
    ("missing file", [], "missing", [], NO_INPUT),
    ("bad usage", [], "good", ["PROGRAMMER=nope"], USAGE),
    ("bad usage", [], "good", ["DFU_FILE_TYPE=hex", "FLASHFILE=fw.hex"], USAGE),
]


@pytest.mark.parametrize("what,opts,img,args,code", DFU_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(DFU_CASES)])
def test_dfu(tmp_path, what, opts, img, args, code):
    prefix, flash = cikit.vdfu(tmp_path, "f4", *opts)
    files = images(tmp_path)
    fileargs = [] if any(a.startswith("FLASHFILE=") for a in args) else [f"FLASHFILE={files[img]}"]
    r = fk_make(prefix, "BOARD=odrive-v3", "PROGRAMMER=dfu", "DFU_WAIT=4", "DFU_LEAVE_WAIT=1",
                *fileargs, *args, "flash-only")
    assert r.returncode == code, (what, out(r))
    if code in (BAD_IMAGE, NO_INPUT, USAGE, NOT_FOUND, PERM):
        assert not flash.exists() or set(flash.read_bytes()[:8192]) == {0xFF}, "nothing written"
    if code == OK:
        assert flash.read_bytes()[:6000] == files["good"].read_bytes()


# --- cpy2remed: the ST-LINK drive (vdrive) ----------------------------------------

DRIVE_CASES = [
    ("ok", [], "good", [], OK),
    ("device not found", ["--label", "NODE_F746ZG"], "good", [], NOT_FOUND),
    ("flash failed", ["--fault", "fail-next"], "good", [], FLASH_FAILED),
    ("timeout", ["--fault", "never-remount"], "good", ["CPY2REMED_TIMEOUT=1"], TIMEOUT),
    ("bad image", [], "bad", [], BAD_IMAGE),
    ("missing file", [], "missing", [], NO_INPUT),
    ("bad usage", [], "good", ["BOARD=no-such-board"], USAGE),
]


@pytest.mark.parametrize("what,opts,img,args,code", DRIVE_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(DRIVE_CASES)])
def test_cpy2remed(tmp_path, what, opts, img, args, code):
    ok, why = cikit.drive_namespace_ok(tmp_path)
    if not ok:
        pytest.skip("no private mount namespace: " + why)
    prefix, flash = cikit.vdrive(tmp_path, *opts)
    files = images(tmp_path)
    r = fk_make(prefix, "BOARD=nucleo-f401", "PROGRAMMER=cpy2remed", f"FLASHFILE={files[img]}",
                *args, "flash-only")
    assert r.returncode == code, (what, out(r))
    if code == OK:
        assert flash.read_bytes()[:6000] == files["good"].read_bytes()


# --- stm32flash: the ROM UART bootloader (vuart) ----------------------------------

UART_CASES = [
    ("ok", [], "good", [], OK),
    ("device not found", [], "good", ["PORT=/dev/flashkit-no-such-port"], NOT_FOUND),
    ("bootloader silent", ["--fault", "no-answer"], "good", [], NOT_FOUND),
    ("flash failed", ["--fault", "write-protect"], "good", [], FLASH_FAILED),
    ("flash failed", ["--fault", "nack-write=3"], "good", [], FLASH_FAILED),
    ("verify failed", ["--fault", "bad-read"], "good", [], VERIFY),
    ("bad image", [], "bad", [], BAD_IMAGE),
    ("missing file", [], "missing", [], NO_INPUT),
    ("bad usage", [], "good", ["PROGRAMMER=stm32flash-typo"], USAGE),
]


@pytest.mark.parametrize("what,opts,img,args,code", UART_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(UART_CASES)])
def test_stm32flash(tmp_path, what, opts, img, args, code):
    prefix, flash, link = cikit.vuart(tmp_path, *opts)
    files = images(tmp_path)
    portargs = [] if any(a.startswith("PORT=") for a in args) else [f"PORT={link}"]
    r = fk_make(prefix, "BOARD=nucleo-f401", "PROGRAMMER=stm32flash", f"FLASHFILE={files[img]}",
                *portargs, *args, "flash-only")
    assert r.returncode == code, (what, out(r))
    if code == OK:
        assert flash.read_bytes()[:6000] == files["good"].read_bytes()


# --- openocd: the ST-LINK probe (vstlink) in front of the virtual STM32 -----------

OPENOCD_CASES = [
    ("ok", [], "good", [], OK),
    ("device not found", ["--fault", "no-probe"], "good", [], NOT_FOUND),
    ("device not found", ["--fault", "no-power"], "good", [], NOT_FOUND),
    ("device not found", ["--fault", "swd-dead"], "good", [], NOT_FOUND),
    ("permission", ["--fault", "access"], "good", [], PERM),
    ("flash failed", ["--fault", "rdp"], "good", [], FLASH_FAILED),
    ("flash failed", ["--fault", "unreliable"], "good", [], FLASH_FAILED),
    ("bad image", [], "bad", [], BAD_IMAGE),
    ("missing file", [], "missing", [], NO_INPUT),
    ("bad usage", [], "good", ["OPENOCD_FILE_TYPE=srec", "FLASHFILE=fw.srec"], USAGE),
]


@pytest.mark.parametrize("what,opts,img,args,code", OPENOCD_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(OPENOCD_CASES)])
def test_openocd(tmp_path, what, opts, img, args, code):
    if not cikit.VSTLINK.exists() or not shutil.which("openocd"):
        pytest.skip("no virtual ST-LINK (build/vboard/vstlink) or no openocd")
    flash = tmp_path / "stlink-flash.bin"
    prefix = [cikit.VSTLINK, "--chip", "stm32f401re", "--flash-file", flash, *opts, "--"]
    files = images(tmp_path)
    fileargs = [] if any(a.startswith("FLASHFILE=") for a in args) else [f"FLASHFILE={files[img]}"]
    r = fk_make(prefix, "BOARD=nucleo-f401", "PROGRAMMER=openocd", "OPENOCD_WAIT=2",
                *fileargs, *args, "flash-only", timeout=180)
    assert r.returncode == code, (what, out(r))
    if code == OK:
        assert flash.read_bytes()[:6000] == files["good"].read_bytes()


# --- plain make says the same number -----------------------------------------------

def test_plain_make_reports_the_same_code(tmp_path):
    """Without the wrapper make exits 2, and its message carries the code."""
    prefix, _ = cikit.vdfu(tmp_path, "f4", "--start", "none")
    files = images(tmp_path)
    r = run([*prefix, "make", "--no-print-directory", "-f", FLASHKIT_MK, f"FLASHKIT={FLASHKIT}",
             "BOARD=odrive-v3", "PROGRAMMER=dfu", "DFU_WAIT=1", f"FLASHFILE={files['good']}",
             "flash-only"])
    assert r.returncode == 2 and "Error 69" in r.stderr, out(r)


def test_wrapper_maps_a_tools_own_status(tmp_path):
    """A tool outside the table (OpenOCD exits 1) is 'flash failed'; a missing tool
    is 'not found'; success stays 0."""
    mk = tmp_path / "Makefile"
    mk.write_text("one:\n\texit 1\nmissing:\n\tno-such-tool-xyz\nok:\n\ttrue\n"
                  "seventy-six:\n\texit 76\n")
    for goal, code in (("one", 74), ("missing", 69), ("ok", 0), ("seventy-six", 76)):
        r = run([FK_MAKE, "-s", "-f", mk, goal])
        assert r.returncode == code, (goal, out(r))


def test_helper_codes():
    """The helper's own usage and missing-input codes."""
    assert run([FLASHKIT, "check"]).returncode in (USAGE,)
    assert run([FLASHKIT, "no-such-command"]).returncode == USAGE
    r = run([FLASHKIT, "check", "/nonexistent.bin", "--address", "0x08000000",
             "--flash", "0x08000000:512K"])
    assert r.returncode == NO_INPUT, out(r)


def test_wrapper_at_the_repository_root():
    """The top Makefile runs the plugin in a sub-make: the sub-make's own 2 is not a
    tool's failure, so an unknown board or programmer there is still usage (64)."""
    for args in (["BOARD=no-such-board", "info"],
                 ["BOARD=nucleo-f401", "PROGRAMMER=nope", "flash"]):
        r = run([FK_MAKE, "--no-print-directory", "-C", cikit.ROOT, *args], timeout=120)
        assert r.returncode == USAGE, (args, out(r))
        assert "flashkit: unknown" in r.stderr, out(r)
