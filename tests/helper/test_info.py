"""flashkit info: stable text lines and JSON for every format it reads."""
import json
import shutil
import struct
import subprocess
import zlib

import pytest

from dfukit import app_bin, format_ready, one_line_error, run

DFU_SUFFIX = shutil.which("dfu-suffix")


def lines(r):
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()


def test_info_bin_text(fk, tmp_path):
    b = app_bin(tmp_path / "fw.bin", sp=0x20018000, reset=0x08004201, size=5000)
    data = b.read_bytes()
    out = lines(fk("info", b, "--address", "0x08004000"))
    # a raw binary's entry is whatever the bin reader decides (none or its base)
    assert out[6] in ("entry: none", "entry: 0x08004000")
    del out[6]
    assert out == [
        f"file: {b}",
        "format: bin",
        "segment: alt 0 0x08004000-0x08005387 size 5000",
        "segments: 1",
        "total: 5000",
        f"crc32: 0x{zlib.crc32(data):08x}",
        "vectors: at 0x08004000 sp 0x20018000 reset 0x08004201",
        "suffix: none",
    ]


def test_info_dfu_json(fk, tmp_path):
    boot = app_bin(tmp_path / "boot.bin", size=64)
    opt = tmp_path / "opt.bin"
    opt.write_bytes(b"\xaa\x55\x00\xff")
    d = tmp_path / "x.dfu"
    assert fk("dfu", "--alt", "0", "--address", "0x08000000", boot, "--alt", "1", "--name",
              'quote " and \\ name', "--address", "0x1fffc000", opt, "-o", d).returncode == 0
    j = json.loads(fk("info", "--json", d).stdout)
    assert j["format"] == "dfu"
    assert j["segments"] == [
        {"alt": 0, "address": 0x08000000, "size": 64, "end": 0x08000040},
        {"alt": 1, "address": 0x1FFFC000, "size": 4, "end": 0x1FFFC004},
    ]
    assert j["total"] == 68
    assert j["crc32"] == zlib.crc32(boot.read_bytes() + opt.read_bytes())
    assert j["entry"] is None
    assert j["vectors"] == {"address": 0x08000000, "sp": 0x20020000, "reset": 0x08000189}
    blob = d.read_bytes()
    assert j["suffix"] == {"vid": 0x0483, "pid": 0xDF11, "device": 0xFFFF, "dfu": 0x011A,
                           "crc": struct.unpack("<I", blob[-4:])[0], "crc_valid": True}
    assert j["targets"] == [{"alt": 0, "name": "Internal Flash"},
                            {"alt": 1, "name": 'quote " and \\ name'}]
    text = lines(fk("info", d))
    assert 'target: alt 1 "quote \\" and \\\\ name"' in text
    assert "segment: alt 1 0x1fffc000-0x1fffc003 size 4" in text


def test_info_shows_bad_suffix_crc_then_fails(fk, tmp_path):
    b = app_bin(tmp_path / "fw.bin")
    run([DFU_SUFFIX, "-a", b], check=True)
    blob = bytearray(b.read_bytes())
    blob[50] ^= 1
    b.write_bytes(bytes(blob))
    r = fk("info", b)
    assert r.returncode == 65
    assert "suffix: vid 0xffff pid 0xffff device 0xffff dfu 0x0100 crc" in r.stdout
    assert r.stdout.rstrip().endswith("invalid")
    assert len(r.stderr.strip().splitlines()) == 1 and "CRC" in r.stderr
    # the same for a DfuSe file
    d = tmp_path / "fw.dfu"
    b2 = app_bin(tmp_path / "fw2.bin")
    assert fk("dfu", b2, "--address", "0x08000000", "-o", d).returncode == 0
    blob = bytearray(d.read_bytes())
    blob[400] ^= 1
    d.write_bytes(bytes(blob))
    r = fk("info", "--json", d)
    assert r.returncode == 65
    assert json.loads(r.stdout)["suffix"]["crc_valid"] is False


def test_info_errors(fk, tmp_path):
    e = tmp_path / "empty.bin"
    e.write_bytes(b"")
    assert "empty" in one_line_error(fk("info", e))
    d = tmp_path / "t.dfu"
    d.write_bytes(b"DfuSe\x01\x00\x00")
    line = one_line_error(fk("info", d))
    assert "t.dfu: offset 0: truncated" in line
    one_line_error(fk("info", tmp_path / "missing.bin"), 66)
    one_line_error(fk("info"), 64)
    one_line_error(fk("info", e, "--address", "x"), 64)
    one_line_error(fk("info", e, "--from", "zip"), 64)
    r = fk("info", "--help")
    assert r.returncode == 0 and "--json" in r.stdout


def test_info_hex_entry_and_vectors(fk, tmp_path):
    b = app_bin(tmp_path / "fw.bin", size=256)
    h = tmp_path / "fw.hex"
    subprocess.run(["objcopy", "-I", "binary", "-O", "ihex", "--change-addresses", "0x08000000",
                    "--set-start", "0x189", str(b), str(h)], check=True)
    if not format_ready(fk, tmp_path, h):
        pytest.skip("hex reader not merged yet")
    out = lines(fk("info", h))
    assert "format: hex" in out
    assert "segment: alt 0 0x08000000-0x080000ff size 256" in out
    assert "entry: 0x08000189" in out
    assert "vectors: at 0x08000000 sp 0x20020000 reset 0x08000189" in out
    assert f"crc32: 0x{zlib.crc32(b.read_bytes()):08x}" in out
