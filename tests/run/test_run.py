"""Running what was flashed on the virtual boards (issue 13): every board with its
default programmer runs examples/blinky (the board's LED toggles, the console line
arrives); a mislinked image is a HardFault with the link address named, and a non-zero
exit; a :leave to erased flash is "no application"; make VIRTUAL=1 from a firmware
Makefile outside the tree; make VIRTUAL=1 reset runs what is in the flash."""
import re

import pytest

from runkit import (BOARDS, FLASHKIT, ROOT, VBOARD, blinky, board_vars, need_namespace,
                    need_tools, out, run, spec, verdict)


@pytest.fixture(scope="module", autouse=True)
def _tools():
    need_tools()


def virtual_flash(board, tmp_path, *args, goal="flash"):
    return run(["make", "--no-print-directory", "-C", ROOT / "examples" / "blinky",
                f"BOARD={board}", f"BUILDDIR={tmp_path / 'out'}", f"FLASHKIT={FLASHKIT}",
                "VIRTUAL=1", f"VIRTUAL_DIR={tmp_path / 'virtual'}", *args, goal], timeout=300)


@pytest.mark.parametrize("board", BOARDS)
def test_every_board_runs_blinky_with_its_default_programmer(board, tmp_path):
    v = board_vars(board, "PROGRAMMER", "BLINKY_LED_PORT", "BLINKY_LED_PIN")
    if v["PROGRAMMER"] == "cpy2remed":
        need_namespace(tmp_path)
    r = virtual_flash(board, tmp_path)
    assert r.returncode == 0, out(r)
    got = verdict(r)
    assert got, out(r)
    name, ms, line = got
    led = f"P{v['BLINKY_LED_PORT']}{v['BLINKY_LED_PIN']}"
    assert name == board and ms == "300"
    assert re.match(rf"running: LED {led} toggled [5-7] times in 300 ms, "
                    rf"console: 'blinky on {re.escape(board)}'$", line), line
    assert f"  CONSOLE blinky on {board}\n" in r.stdout
    assert "  VBOARD  " in r.stdout


@pytest.mark.parametrize("programmer", ["cpy2remed", "stm32flash", "openocd"])
def test_nucleo_runs_with_every_programmer(programmer, tmp_path):
    if programmer == "cpy2remed":
        need_namespace(tmp_path)
    r = virtual_flash("nucleo-l476rg", tmp_path, f"PROGRAMMER={programmer}", "VIRTUAL_RUN_MS=120")
    assert r.returncode == 0, out(r)
    assert verdict(r)[2].startswith("running: LED PA5 toggled 3 times in 120 ms, "
                                    "console: 'blinky on nucleo-l476rg'"), out(r)


def test_crazyflie_mislinked_is_a_hardfault(tmp_path):
    """Linked for 0x08000000 (no IMAGE_OFFSET) but written at 0x08004000 by dfu-util by
    hand: the reset vector points into the bootloader region, the chip faults."""
    out_dir = blinky("crazyflie2", tmp_path / "b", "IMAGE_OFFSET=0")
    r = run([VBOARD / "vdfu", "run", "--family", "f4", "--flash-file", tmp_path / "flash",
             "--events", tmp_path / "events", "--run", spec("crazyflie2"), "--",
             "dfu-util", "-d", "0483:df11", "-a", "0", "-s", "0x08004000:leave",
             "-D", out_dir / "blinky.bin"])
    assert r.returncode == 65, out(r)
    line = verdict(r)[2]
    assert re.match(r"HardFault at 0x080000[0-9a-f]{2} after \d+ instructions?: the image is "
                    r"linked for 0x08000000 but runs at 0x08004000$", line), line
    events = (tmp_path / "events").read_text()
    assert "leave 0x08004000: HardFault at" in events


def test_crazyflie_reset_goes_through_the_bootloader_stand_in(tmp_path):
    """A reset boots from 0x08000000: the erased bootloader region stands in for the
    Crazyflie bootloader, which starts the application at 0x08004000 (openocd's reset run)."""
    r = virtual_flash("crazyflie2", tmp_path, "PROGRAMMER=openocd", "VIRTUAL_RUN_MS=100",
                      f"VIRTUAL_LOG={tmp_path / 'log'}")
    assert r.returncode == 0, out(r)
    assert verdict(r)[2].startswith("running: LED PC0 toggled 2 times in 100 ms"), out(r)
    assert "bootloader region at 0x08000000 is erased" in (tmp_path / "log").read_text()


