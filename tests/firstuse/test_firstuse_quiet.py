"""Quiet means quiet: a flash through each programmer shows none of the tool's own
lines (banner, GPIO sequence, suffix warning) unless V=1 or the tool fails; then all
of them, followed by flashkit's hints, with the tool's exit code."""
import pytest

from firstuse import (BANNER, FLASHKIT, ROOT, blinky, need_arm_gcc, out, run, vdfu, vdrive,
                      vstlink, vuart)

MK = ROOT / "makefiles" / "flashkit.mk"


def mk(*args):
    return ["make", "--no-print-directory", "-f", MK, f"FLASHKIT={FLASHKIT}", *args]


@pytest.fixture(scope="module")
def images():
    need_arm_gcc()
    return {b: blinky(b) for b in ("nucleo-f401", "odrive-v3")}


def flash(images, tmp, prog, *more, fault=None):
    """make ... flash-only through prog against its virtual board."""
    if prog == "dfu":
        cmd = mk("BOARD=odrive-v3", f"FLASHFILE={images['odrive-v3'] / 'blinky.dfu'}", *more, "flash-only")
        return run(vdfu(tmp, *cmd, extra=["--fault", fault] if fault else []))
    f401 = f"FLASHFILE={images['nucleo-f401'] / 'blinky.bin'}"
    if prog == "stm32flash":
        cmd = mk("BOARD=nucleo-f401", "PROGRAMMER=stm32flash", f"PORT={tmp / 'ttyUSB0'}",
                 "STM32FLASH_RESET=1", f401, *more, "flash-only")
        return run(vuart(tmp, *cmd, extra=["--fault", fault] if fault else []))
    if prog == "openocd":
        cmd = mk("BOARD=nucleo-f401", "PROGRAMMER=openocd", f401, *more, "flash-only")
        return run(vstlink(tmp, *cmd, extra=["--fault", fault] if fault else []))
    cmd = mk("BOARD=nucleo-f401", "PROGRAMMER=cpy2remed", f401, *more, "flash-only")
    return run(vdrive(tmp, *cmd, extra=["--fault", fault] if fault else []))


FAULTS = {"dfu": "stall=100", "stm32flash": "nack-write", "openocd": "swd-dead"}


@pytest.mark.parametrize("prog", ["dfu", "stm32flash", "openocd"])
def test_tool_banner_only_with_v1_or_on_failure(prog, images, tmp_path):
    (tmp_path / "q").mkdir()
    quiet = flash(images, tmp_path / "q", prog)
    assert quiet.returncode == 0, out(quiet)
    text = quiet.stdout + quiet.stderr
    for line in BANNER[prog]:
        assert line not in text, out(quiet)
    assert "  FLASH   " in quiet.stdout

    (tmp_path / "v").mkdir()
    loud = flash(images, tmp_path / "v", prog, "V=1")
    assert loud.returncode == 0, out(loud)
    for line in BANNER[prog]:
        assert line in loud.stdout + loud.stderr, out(loud)

    (tmp_path / "f").mkdir()
    failed = flash(images, tmp_path / "f", prog, fault=FAULTS[prog])
    assert failed.returncode != 0, out(failed)
    err = failed.stderr
    assert BANNER[prog][0] in err, out(failed)
    # The tool's words first, then flashkit's hints.
    assert "\nflashkit: " in err[err.index(BANNER[prog][0]):], out(failed)
    assert "left the bus and jumped" not in failed.stdout  # no success after a failure


def test_drive_copy_is_quiet_and_explains_failure(images, tmp_path):
    """cpy2remed's tool is the helper itself: its short lines only; V=1 adds the command."""
    (tmp_path / "q").mkdir()
    r = flash(images, tmp_path / "q", "cpy2remed")
    assert r.returncode == 0, out(r)
    for line in r.stdout.splitlines():
        assert line.startswith("  ") or ": OK: " in line or line.startswith("flashkit:"), out(r)
    assert "'copy'" not in r.stdout and " copy '" not in r.stdout
    (tmp_path / "v").mkdir()
    r = flash(images, tmp_path / "v", "cpy2remed", "V=1")
    assert r.returncode == 0 and " copy '" in r.stdout, out(r)
    (tmp_path / "f").mkdir()
    r = flash(images, tmp_path / "f", "cpy2remed", fault="fail-next")
    assert r.returncode != 0 and "FAIL.TXT" in r.stderr, out(r)
    assert "flashkit: cpy2remed failed on nucleo-f401" in r.stderr


@pytest.mark.parametrize("prog", ["dfu", "stm32flash", "openocd", "cpy2remed"])
def test_make_s_prints_nothing_extra(prog, images, tmp_path):
    """make -s: a good flash prints nothing at all (the virtual board's own log aside)."""
    r = flash(images, tmp_path, prog, "-s")
    assert r.returncode == 0, out(r)
    said = [l for l in (r.stdout + r.stderr).splitlines() if l and not l.startswith("vdrive:")]
    assert said == [], out(r)


def test_make_flash_on_a_dfu_board_flashes_the_dfuse_file(images, tmp_path):
    """From the ELF, make flash builds the .dfu with the board's ids: even with V=1
    (dfu-util says everything) there is no suffix warning."""
    elf = images["odrive-v3"] / "blinky.elf"
    cmd = mk("BOARD=odrive-v3", f"ELFFILE={elf}", "V=1", "flash")
    r = run(vdfu(tmp_path, *cmd))
    assert r.returncode == 0, out(r)
    text = r.stdout + r.stderr
    assert "dfu-util 0.11" in text and "-D '" + str(images["odrive-v3"] / "blinky.dfu") + "'" in text, out(r)
    assert "Invalid DFU suffix signature" not in text and "suffix" not in text.lower().replace("dfu-suffix", ""), out(r)
