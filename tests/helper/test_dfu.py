"""DfuSe files and the DFU suffix, cross-checked with dfu-util's own tools.

`flashkit suffix` must agree with `dfu-suffix` both ways (byte for byte),
`flashkit dfu` must write the layout of ST UM0391 that dfu-util reads, and
every bad input must give exit 65, one line, and no output file."""
import os
import shutil
import stat
import struct
import subprocess
import zlib

import pytest

from dfukit import (DFU_SUFFIX, DFU_UTIL, app_bin, fix_crc, format_ready, one_line_error,
                    parse_dfuse, run)


# ---------------------------------------------------------------- suffix

@pytest.mark.parametrize("ids", [[], ["--vid", "0483", "--pid", "df11", "--device", "2200"],
                                 ["--vid", "0x1209", "--pid", "0x0001"]])
def test_suffix_add_is_byte_identical_to_dfu_suffix(fk, tmp_path, ids):
    ours = app_bin(tmp_path / "ours.bin")
    theirs = tmp_path / "theirs.bin"
    shutil.copy(ours, theirs)
    r = fk("suffix", "add", ours, *ids)
    assert r.returncode == 0, r.stderr
    du = {"--vid": "-v", "--pid": "-p", "--device": "-d"}
    dargs = [du.get(a, a.replace("0x", "")) for a in ids]
    run([DFU_SUFFIX, *dargs, "-a", theirs], check=True)
    assert ours.read_bytes() == theirs.read_bytes()


def test_our_suffix_passes_dfu_suffix_check(fk, tmp_path):
    f = app_bin(tmp_path / "fw.bin")
    assert fk("suffix", "add", f, "--vid", "0483", "--pid", "df11").returncode == 0
    r = run([DFU_SUFFIX, "-c", f])
    assert r.returncode == 0, r.stderr
    assert "Vendor ID:\t0x0483" in r.stdout
    assert "Product ID:\t0xDF11" in r.stdout
    assert "BCD DFU:\t0x0100" in r.stdout
    # and dfu-suffix sees it is there: it refuses to add a second one
    assert run([DFU_SUFFIX, "-a", f]).returncode == 65


def test_we_accept_dfu_suffix_output(fk, tmp_path):
    f = app_bin(tmp_path / "fw.bin")
    orig = f.read_bytes()
    run([DFU_SUFFIX, "-v", "0483", "-p", "df11", "-d", "2200", "-a", f], check=True)
    r = fk("suffix", "check", f)
    assert r.returncode == 0, r.stderr
    assert f"{f}: DFU suffix OK" in r.stdout
    assert "idVendor:  0x0483" in r.stdout and "idProduct: 0xdf11" in r.stdout
    assert "bcdDevice: 0x2200" in r.stdout and "bcdDFU:    0x0100 (DFU 1.0)" in r.stdout
    # matching ids given on the command line pass, others fail
    assert fk("suffix", "check", f, "--vid", "0483", "--pid", "df11").returncode == 0
    line = one_line_error(fk("suffix", "check", f, "--pid", "df12"))
    assert "is for 0483:df11" in line
    # info strips the suffix: the data is the original file
    r = fk("info", f, "--address", "0x08000000")
    assert r.returncode == 0, r.stderr
    assert f"total: {len(orig)}" in r.stdout
    assert f"crc32: 0x{zlib.crc32(orig):08x}" in r.stdout
    assert "suffix: vid 0x0483 pid 0xdf11 device 0x2200 dfu 0x0100" in r.stdout
    assert r.stdout.rstrip().splitlines()[-1].endswith("valid")
    # remove gives back the original bytes, and dfu-suffix agrees it is gone
    assert fk("suffix", "remove", f).returncode == 0
    assert f.read_bytes() == orig
    assert run([DFU_SUFFIX, "-c", f]).returncode == 65


def test_dfu_suffix_removes_ours(fk, tmp_path):
    f = app_bin(tmp_path / "fw.bin")
    orig = f.read_bytes()
    assert fk("suffix", "add", f).returncode == 0
    run([DFU_SUFFIX, "-D", f], check=True)
    assert f.read_bytes() == orig