def test_nucleo_mislinked_copied_onto_the_drive_is_a_hardfault(tmp_path):
    """Linked for 0x08004000, dropped onto the ST-LINK drive (a .bin lands at 0x08000000)."""
    need_namespace(tmp_path)
    out_dir = blinky("nucleo-f401", tmp_path / "b", "IMAGE_OFFSET=0x4000")
    r = run([VBOARD / "vdrive", "run", "--board-flash", "0x08000000:512K", "--layout",
             "4*16K,1*64K,3*128K", "--label", "NODE_F401RE", "--flash-file", tmp_path / "flash",
             "--run", spec("nucleo-f401"), "--", "sh", "-c",
             f"cp {out_dir / 'blinky.bin'} /media/*/NODE_F401RE/ && sleep 2"])
    assert r.returncode == 65, out(r)
    line = verdict(r)[2]
    assert re.match(r"HardFault at 0x0800[0-9a-f]{4} after \d+ instructions?: the image is "
                    r"linked for 0x08004000 but runs at 0x08000000$", line), line


def test_nucleo_mislinked_through_openocd_is_a_hardfault(tmp_path):
    """The same image written at 0x08000000 by OpenOCD by hand, then reset run."""
    out_dir = blinky("nucleo-f401", tmp_path / "b", "IMAGE_OFFSET=0x4000")
    r = run([VBOARD / "vstlink", "--chip", "stm32f401re", "--flash-file", tmp_path / "flash",
             "--run", spec("nucleo-f401"), "--", "openocd", "-f", "interface/stlink.cfg",
             "-f", "target/stm32f4x.cfg", "-c", "gdb_port disabled", "-c", "tcl_port disabled",
             "-c", "telnet_port disabled",
             "-c", f"program {out_dir / 'blinky.bin'} 0x08000000 verify reset exit"])
    assert r.returncode == 65, out(r)
    assert "the image is linked for 0x08004000 but runs at 0x08000000" in verdict(r)[2], out(r)


def test_leave_to_erased_flash_is_no_application(tmp_path):
    r = run([VBOARD / "vdfu", "run", "--family", "f4", "--flash-file", tmp_path / "flash",
             "--run", spec("crazyflie2"), "--",
             "dfu-util", "-d", "0483:df11", "-a", "0", "-s", "0x08008000:leave"])
    assert r.returncode == 65, out(r)
    assert verdict(r)[2] == "no application: the flash at 0x08008000 is erased", out(r)


def test_uart_console_reaches_the_port(tmp_path):
    """stm32flash's GO starts the image; its USART2 is the port the host reads."""
    out_dir = blinky("nucleo-f401", tmp_path / "b")
    link = tmp_path / "tty"
    script = (f"stm32flash -b 115200 -w {out_dir / 'blinky.bin'} -v -g 0x08000000 {link} "
              f">/dev/null 2>&1 && timeout 2 cat {link} > {tmp_path / 'console'}; true")
    r = run([VBOARD / "vuart", "--flash", tmp_path / "flash", "--link", link, "--log", "/dev/null",
             "--run", spec("nucleo-f401"), "--", "sh", "-c", script])
    assert r.returncode == 0, out(r)
    assert verdict(r)[2].startswith("running: LED PA5 toggled"), out(r)


def test_out_of_tree_firmware_makefile(tmp_path):
    """A user's own firmware Makefile includes the plugin; make VIRTUAL=1 flash, then
    make VIRTUAL=1 erase and reset: an erased chip is "no application", exit 65."""
    built = blinky("nucleo-l476rg", tmp_path / "b")
    fw = tmp_path / "myfw"
    fw.mkdir()
    (fw / "fw.elf").write_bytes((built / "blinky.elf").read_bytes())
    (fw / "Makefile").write_text(
        "BOARD ?= nucleo-l476rg\n"
        "ELFFILE = fw.elf\n"
        f"include {ROOT}/makefiles/flashkit.mk\n")
    base = ["make", "--no-print-directory", "-C", fw, f"FLASHKIT={FLASHKIT}", "VIRTUAL=1",
            "VIRTUAL_RUN_MS=100"]
    r = run([*base, "flash"], timeout=300)
    assert r.returncode == 0, out(r)
    assert verdict(r)[2].startswith("running: LED PA5 toggled 2 times in 100 ms, "
                                    "console: 'blinky on nucleo-l476rg'"), out(r)
    assert (fw / "build" / "virtual" / "nucleo-l476rg.flash").exists()
    # the flash is kept: a reset runs it again
    r = run([*base, "reset"], timeout=300)
    assert r.returncode == 0, out(r)
    assert verdict(r)[2].startswith("running: LED PA5 toggled"), out(r)
    r = run([*base, "erase"], timeout=300)
    assert r.returncode == 0, out(r)
    assert not verdict(r), out(r)
    r = run([*base, "reset"], timeout=300)
    # make's own status is 2; the front end's 65 is in make's error line
    assert r.returncode != 0 and "Error 65" in r.stderr, out(r)
    assert verdict(r)[2] == "no application: the flash at 0x08000000 is erased", out(r)


