"""The file and image checks come before anything that waits for a device or asks the
user for a button sequence: a missing or wrong file fails at once, not after DFU_WAIT.

No board is attached: if a recipe waited, it would wait the whole DFU_WAIT (set far
beyond the subprocess timeout), so a wait shows up as a timeout, not as a slow pass."""
import struct
import subprocess

import golden

FLASHKIT = golden.ROOT / "build" / "bin" / "flashkit"
WAIT = ["DFU_WAIT=600", f"FLASHKIT={FLASHKIT}"]


def run(*args, cwd=golden.ROOT):
    return subprocess.run(["make", "--no-print-directory", "-f", str(golden.MK), *args],
                          cwd=cwd, capture_output=True, text=True, timeout=60)


def test_missing_file_fails_before_the_dfu_wait():
    r = run("BOARD=odrive-v3", "FLASHFILE=nope.bin", *WAIT, "flash-only")
    o = r.stdout + r.stderr
    assert r.returncode == 2 and "Error 66" in o, o
    assert "nope.bin" in o
    assert "WAIT" not in o and "waiting" not in o


def test_missing_file_fails_before_the_serial_port_check():
    r = run("BOARD=nucleo-f401", "PROGRAMMER=stm32flash", "FLASHFILE=nope.bin",
            "PORT=/dev/ttyNOPE", *WAIT, "flash-only")
    o = r.stdout + r.stderr
    assert r.returncode == 2 and "Error 66" in o, o
    assert "ttyNOPE" not in o


def test_dfu_into_the_crazyflie_bootloader_is_refused_before_the_button_sequence(tmp_path):
    # An application image built for 0x08000000, as a DfuSe file: it carries its address.
    img = struct.pack("<II", 0x20020000, 0x08000101) + bytes(4088)
    (tmp_path / "fw.bin").write_bytes(img)
    subprocess.run([FLASHKIT, "dfu", tmp_path / "fw.bin", "--address", "0x08000000",
                    "-o", tmp_path / "fw.dfu"], check=True)
    for target in ("flash_dfu_manual", "flash_dfu", "flash-only"):
        r = run("BOARD=crazyflie2", f"FLASHFILE={tmp_path / 'fw.dfu'}", *WAIT, target)
        o = r.stdout + r.stderr
        assert r.returncode == 2 and "Error 65" in o, (target, o)
        assert "0x08000000" in o
        assert "hold the power button" not in o, target     # no button sequence asked for
        assert "DETACH" not in o and "WAIT" not in o, target


def test_a_file_that_is_not_firmware_says_so_in_words(tmp_path):
    logo = tmp_path / "logo.bin"          # a PNG renamed: the programmer takes .bin
    logo.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(2000))
    r = run("BOARD=odrive-v3", f"FLASHFILE={logo}", *WAIT, "flash-only")
    o = r.stdout + r.stderr
    assert r.returncode == 2 and "Error 65" in o, o
    lines = [l for l in r.stderr.splitlines() if l.startswith("flashkit:")]
    assert lines == [f"flashkit: {logo}: this is a PNG image, not firmware: there is no "
                     "Cortex-M vector table at its start"], o


def test_missing_bootloader_file_fails_before_the_dfu_wait():
    r = run("BOARD=crazyflie2", "BOOTLOADER_FILE=nope-loader.bin", *WAIT, "flash-bootloader")
    o = r.stdout + r.stderr
    assert r.returncode == 2 and "Error 66" in o, o
    assert "nope-loader.bin" in o
    assert "WAIT" not in o and "waiting" not in o


def test_debug_with_a_missing_elf_fails_before_the_probe_wait():
    r = run("BOARD=nucleo-f401", "ELFFILE=nope.elf", "OPENOCD_WAIT=600", f"FLASHKIT={FLASHKIT}", "debug")
    o = r.stdout + r.stderr
    assert r.returncode == 2 and "Error 66" in o, o
    assert "flashkit: nope.elf" in o
    assert "WAIT" not in o and "waiting" not in o and "gdb" not in o.lower()