def test_suffix_refusals(fk, tmp_path):
    f = app_bin(tmp_path / "fw.bin")
    orig = f.read_bytes()
    line = one_line_error(fk("suffix", "check", f))
    assert "no DFU suffix" in line
    line = one_line_error(fk("suffix", "remove", f))
    assert "no DFU suffix" in line
    assert f.read_bytes() == orig
    assert fk("suffix", "add", f).returncode == 0
    added = f.read_bytes()
    line = one_line_error(fk("suffix", "add", f))
    assert "already has a DFU suffix" in line
    assert f.read_bytes() == added
    # a damaged file: check and remove refuse, remove --force strips it
    damaged = bytearray(added)
    damaged[100] ^= 0xFF
    f.write_bytes(bytes(damaged))
    line = one_line_error(fk("suffix", "check", f))
    assert "CRC" in line and "damaged" in line
    one_line_error(fk("suffix", "remove", f))
    assert fk("suffix", "remove", "--force", f).returncode == 0
    assert len(f.read_bytes()) == len(orig)
    # a plain file cannot be marked DfuSe
    line = one_line_error(fk("suffix", "add", f, "--spec", "011a"))
    assert "no DfuSe prefix" in line
    assert sorted(os.listdir(tmp_path)) == ["fw.bin"]


def test_suffix_usage(fk, tmp_path):
    f = app_bin(tmp_path / "fw.bin")
    one_line_error(fk("suffix", "frob", f), 64)
    one_line_error(fk("suffix", "add"), 64)
    one_line_error(fk("suffix", "add", f, "--vid", "12345"), 64)
    one_line_error(fk("suffix", "add", f, "--spec", "0110"), 64)
    one_line_error(fk("suffix", "add", f, "--bogus"), 64)
    one_line_error(fk("suffix", "add", tmp_path / "missing.bin"), 66)
    r = fk("suffix", "--help")
    assert r.returncode == 0 and "dfu-suffix" in r.stdout


def test_suffix_keeps_mode_and_follows_symlinks(fk, tmp_path):
    f = app_bin(tmp_path / "fw.bin")
    f.chmod(0o640)
    link = tmp_path / "link.bin"
    link.symlink_to("fw.bin")
    assert fk("suffix", "add", link).returncode == 0
    assert link.is_symlink()
    assert stat.S_IMODE(f.stat().st_mode) == 0o640
    assert run([DFU_SUFFIX, "-c", f]).returncode == 0


def test_suffix_on_dfuse_file_defaults_to_011a(fk, tmp_path):
    b = app_bin(tmp_path / "fw.bin")
    d = tmp_path / "fw.dfu"
    assert fk("dfu", b, "--address", "0x08000000", "-o", d).returncode == 0
    assert fk("suffix", "remove", d).returncode == 0
    assert fk("suffix", "add", d, "--vid", "0483", "--pid", "df11", "--device", "ffff").returncode == 0
    parse_dfuse(d.read_bytes())


# ---------------------------------------------------------------- DfuSe

def test_dfu_bin_at_0x08000000_has_um0391_layout(fk, tmp_path):
    b = app_bin(tmp_path / "fw.bin", size=10000)
    d = tmp_path / "fw.dfu"
    r = fk("dfu", b, "-o", d, "--address", "0x08000000")
    assert r.returncode == 0, r.stderr
    blob = d.read_bytes()
    assert len(blob) == 11 + 274 + 8 + 10000 + 16
    targets, suffix = parse_dfuse(blob)
    assert targets == [(0, "Internal Flash", [(0x08000000, b.read_bytes())])]
    assert suffix == dict(device=0xFFFF, pid=0xDF11, vid=0x0483, dfu=0x011A)
    # dfu-suffix accepts the suffix and reads the DfuSe spec number
    r = run([DFU_SUFFIX, "-c", d])
    assert r.returncode == 0 and "BCD DFU:\t0x011A" in r.stdout


def test_dfu_util_reads_our_suffix(fk, tmp_path):
    """dfu-util 0.11 parses the file before it looks for a device: it takes
    the ids from our suffix and does not warn about it (no device here, so it
    then stops with 'No DFU capable USB device')."""
    b = app_bin(tmp_path / "fw.bin")
    d = tmp_path / "fw.dfu"
    assert fk("dfu", b, "--address", "0x08000000", "-o", d).returncode == 0
    r = run([DFU_UTIL, "-D", d], timeout=30)
    out = r.stdout + r.stderr
    assert "Match vendor ID from file: 0483" in out
    assert "Match product ID from file: df11" in out
    assert "Invalid DFU suffix" not in out
    # the same file with the CRC damaged is not taken as suffixed
    blob = bytearray(d.read_bytes())
    blob[-1] ^= 0xFF
    d.write_bytes(bytes(blob))
    r = run([DFU_UTIL, "-D", d], timeout=30)
    assert "Match vendor ID from file" not in r.stdout + r.stderr