def test_virtual_refuses_goals_it_cannot_run(tmp_path):
    r = virtual_flash("nucleo-f401", tmp_path, goal="debug-server")
    assert r.returncode != 0
    assert "VIRTUAL=1 runs" in r.stderr


def test_installed_flashkit_runs_virtual_boards(tmp_path):
    """make install puts the vboard programs in PREFIX/libexec/flashkit; a firmware that
    includes the installed plugin runs VIRTUAL=1 without the source tree."""
    prefix = tmp_path / "prefix"
    r = run(["make", "--no-print-directory", "-C", ROOT, f"BUILD={FLASHKIT.parent.parent}",
             f"PREFIX={prefix}", "install"], timeout=900)
    assert r.returncode == 0, out(r)
    for p in ("vdfu", "vdrive", "vuart", "vstlink", "ttyshim.so"):
        assert (prefix / "libexec" / "flashkit" / p).exists(), p
    built = blinky("nucleo-g071rb", tmp_path / "b")
    fw = tmp_path / "fw"
    fw.mkdir()
    (fw / "fw.elf").write_bytes((built / "blinky.elf").read_bytes())
    (fw / "Makefile").write_text(
        "BOARD = nucleo-g071rb\nELFFILE = fw.elf\n"
        f"include {prefix}/share/flashkit/makefiles/flashkit.mk\n")
    r = run(["make", "--no-print-directory", "-C", fw, "VIRTUAL=1", "VIRTUAL_RUN_MS=100", "V=1",
             "flash"], timeout=300)
    assert r.returncode == 0, out(r)
    assert f"{prefix}/libexec/flashkit/vstlink" in r.stdout, out(r)
    assert verdict(r)[2].startswith("running: LED PA5 toggled 2 times in 100 ms, "
                                    "console: 'blinky on nucleo-g071rb'"), out(r)


@pytest.mark.parametrize("board,programmer,led", [("nucleo-f767zi", "dfu", "PB0"),
                                                  ("nucleo-f401", "stm32flash", "PA5")])
def test_make_reset_runs_the_flash_again(board, programmer, led, tmp_path):
    """make VIRTUAL=1 reset: DFU's :leave, the UART bootloader's GO."""
    r = virtual_flash(board, tmp_path, f"PROGRAMMER={programmer}", "VIRTUAL_RUN_MS=100")
    assert r.returncode == 0, out(r)
    r = virtual_flash(board, tmp_path, f"PROGRAMMER={programmer}", "VIRTUAL_RUN_MS=100",
                      goal="reset")
    assert r.returncode == 0, out(r)
    assert verdict(r)[2].startswith(f"running: LED {led} toggled 2 times in 100 ms, "
                                    f"console: 'blinky on {board}'"), out(r)


def other_programmers():
    """(board, programmer, LED) for every programmer a board supports besides its
    default (the default ones are above). OpenOCD on a chip Debian's 0.12 cannot
    drive (STM32C0) is the too-old detection, tested in tests/plugin."""
    pairs = []
    for board in BOARDS:
        v = board_vars(board, "PROGRAMMER", "PROGRAMMERS_SUPPORTED", "BLINKY_LED_PORT",
                       "BLINKY_LED_PIN", "OPENOCD_MIN_VERSION")
        for programmer in v["PROGRAMMERS_SUPPORTED"].split():
            if programmer == v["PROGRAMMER"]:
                continue
            if programmer == "openocd" and v["OPENOCD_MIN_VERSION"]:
                continue
            pairs.append((board, programmer, f"P{v['BLINKY_LED_PORT']}{v['BLINKY_LED_PIN']}"))
    return pairs


@pytest.mark.parametrize("board,programmer,led", other_programmers())
def test_every_board_with_every_programmer_it_supports(board, programmer, led, tmp_path):
    """make VIRTUAL=1 flash for any board and programmer."""
    if programmer == "cpy2remed":
        need_namespace(tmp_path)
    r = virtual_flash(board, tmp_path, f"PROGRAMMER={programmer}", "VIRTUAL_RUN_MS=100")
    assert r.returncode == 0, out(r)
    assert verdict(r)[2] == (f"running: LED {led} toggled 2 times in 100 ms, "
                             f"console: 'blinky on {board}'"), out(r)


def test_virtual_erase_and_reset_say_each_step_once(tmp_path):
    """The inner make prints erase's and reset's lines; the outer one adds no copy."""
    for goal, line in (("erase", "  ERASE   openocd  stm32f401re (mass erase)"),
                       ("reset", "  RESET   openocd  stm32f401re")):
        r = virtual_flash("nucleo-f401", tmp_path, goal=goal)
        assert r.stdout.count(line) == 1, (goal, out(r))
