"""Every command of the README's quick reference runs at the repository root, as shown:
with FLASHFILE pointing at a real file where the command names one, against a virtual
board where it flashes, and the virtual flash is compared with the image afterwards."""
import shlex
import shutil

import pytest

from firstuse import (BUILD, FLASHKIT, ROOT, blinky, need_arm_gcc, out, quick_reference, run,
                      vdfu, vdrive, vstlink, vuart)

CMDS = quick_reference()
BLINKY = ROOT / "examples" / "blinky" / "build"


def test_quick_reference_is_short_and_covers_the_basics():
    assert 6 <= len(CMDS) <= 14, CMDS
    for must in ("make help", "make list-boards", "make BOARD=nucleo-f401 info",
                 "make BOARD=nucleo-f401 PROGRAMMER=cpy2remed flash"):
        assert must in CMDS, must


def image_files(tmp):
    """fw.bin, fw.elf for the commands that name a file: odrive-v3's blinky (a DFU board)."""
    d = blinky("odrive-v3")
    shutil.copy(d / "blinky.bin", tmp / "fw.bin")
    shutil.copy(d / "blinky.elf", tmp / "fw.elf")


@pytest.mark.parametrize("line", CMDS)
def test_quick_reference_command(line, tmp_path):
    words = shlex.split(line)
    if any(w.endswith((".bin", ".elf")) for w in words) or words[0] != "make":
        need_arm_gcc()
        image_files(tmp_path)
    # The files a command names are the ones just made; PORT is the virtual board's.
    words = [str(tmp_path / w) if w in ("fw.bin", "fw.elf", "fw.hex") else w for w in words]
    words = [w.replace("fw.bin", str(tmp_path / "fw.bin")) if w.startswith("FLASHFILE=") else w
             for w in words]
    words = [f"PORT={tmp_path / 'ttyUSB0'}" if w.startswith("PORT=") else w for w in words]
    if words[0] == "build/bin/flashkit":
        r = run([FLASHKIT, *words[1:]])
        assert r.returncode == 0, out(r)
        if "convert" in words:
            assert (tmp_path / "fw.hex").read_text().startswith(":")
        return
    assert words[0] == "make"
    words.append(f"BUILD={BUILD}")  # this test run's build of the helper
    opts = dict(w.split("=", 1) for w in words if "=" in w)
    goals = [w for w in words[1:] if "=" not in w]
    board = opts.get("BOARD", "")
    prog = opts.get("PROGRAMMER") or ("openocd" if board.startswith("nucleo") else "dfu")
    flashes = set(goals) & {"flash", "flash-only", "flash_dfu_manual", "erase"}
    if not flashes:
        r = run(words)
        assert r.returncode == 0, out(r)
        assert "No rule to make target" not in r.stderr
        if "help" in goals:
            assert "flash" in r.stdout and "list-boards" in r.stdout
        if "info" in goals:
            assert "blinky" in r.stdout
        return
    need_arm_gcc()
    if opts.get("VIRTUAL") == "1":  # the plugin brings its own virtual board
        r = run(words)
        assert r.returncode == 0, out(r)
        assert "running:" in r.stdout, out(r)
    elif prog == "cpy2remed":
        r = run(vdrive(tmp_path, *words))
        assert r.returncode == 0, out(r)
        img = (BLINKY / board / "blinky.bin").read_bytes()
        assert (tmp_path / "drive-flash.bin").read_bytes()[:len(img)] == img
    elif prog == "openocd":
        r = run(vstlink(tmp_path, *words))
        assert r.returncode == 0, out(r)
        img = (BLINKY / board / "blinky.bin").read_bytes()
        assert (tmp_path / "stlink-flash.bin").read_bytes()[:len(img)] == img
    elif prog == "stm32flash":
        r = run(vuart(tmp_path, *words))
        assert r.returncode == 0, out(r)
        img = (BLINKY / board / "blinky.bin").read_bytes()
        assert (tmp_path / "uart-flash.bin").read_bytes()[:len(img)] == img
    else:  # the DFU boards' default programmer
        family = "f7" if board == "proteus-f7" else "f4"
        r = run(vdfu(tmp_path, *words, family=family))
        assert r.returncode == 0, out(r)
        events = (tmp_path / "dfu-events.txt").read_text()
        flash = (tmp_path / "dfu-flash.bin").read_bytes()
        if "erase" in goals:
            assert "erase" in events, events
            return
        f = opts.get("FLASHFILE")
        img = open(f, "rb").read() if f else None
        if img is None:
            # make built the .dfu from blinky's ELF; the .bin (built here: the flash
            # goals build only what they flash) holds the same bytes.
            r2 = run(["make", "--no-print-directory", "-C", BLINKY.parent, f"BOARD={board}",
                      f"FLASHKIT={FLASHKIT}", "all"])
            assert r2.returncode == 0, out(r2)
            img = (BLINKY / board / "blinky.bin").read_bytes()
        offset = 0x4000 if board == "crazyflie2" else 0
        assert flash[offset:offset + len(img)] == img
    # Quiet: the tool's banner stays hidden on success.
    assert "Copyright" not in r.stdout + r.stderr