def test_dfu_several_elements_alts_names_ids(fk, tmp_path):
    boot = app_bin(tmp_path / "boot.bin", size=1024, seed=3)
    app = app_bin(tmp_path / "app.bin", reset=0x08004189, size=2048, seed=5)
    opt = tmp_path / "opt.bin"
    opt.write_bytes(bytes([0xAA, 0xE8, 0x55, 0x17]))
    d = tmp_path / "all.dfu"
    r = fk("dfu", "--alt", "0", "--address", "0x08000000", boot, "--address", "0x08004000", app,
           "--alt", "1", "--name", "My Option Bytes", "--address", "0x1fffc000", opt,
           "-o", d, "--vid", "1209", "--pid", "0x0001", "--device", "0200")
    assert r.returncode == 0, r.stderr
    targets, suffix = parse_dfuse(d.read_bytes())
    assert targets == [
        (0, "Internal Flash", [(0x08000000, boot.read_bytes()), (0x08004000, app.read_bytes())]),
        (1, "My Option Bytes", [(0x1FFFC000, opt.read_bytes())]),
    ]
    assert suffix == dict(device=0x0200, pid=0x0001, vid=0x1209, dfu=0x011A)
    # a DfuSe input keeps its targets, names and data
    d2 = tmp_path / "again.dfu"
    assert fk("dfu", d, "-o", d2, "--vid", "1209", "--pid", "0001", "--device", "0200").returncode == 0
    assert d2.read_bytes() == d.read_bytes()


def test_dfu_contiguous_inputs_merge_into_one_element(fk, tmp_path):
    a = app_bin(tmp_path / "a.bin", size=1024)
    b = tmp_path / "b.bin"
    b.write_bytes(b"\x01" * 512)
    d = tmp_path / "x.dfu"
    assert fk("dfu", "--address", "0x08000000", a, "--address", "0x08000400", b,
              "-o", d).returncode == 0
    targets, _ = parse_dfuse(d.read_bytes())
    assert targets == [(0, "Internal Flash", [(0x08000000, a.read_bytes() + b.read_bytes())])]


def test_dfu_address_after_the_input(fk, tmp_path):
    """The make plugin's form: one --address anywhere places the input."""
    b = app_bin(tmp_path / "fw.bin")
    d = tmp_path / "fw.dfu"
    assert fk("dfu", b, "-o", d, "--address", "0x08004000").returncode == 0
    targets, _ = parse_dfuse(d.read_bytes())
    assert targets[0][2][0][0] == 0x08004000


def test_dfu_from_hex_and_elf(fk, tmp_path):
    b = app_bin(tmp_path / "fw.bin", size=3000)
    hexf = tmp_path / "fw.hex"
    subprocess.run(["objcopy", "-I", "binary", "-O", "ihex", "--change-addresses",
                    "0x08000000", str(b), str(hexf)], check=True)
    src = tmp_path / "m.c"
    src.write_text(
        "__attribute__((section(\".vectors\"), used)) const unsigned vec[2] =\n"
        "  { 0x20020000u, 0x08000101u };\n"
        "void _start(void) { for (;;) ; }\n"
        "const char msg[] = \"hello\";\n")
    elf = tmp_path / "m.elf"
    subprocess.run(["arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb", "-nostdlib", "-O1",
                    "-Wl,--section-start=.vectors=0x08000000", "-Wl,-Ttext=0x08000100",
                    "-Wl,-e,_start", "-o", str(elf), str(src)], check=True)
    if not (format_ready(fk, tmp_path, hexf) and format_ready(fk, tmp_path, elf)):
        pytest.skip("hex/elf readers not merged yet")
    d = tmp_path / "fw.dfu"
    assert fk("dfu", hexf, "-o", d).returncode == 0
    targets, _ = parse_dfuse(d.read_bytes())
    assert targets == [(0, "Internal Flash", [(0x08000000, b.read_bytes())])]
    # the ELF's loadable bytes, at their addresses, as objcopy sees them
    d2 = tmp_path / "m.dfu"
    assert fk("dfu", elf, "-o", d2).returncode == 0
    targets, _ = parse_dfuse(d2.read_bytes())
    ref = tmp_path / "ref.hex"
    subprocess.run(["arm-none-eabi-objcopy", "-O", "ihex", str(elf), str(ref)], check=True)
    d3 = tmp_path / "ref.dfu"
    assert fk("dfu", ref, "-o", d3).returncode == 0
    # objcopy writes sections, flashkit PT_LOAD segments (which may include
    # alignment padding between sections): every byte objcopy has must match
    ours = {a + i: v for a, data in targets[0][2] for i, v in enumerate(data)}
    for a, data in parse_dfuse(d3.read_bytes())[0][0][2]:
        assert all(ours.get(a + i) == v for i, v in enumerate(data)), hex(a)
    assert targets[0][2][0][0] == 0x08000000
    assert targets[0][2][0][1][:8] == struct.pack("<II", 0x20020000, 0x08000101)


