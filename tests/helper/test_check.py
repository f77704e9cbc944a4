"""flashkit check: each rule fails with one line saying what to do (exit 65),
a good image gives one OK line; the board is a Crazyflie 2 (STM32F405, 1 MiB
flash, 128 KiB RAM, 16 KiB bootloader, application at 0x08004000)."""
import subprocess

import pytest

from dfukit import app_bin, format_ready, one_line_error

BOARD = ["--flash", "0x08000000:1M", "--ram", "0x20000000:128K", "--protect", "0x08000000:16K"]


def test_check_ok(fk, tmp_path):
    b = app_bin(tmp_path / "fw.bin", reset=0x08004189)
    r = fk("check", b, "--address", "0x08004000", *BOARD)
    assert r.returncode == 0, r.stderr
    assert r.stdout == (f"{b}: OK: 0x08004000-0x08004fff, 4096 bytes (0.4% of 1 MiB flash at "
                        "0x08000000), clear of 0x08000000-0x08003fff, SP 0x20020000, "
                        "reset 0x08004189\n")
    assert r.stderr == ""


def test_check_bootloader_region(fk, tmp_path):
    b = app_bin(tmp_path / "fw.bin")
    line = one_line_error(fk("check", b, "--address", "0x08000000", *BOARD))
    assert line == (f"flashkit: {b}: image starts at 0x08000000, inside the protected bootloader "
                    "region 0x08000000-0x08003fff; link the application at 0x08004000 "
                    "(IMAGE_OFFSET) or use the recovery target")
    # without --protect (the recovery target) the same image passes
    assert fk("check", b, "--address", "0x08000000", *BOARD[:4]).returncode == 0


def test_check_sp_at_end_of_ram(fk, tmp_path):
    ok = app_bin(tmp_path / "ok.bin", sp=0x20020000, reset=0x08004101)
    assert fk("check", ok, "--address", "0x08004000", *BOARD).returncode == 0
    bad = app_bin(tmp_path / "bad.bin", sp=0x20020004, reset=0x08004101)
    line = one_line_error(fk("check", bad, "--address", "0x08004000", *BOARD))
    assert "initial SP 0x20020004" in line and "outside RAM 0x20000000-0x2001ffff" in line


def test_check_each_failure_one_line(fk, tmp_path):
    b = app_bin(tmp_path / "fw.bin", sp=0x20020004, reset=0x08000101, size=1024 * 1024 + 4)
    r = fk("check", b, "--address", "0x08000000", *BOARD)
    assert r.returncode == 65
    err = r.stderr.strip().splitlines()
    assert len(err) == 3, r.stderr
    assert all(x.startswith(f"flashkit: {b}: ") for x in err)
    assert "past the end of flash" in err[0]
    assert "protected bootloader region" in err[1]
    assert "initial SP 0x20020004" in err[2]
    b = app_bin(tmp_path / "fw.bin", reset=0x08004100)
    line = one_line_error(fk("check", b, "--address", "0x08004000", *BOARD))
    assert "reset vector 0x08004100" in line and "is even" in line
    assert r.stdout == ""


def test_check_no_vector_table_is_one_line_saying_not_firmware(fk, tmp_path):
    b = app_bin(tmp_path / "fw.bin", sp=0xFFFFFFFF, reset=0x00000100)
    line = one_line_error(fk("check", b, "--address", "0x08004000", *BOARD))
    assert line == (f"flashkit: {b}: this does not look like firmware: no Cortex-M vector table "
                    "at 0x08004000 (initial SP 0xffffffff, reset vector 0x00000100); is it the "
                    "right file, and does it start with its vector table?")


@pytest.mark.parametrize("name,head,kind", [
    ("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "a PNG image"),
    ("fw.zip", b"PK\x03\x04\x14\0\0\0", "a ZIP archive"),
    ("notes.bin", b"Release notes for version 1.2\n", "text"),
    ("fw.uf2", b"UF2\nWQ]\x9e\0\0\0\0", "a UF2 file"),
])
def test_check_names_what_a_non_firmware_file_is(fk, tmp_path, name, head, kind):
    p = tmp_path / name
    p.write_bytes(head * 8 + bytes(512))
    line = one_line_error(fk("check", p, "--address", "0x08004000", *BOARD))
    assert f"this is {kind}" in line and "not firmware" in line


def test_check_bin_without_address(fk, tmp_path):
    b = app_bin(tmp_path / "fw.bin")
    line = one_line_error(fk("check", b, *BOARD))
    assert "below flash" in line and "--address 0x08000000" in line


def test_check_too_big(fk, tmp_path):
    b = app_bin(tmp_path / "fw.bin", reset=0x08004101, size=1024 * 1024 - 0x4000 + 4)
    line = one_line_error(fk("check", b, "--address", "0x08004000", *BOARD))
    assert "image ends at 0x08100003, 4 bytes past the end of flash 0x08000000-0x080fffff (1 MiB)" in line


def test_check_dfu_input(fk, tmp_path):
    app = app_bin(tmp_path / "app.bin", reset=0x08004101)
    opt = tmp_path / "opt.bin"
    opt.write_bytes(b"\xaa\x55\x00\xff")
    d = tmp_path / "fw.dfu"
    assert fk("dfu", "--alt", "0", "--address", "0x08004000", app, "--alt", "1", "--address",
              "0x1fffc000", opt, "-o", d).returncode == 0
    r = fk("check", d, *BOARD)
    assert r.returncode == 0, r.stderr
    assert "OK: 0x08004000-0x08004fff" in r.stdout


def test_check_elf(fk, tmp_path):
    src = tmp_path / "m.c"
    src.write_text(
        "__attribute__((section(\".vectors\"), used)) const unsigned vec[2] =\n"
        "  { 0x20020000u, 0x08004101u };\n"
        "void _start(void) { for (;;) ; }\n")
    elf = tmp_path / "m.elf"
    subprocess.run(["arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb", "-nostdlib",
                    "-Wl,--section-start=.vectors=0x08004000", "-Wl,-Ttext=0x08004100",
                    "-Wl,-e,_start", "-o", str(elf), str(src)], check=True)
    if not format_ready(fk, tmp_path, elf):
        pytest.skip("elf reader not merged yet")
    r = fk("check", elf, *BOARD)
    assert r.returncode == 0, r.stderr
    line = one_line_error(fk("check", elf, "--flash", "0x08000000:1M", "--ram", "0x20000000:128K",
                             "--protect", "0x08000000:32K"))
    assert "link the application at 0x08008000" in line


def test_check_usage(fk, tmp_path):
    b = app_bin(tmp_path / "fw.bin")
    assert "--flash" in one_line_error(fk("check", b), 64)
    one_line_error(fk("check", b, "--flash", "0x08000000"), 64)
    one_line_error(fk("check", b, "--flash", "0x08000000:0"), 64)
    one_line_error(fk("check", b, "--flash", "0xffffff00:1K"), 64)
    one_line_error(fk("check", "--flash", "0x08000000:1M"), 64)
    one_line_error(fk("check", b, "--flash", "0x08000000:1M", "--frob"), 64)
    one_line_error(fk("check", tmp_path / "none.bin", "--flash", "0x08000000:1M"), 66)
    r = fk("check", "--help")
    assert r.returncode == 0 and "--protect" in r.stdout