def test_dfu_errors_leave_no_output(fk, tmp_path):
    b = app_bin(tmp_path / "fw.bin")
    good = tmp_path / "good.dfu"
    assert fk("dfu", b, "--address", "0x08000000", "-o", good).returncode == 0
    blob = good.read_bytes()
    cases = {
        "truncated.dfu": (blob[:300], "no DFU suffix"),
        "crc.dfu": (blob[:-1] + bytes([blob[-1] ^ 1]), "DFU suffix CRC"),
        "size.dfu": (fix_crc(blob[:6] + struct.pack("<I", len(blob) + 5) + blob[10:]),
                     "DFUImageSize"),
        "target.dfu": (fix_crc(blob[:11] + b"target" + blob[17:]), "no \"Target\" signature"),
    }
    for name, (data, needle) in cases.items():
        p = tmp_path / name
        p.write_bytes(data)
        out = tmp_path / ("out-" + name)
        line = one_line_error(fk("dfu", p, "-o", out))
        assert needle in line and name in line and "offset" in line
        assert not out.exists()
    # overlapping inputs on one alt setting
    out = tmp_path / "overlap.dfu"
    line = one_line_error(fk("dfu", "--address", "0x08000000", b, "--address", "0x08000800", b,
                             "-o", out))
    assert "overlaps" in line
    assert not out.exists()
    # nothing half-written beside the outputs either
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".")]


def test_dfu_bin_with_plain_suffix(fk, tmp_path):
    """A .bin that went through dfu-suffix -a: the suffix is checked and left
    out of the element; a damaged one is refused."""
    b = app_bin(tmp_path / "fw.bin")
    data = b.read_bytes()
    run([DFU_SUFFIX, "-v", "0483", "-p", "df11", "-a", b], check=True)
    d = tmp_path / "fw.dfu"
    assert fk("dfu", b, "--address", "0x08000000", "-o", d).returncode == 0
    assert parse_dfuse(d.read_bytes())[0] == [(0, "Internal Flash", [(0x08000000, data)])]
    blob = bytearray(b.read_bytes())
    blob[10] ^= 1
    b.write_bytes(bytes(blob))
    out = tmp_path / "bad.dfu"
    line = one_line_error(fk("dfu", b, "--address", "0x08000000", "-o", out))
    assert "DFU suffix CRC" in line
    assert not out.exists()


def test_dfu_to_stdout(fk, tmp_path, flashkit):
    b = app_bin(tmp_path / "fw.bin")
    r = subprocess.run([str(flashkit), "dfu", str(b), "--address", "0x08000000", "-o", "-"],
                       capture_output=True, check=True)
    assert parse_dfuse(r.stdout)[0][0][2] == [(0x08000000, b.read_bytes())]


def test_dfu_usage(fk, tmp_path):
    b = app_bin(tmp_path / "fw.bin")
    line = one_line_error(fk("dfu", b, "-o", tmp_path / "x.dfu"), 64)
    assert "--address" in line
    one_line_error(fk("dfu", "-o", tmp_path / "x.dfu"), 64)
    one_line_error(fk("dfu", b, "--address", "0x08000000"), 64)
    one_line_error(fk("dfu", b, "--address", "0x08000000", "--alt", "256", "-o", "x"), 64)
    one_line_error(fk("dfu", b, "--address", "0x08000000", "--vid", "zz", "-o", "x"), 64)
    one_line_error(fk("dfu", tmp_path / "nope.bin", "--address", "0", "-o", tmp_path / "x"), 66)
    line = one_line_error(fk("dfu", "--alt", "0", "--address", "0x08000000", b, "--alt", "2",
                             "--name", "nothing here", "-o", tmp_path / "x.dfu"), 64)
    assert "alt 2" in line
    assert not (tmp_path / "x.dfu").exists()
    r = fk("dfu", "--help")
    assert r.returncode == 0 and "--alt" in r.stdout and "UM0391" in r.stdout
