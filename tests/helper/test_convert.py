"""flashkit convert: byte-for-byte agreement with objcopy, interop with
srec_cat, the streaming and in-memory paths agreeing, and every error
being one line, exit 65 (or 64 for usage), with no output file left."""
import os
import random
import shutil
import struct
import subprocess
from pathlib import Path

import pytest


OBJCOPY = shutil.which("objcopy")
ARM_GCC = shutil.which("arm-none-eabi-gcc")
ARM_OBJCOPY = shutil.which("arm-none-eabi-objcopy")
SREC_CAT = shutil.which("srec_cat")
DFU_SUFFIX = shutil.which("dfu-suffix")

needs_objcopy = pytest.mark.skipif(not OBJCOPY, reason="objcopy not installed (binutils)")
needs_srec_cat = pytest.mark.skipif(not SREC_CAT, reason="srec_cat not installed (srecord)")
needs_arm = pytest.mark.skipif(not (ARM_GCC and ARM_OBJCOPY), reason="gcc-arm-none-eabi not installed")


def data(n, seed=1):
    return random.Random(seed).randbytes(n)


def write(path, content):
    path = Path(path)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


NOT_FIRMWARE = ("no Cortex-M vector table", "not firmware")


def ok(r):
    """Success, and nothing on stderr but the warning about test data that has no
    vector table (random bytes: convert says they do not look like firmware)."""
    assert r.returncode == 0, r.stderr
    other = [l for l in r.stderr.splitlines() if not any(n in l for n in NOT_FIRMWARE)]
    assert other == [], r.stderr
    return r


def leftovers(d):
    """Temporary outputs (.NAME.XXXXXX) left behind in d."""
    return [p.name for p in Path(d).iterdir() if p.name.startswith(".")]


def one_line_error(r, code, *words):
    assert r.returncode == code, (r.returncode, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def ihex_rec(addr, rtype, payload):
    b = bytes([len(payload), addr >> 8 & 0xFF, addr & 0xFF, rtype]) + payload
    return ":" + (b + bytes([-sum(b) & 0xFF])).hex().upper() + "\r\n"


# ---------------------------------------------------------------- help


def test_help(fk):
    r = ok(fk("convert", "--help"))
    for w in ("--to", "--from", "--address", "--record-len", "--gap-limit", "objcopy", "Exit codes"):
        assert w in r.stdout
    assert ok(fk("help", "convert")).stdout == r.stdout


# ---------------------------------------------------------------- bin -> hex


@needs_objcopy
@pytest.mark.parametrize("addr", ["0", "0x1234", "0xFFF0", "0x0800FFF8", "0x08000000", "0x08004000"])
@pytest.mark.parametrize("size", [1, 100000, 200003])
@pytest.mark.parametrize("mode", [[], ["--in-memory"]])
def test_bin_to_hex_equals_objcopy(fk, tmp_path, addr, size, mode):
    b = write(tmp_path / "fw.bin", data(size))
    ref = tmp_path / "ref.hex"
    subprocess.run([OBJCOPY, "-I", "binary", "-O", "ihex", "--change-addresses", addr, b, ref], check=True)
    out = tmp_path / "fw.hex"
    ok(fk("convert", b, "--address", addr, "-o", out, *mode))
    assert out.read_bytes() == ref.read_bytes()


def test_record_len_32_streams_like_memory(fk, tmp_path):
    b = write(tmp_path / "fw.bin", data(150001))
    ok(fk("convert", b, "--address", "0x0800FFF0", "--record-len", "32", "-o", tmp_path / "s.hex"))
    ok(fk("convert", b, "--address", "0x0800FFF0", "--record-len", "32", "-o", tmp_path / "m.hex",
          "--in-memory"))
    s = (tmp_path / "s.hex").read_text()
    assert s == (tmp_path / "m.hex").read_text()
    # 16 bytes up to the 64 KiB boundary, then 32-byte records
    assert ":10FFF000" in s and "\n:20000000" in s
    r = ok(fk("convert", tmp_path / "s.hex", "-o", tmp_path / "back.bin"))
    assert (tmp_path / "back.bin").read_bytes() == b.read_bytes()


# ---------------------------------------------------------------- ELF


FW_C = r"""
#include <stdint.h>
extern uint32_t _estack;
void reset(void);
__attribute__((section(".isr_vector"))) const void *vectors[] = { &_estack, (void *)reset, 0, 0, 0, 0, 0 };
int counter = 42;
int table[37] = { 1, 2, 3, 4, 5 };
int zeros[64];
const char msg[] = "hello flashkit, a string of some length to make records";
__attribute__((section(".cfg"))) const uint32_t cfg[3] = { 0xdeadbeef, 1, 2 };
__attribute__((section(".ext"))) const uint8_t ext[70000] = { 1, 2, 3 };
void reset(void) { for (;;) { counter += table[counter & 3] + msg[counter & 7]; zeros[counter & 63]++; } }
"""
FW_LD = """
MEMORY { FLASH (rx) : ORIGIN = 0x08000000, LENGTH = 512K
         CFG (r) : ORIGIN = 0x0807C001, LENGTH = 16K
         EXT (r) : ORIGIN = 0x0808FFF0, LENGTH = 128K
         RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 128K }
ENTRY(reset)
_estack = ORIGIN(RAM) + LENGTH(RAM);
SECTIONS {
  .isr_vector : { KEEP(*(.isr_vector)) } > FLASH
  .text : { *(.text*) } > FLASH
  .rodata : { *(.rodata*) } > FLASH
  .data : { *(.data*) } > RAM AT > FLASH
  .bss : { *(.bss*) *(COMMON) } > RAM
  .cfg : { KEEP(*(.cfg)) } > CFG
  .ext : { KEEP(*(.ext)) } > EXT
}
"""


@pytest.fixture(scope="module")
def arm_elf(tmp_path_factory):
    if not (ARM_GCC and ARM_OBJCOPY):
        pytest.skip("gcc-arm-none-eabi not installed")
    d = tmp_path_factory.mktemp("elf")
    write(d / "fw.c", FW_C)
    write(d / "fw.ld", FW_LD)
    subprocess.run([ARM_GCC, "-mcpu=cortex-m4", "-mthumb", "-O1", "-nostdlib", "-T", d / "fw.ld",
                    d / "fw.c", "-o", d / "fw.elf"], check=True)
    return d / "fw.elf"


@needs_arm
def test_elf_has_several_load_segments(arm_elf):
    out = subprocess.run(["arm-none-eabi-readelf", "-lW", arm_elf], capture_output=True, text=True,
                         check=True).stdout
    loads = [l for l in out.splitlines() if l.strip().startswith("LOAD")]
    assert len(loads) >= 4  # text, .data (LMA in flash), .cfg, .ext; .bss has no file bytes


@needs_arm
@pytest.mark.parametrize("tool", ["objcopy", "arm-none-eabi-objcopy"])
def test_elf_to_hex_equals_objcopy(fk, tmp_path, arm_elf, tool):
    tool = shutil.which(tool)
    if not tool:
        pytest.skip("objcopy missing")
    ref = tmp_path / "ref.hex"
    subprocess.run([tool, "-O", "ihex", arm_elf, ref], check=True)
    out = tmp_path / "fw.hex"
    ok(fk("convert", arm_elf, "-o", out))
    assert out.read_bytes() == ref.read_bytes()


@needs_arm
def test_elf_to_srec_equals_objcopy_s3(fk, tmp_path, monkeypatch, arm_elf):
    # objcopy puts the output name in the S0 header: use the same name.
    monkeypatch.chdir(tmp_path)
    subprocess.run([ARM_OBJCOPY, "-O", "srec", "--srec-forceS3", arm_elf, "fw.srec"], check=True)
    ref = Path("fw.srec").read_bytes()
    os.unlink("fw.srec")
    ok(fk("convert", arm_elf, "-o", "fw.srec"))
    assert Path("fw.srec").read_bytes() == ref


@needs_arm
def test_elf_to_bin_equals_objcopy_gap_fill(fk, tmp_path, arm_elf):
    ref = tmp_path / "ref.bin"
    subprocess.run([ARM_OBJCOPY, "-O", "binary", "--gap-fill", "0xff", arm_elf, ref], check=True)
    out = tmp_path / "fw.bin"
    ok(fk("convert", arm_elf, "-o", out))
    assert out.read_bytes() == ref.read_bytes()


@needs_arm
def test_elf_wrong_machine_and_class(fk, tmp_path, arm_elf):
    raw = bytearray(arm_elf.read_bytes())
    raw[18:20] = struct.pack("<H", 62)
    bad = write(tmp_path / "x86.elf", bytes(raw))
    one_line_error(fk("convert", bad, "-o", tmp_path / "o.hex"), 65, str(bad), "offset 0x12",
                   "machine 62 (x86-64), not ARM")
    raw[4] = 2
    write(bad, bytes(raw))
    one_line_error(fk("convert", bad, "-o", tmp_path / "o.hex"), 65, "offset 0x4", "64-bit ELF")
    host = shutil.which("true")
    r = fk("convert", Path(host).resolve(), "-o", tmp_path / "o.hex")
    one_line_error(r, 65, "ELF")
    assert not (tmp_path / "o.hex").exists()
    assert leftovers(tmp_path) == []


# ---------------------------------------------------------------- reading others' files


@needs_objcopy
@needs_srec_cat
@pytest.mark.parametrize("size", [16, 70001, 300000])
def test_hex_from_objcopy_and_srec_cat_reads_back(fk, tmp_path, size):
    raw = data(size, seed=size)
    b = write(tmp_path / "fw.bin", raw)
    oc = tmp_path / "oc.hex"
    sc = tmp_path / "sc.hex"
    subprocess.run([OBJCOPY, "-I", "binary", "-O", "ihex", "--change-addresses", "0x08000000", b, oc],
                   check=True)
    subprocess.run([SREC_CAT, b, "-binary", "-offset", "0x08000000", "-o", sc, "-intel"], check=True)
    for src in (oc, sc):
        for mode in ([], ["--in-memory"]):
            out = tmp_path / "out.bin"
            ok(fk("convert", src, "-o", out, *mode))
            assert out.read_bytes() == raw, (src, mode)


@needs_srec_cat
def test_srec_from_srec_cat_reads_back(fk, tmp_path):
    raw = data(100000, seed=7)
    b = write(tmp_path / "fw.bin", raw)
    for alen in ("2", "3", "4"):  # S1/S2/S3 records with an S5 count and no S7/S8/S9
        src = tmp_path / "sc.srec"
        subprocess.run([SREC_CAT, b, "-binary", "-offset", "0x1000", "-o", src, "-motorola",
                        f"-address-length={alen}"], check=True)
        assert src.read_text().splitlines()[1].startswith("S" + str(int(alen) - 1))
        out = tmp_path / "out.bin"
        ok(fk("convert", src, "-o", out))
        assert out.read_bytes() == raw, alen


@needs_objcopy
@needs_srec_cat
def test_srec_round_trip_and_others_read_ours(fk, tmp_path):
    raw = data(123457, seed=3)
    b = write(tmp_path / "fw.bin", raw)
    s = tmp_path / "fw.srec"
    ok(fk("convert", b, "--address", "0x08004000", "-o", s))
    text = s.read_text()
    assert text.startswith("S0") and "\nS7050800400" in text
    assert all(l[:2] in ("S0", "S3", "S7") for l in text.splitlines())
    out = tmp_path / "back.bin"
    ok(fk("convert", s, "-o", out))
    assert out.read_bytes() == raw
    # objcopy and srec_cat read our S-records to the same bytes
    subprocess.run([OBJCOPY, "-I", "srec", "-O", "binary", s, tmp_path / "oc.bin"], check=True)
    assert (tmp_path / "oc.bin").read_bytes() == raw
    subprocess.run([SREC_CAT, s, "-offset", "-0x08004000", "-o", tmp_path / "sc.bin", "-binary"], check=True)
    assert (tmp_path / "sc.bin").read_bytes() == raw
    # hex -> srec -> hex keeps the objcopy layout
    h = tmp_path / "fw.hex"
    ok(fk("convert", b, "--address", "0x08004000", "-o", h))
    ok(fk("convert", s, "-o", tmp_path / "again.hex"))
    assert (tmp_path / "again.hex").read_bytes() == h.read_bytes()


@needs_objcopy
def test_objcopy_reads_our_hex(fk, tmp_path):
    raw = data(80000, seed=9)
    b = write(tmp_path / "fw.bin", raw)
    ok(fk("convert", b, "--address", "0x0800C000", "-o", tmp_path / "fw.hex"))
    subprocess.run([OBJCOPY, "-I", "ihex", "-O", "binary", tmp_path / "fw.hex", tmp_path / "oc.bin"], check=True)
    assert (tmp_path / "oc.bin").read_bytes() == raw


# ---------------------------------------------------------------- hex -> bin


def gapped_hex(order):
    """Three runs with gaps, one crossing a 64 KiB boundary; an 04 record before each record."""
    recs = [(0x08000000, data(40, 1)), (0x08000100, data(16, 2)), (0x0800FFF8, data(20, 3))]
    lines = []
    for a, d in recs:
        for i in range(0, len(d), 8):
            at = a + i
            lines.append(ihex_rec(0, 4, struct.pack(">H", at >> 16)) + ihex_rec(at & 0xFFFF, 0, d[i:i + 8]))
    if order == "reversed":
        lines = lines[::-1]
    return "".join(lines) + ihex_rec(0, 1, b"")


@pytest.mark.parametrize("order", ["forward", "reversed"])
def test_hex_to_bin_stream_equals_memory(fk, tmp_path, order):
    h = write(tmp_path / "in.hex", gapped_hex(order).lower())
    ok(fk("convert", h, "-o", tmp_path / "s.bin"))
    ok(fk("convert", h, "-o", tmp_path / "m.bin", "--in-memory"))
    s = (tmp_path / "s.bin").read_bytes()
    assert s == (tmp_path / "m.bin").read_bytes()
    assert s[:40] == data(40, 1)
    assert s[40:0x100] == b"\xff" * (0x100 - 40)


def test_hex_to_bin_lf_and_crlf_same(fk, tmp_path):
    text = gapped_hex("forward")
    write(tmp_path / "crlf.hex", text)
    write(tmp_path / "lf.hex", text.replace("\r\n", "\n"))
    ok(fk("convert", tmp_path / "crlf.hex", "-o", tmp_path / "a.bin"))
    ok(fk("convert", tmp_path / "lf.hex", "-o", tmp_path / "b.bin"))
    assert (tmp_path / "a.bin").read_bytes() == (tmp_path / "b.bin").read_bytes()


def test_stdin_to_stdout(flashkit, fk, tmp_path):
    text = gapped_hex("forward")
    r = subprocess.run([str(flashkit), "convert", "-", "--from", "hex", "--to", "bin", "-o", "-"],
                       input=text.encode(), capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    ok(fk("convert", write(tmp_path / "in.hex", text), "-o", tmp_path / "ref.bin"))
    assert r.stdout == (tmp_path / "ref.bin").read_bytes()


# ---------------------------------------------------------------- errors


BAD_HEX = {
    "bad checksum": (":0400000011121314B3\r\n:00000001FF\r\n", "in.hex:1: bad checksum 0xB3"),
    "truncated": (":0400000011121314B2\r\n:04000400111213\r\n:00000001FF\r\n", "in.hex:2: truncated record"),
    "bad digit": (":04000000111X1314B2\r\n:00000001FF\r\n", "in.hex:1: bad hex digit 'X' in column 13"),
    "length mismatch": (":0400000011121314B200\r\n:00000001FF\r\n", "in.hex:1: record length mismatch"),
    "overlap": (":0400000011121314B2\r\n:0400020011121314B0\r\n:00000001FF\r\n",
                "in.hex:2: data at 0x00000002 overlaps data already at 0x00000000-0x00000003"),
    "no eof": (":0400000011121314B2\r\n", "in.hex:1: no end-of-file record"),
    "after eof": (":00000001FF\r\n:0400000011121314B2\r\n", "in.hex:2: data after the end-of-file record"),
    "overflow": (":02000004FFFFFC\r\n:10FFF8000102030405060708090A0B0C0D0E0F1071\r\n:00000001FF\r\n",
                 "in.hex:2: address overflow"),
    "not hex": ("hello\r\n", "not an Intel HEX record"),
    "no data": (":00000001FF\r\n", "contains no data"),
}


@pytest.mark.parametrize("case", sorted(BAD_HEX))
@pytest.mark.parametrize("mode", [[], ["--in-memory"]])
@pytest.mark.parametrize("to", ["bin", "srec"])
def test_bad_hex(fk, tmp_path, monkeypatch, case, mode, to):
    text, want = BAD_HEX[case]
    h = write(tmp_path / "in.hex", text)
    out = tmp_path / f"out.{to}"
    monkeypatch.chdir(tmp_path)
    r = fk("convert", "in.hex", "--from", "hex", "-o", out.name, *mode)
    one_line_error(r, 65, want)
    assert not out.exists()
    assert leftovers(tmp_path) == []


BAD_SREC = {
    "bad checksum": ("S309080000101112131495\n", "in.srec:1: bad checksum 0x95"),
    "truncated": ("S30908000010111213\n", "in.srec:1: truncated record"),
    "bad digit": ("S3090800001011121G1494\n", "in.srec:1: bad hex digit 'G' in column 18"),
    "count": ("S309080000101112131494\nS5030002FA\n", "in.srec:2: record count mismatch"),
    "S4": ("S409080000101112131494\n", "in.srec:1: unknown record type 'S4'"),
}


@pytest.mark.parametrize("case", sorted(BAD_SREC))
def test_bad_srec(fk, tmp_path, monkeypatch, case):
    text, want = BAD_SREC[case]
    write(tmp_path / "in.srec", text)
    monkeypatch.chdir(tmp_path)
    one_line_error(fk("convert", "in.srec", "-o", "out.bin"), 65, want)
    assert not (tmp_path / "out.bin").exists()
    assert leftovers(tmp_path) == []


def test_failed_convert_keeps_old_output(fk, tmp_path):
    h = write(tmp_path / "in.hex", ":0400000011121314B3\r\n:00000001FF\r\n")
    old = write(tmp_path / "out.bin", b"previous artifact")
    for mode in ([], ["--in-memory"]):
        one_line_error(fk("convert", h, "-o", old, *mode), 65, "bad checksum")
        assert old.read_bytes() == b"previous artifact"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("mode", [[], ["--in-memory"]])
def test_gap_too_big_for_bin(fk, tmp_path, mode):
    text = (ihex_rec(0, 4, b"\x08\x00") + ihex_rec(0, 0, b"\x01\x02\x03\x04") +
            ihex_rec(0, 4, b"\x1f\xff") + ihex_rec(0, 0, b"\x05\x06") + ihex_rec(0, 1, b""))
    h = write(tmp_path / "two.hex", text)
    out = tmp_path / "two.bin"
    line = one_line_error(fk("convert", h, "-o", out, *mode), 65, "gap of", "0x08000003", "0x1fff0000",
                          "write hex or dfu instead", "--gap-limit")
    assert not out.exists()
    # raising the limit makes the (big) file
    ok(fk("convert", h, "-o", out, "--gap-limit", "400M", *mode))
    assert out.stat().st_size == 0x1FFF0002 - 0x08000000
    out.unlink()
    # and a small limit stops a small gap
    small = write(tmp_path / "small.hex", ihex_rec(0, 0, b"\x01") + ihex_rec(0x100, 0, b"\x02") + ihex_rec(0, 1, b""))
    one_line_error(fk("convert", small, "-o", out, "--gap-limit", "16", *mode), 65, "gap of 255 bytes")


def test_empty_and_overflow_and_missing(fk, tmp_path):
    e = write(tmp_path / "empty.bin", b"")
    one_line_error(fk("convert", e, "-o", tmp_path / "o.hex"), 65, "empty.bin: empty file")
    b = write(tmp_path / "fw.bin", bytes(32))
    for mode in ([], ["--in-memory"]):
        one_line_error(fk("convert", b, "--address", "0xFFFFFFF0", "-o", tmp_path / "o.hex", *mode), 65,
                       "fw.bin: offset 0x10:", "4 GiB")
    one_line_error(fk("convert", tmp_path / "nope.bin", "-o", tmp_path / "o.hex"), 66, "nope.bin")
    assert not (tmp_path / "o.hex").exists()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("args,words", [
    ([], "no input file"),
    (["IN"], "no output file"),
    (["IN", "-o", "out.weird"], "cannot tell the output format"),
    (["IN", "-o", "out.elf"], "cannot write elf"),
    (["IN", "-o", "o.hex", "--record-len", "300"], "--record-len"),
    (["IN", "-o", "o.bin", "--record-len", "32"], "--record-len is for hex and srec"),
    (["IN", "-o", "o.hex", "--gap-limit", "1M"], "--gap-limit is for bin"),
    (["IN", "-o", "o.hex", "--to", "pdf"], "--to"),
    (["IN", "-o", "o.hex", "--bogus"], "unknown option '--bogus'"),
    (["IN", "-o"], "needs a value"),
    (["HEX", "-o", "o.bin", "--address", "0x08000000"], "carries its own addresses"),
])
def test_usage_errors(fk, tmp_path, monkeypatch, args, words):
    b = write(tmp_path / "fw.bin", b"1234")
    h = write(tmp_path / "fw.hex", ihex_rec(0, 0, b"1234") + ihex_rec(0, 1, b""))
    args = [str(b) if a == "IN" else str(h) if a == "HEX" else a for a in args]
    monkeypatch.chdir(tmp_path)
    one_line_error(fk("convert", *args), 64, words)


@pytest.mark.skipif(not DFU_SUFFIX, reason="dfu-util not installed")
@needs_objcopy
def test_bin_with_dfu_suffix(fk, tmp_path):
    raw = data(5000, seed=11)
    b = write(tmp_path / "fw.bin", raw)
    ref = tmp_path / "ref.hex"
    subprocess.run([OBJCOPY, "-I", "binary", "-O", "ihex", "--change-addresses", "0x08000000", b, ref], check=True)
    subprocess.run([DFU_SUFFIX, "-a", b], check=True, capture_output=True)
    assert b.stat().st_size == 5016
    ok(fk("convert", b, "--address", "0x08000000", "-o", tmp_path / "fw.hex"))
    assert (tmp_path / "fw.hex").read_bytes() == ref.read_bytes()


@needs_objcopy
@pytest.mark.parametrize("mode", [[], ["--in-memory"]])
def test_records_in_descending_order(fk, tmp_path, mode):
    """Any record order works, and fast: every record reversed, an 04 before each."""
    raw = data(300000, seed=5)
    b = write(tmp_path / "fw.bin", raw)
    ref = tmp_path / "ref.hex"
    subprocess.run([OBJCOPY, "-I", "binary", "-O", "ihex", "--change-addresses", "0x08000000", b, ref], check=True)
    recs, base = [], None
    for line in ref.read_text().splitlines():
        if line.startswith(":02000004"):
            base = line
        elif line[7:9] == "00":
            recs.append(base + "\n" + line + "\n")
    h = write(tmp_path / "rev.hex", "".join(recs[::-1]) + ":00000001FF\n")
    ok(fk("convert", h, "-o", tmp_path / "out.bin", *mode))
    assert (tmp_path / "out.bin").read_bytes() == raw
    ok(fk("convert", h, "-o", tmp_path / "out.hex", *mode))
    assert (tmp_path / "out.hex").read_bytes() == ref.read_bytes().replace(b":040000050800000" b"0EF\r\n", b"")


@needs_objcopy
def test_streams_across_buffer_boundaries(fk, tmp_path):
    """Inputs of several MiB: lines and records cross the 1 MiB read and write buffers."""
    raw = data(3 * 1024 * 1024 + 7, seed=21)
    b = write(tmp_path / "fw.bin", raw)
    ref = tmp_path / "ref.hex"
    subprocess.run([OBJCOPY, "-I", "binary", "-O", "ihex", "--change-addresses", "0x0800FFF9", b, ref], check=True)
    ok(fk("convert", b, "--address", "0x0800FFF9", "-o", tmp_path / "fw.hex"))
    assert (tmp_path / "fw.hex").read_bytes() == ref.read_bytes()
    ok(fk("convert", ref, "-o", tmp_path / "back.bin"))
    assert (tmp_path / "back.bin").read_bytes() == raw


def test_line_too_long(fk, tmp_path):
    h = write(tmp_path / "long.hex", ":" + "0" * (2 << 20) + "\n:00000001FF\n")
    one_line_error(fk("convert", h, "-o", tmp_path / "o.bin"), 65, "long.hex:1: line longer than")
    # the in-memory reader sees the same line as a bad record
    one_line_error(fk("convert", h, "-o", tmp_path / "o.bin", "--in-memory"), 65, "long.hex:1:")
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(not DFU_SUFFIX, reason="dfu-util not installed")
def test_convert_to_dfu_and_back(fk, tmp_path):
    raw = data(10000, seed=4)
    b = write(tmp_path / "fw.bin", raw)
    ok(fk("convert", b, "--address", "0x08000000", "-o", tmp_path / "fw.dfu"))
    r = subprocess.run([DFU_SUFFIX, "-c", tmp_path / "fw.dfu"], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    ok(fk("convert", tmp_path / "fw.dfu", "-o", tmp_path / "back.bin"))
    assert (tmp_path / "back.bin").read_bytes() == raw


def test_convert_to_dfu_matches_flashkit_dfu_and_keeps_ids(fk, tmp_path):
    """convert -> .dfu and 'flashkit dfu' go through one writer with one set of
    defaults; converting a DfuSe file keeps its own USB ids."""
    b = write(tmp_path / "fw.bin", data(3000))
    ok(fk("convert", b, "--address", "0x08004000", "-o", tmp_path / "a.dfu"))
    ok(fk("dfu", b, "--address", "0x08004000", "-o", tmp_path / "b.dfu"))
    assert (tmp_path / "a.dfu").read_bytes() == (tmp_path / "b.dfu").read_bytes()
    ok(fk("dfu", b, "--address", "0x08004000", "--vid", "0x1209", "--pid", "0x0001",
          "-o", tmp_path / "ids.dfu"))
    ok(fk("convert", tmp_path / "ids.dfu", "-o", tmp_path / "again.dfu"))
    suffix = (tmp_path / "again.dfu").read_bytes()[-16:]
    bcd_device, pid, vid, bcd_dfu = struct.unpack("<HHHH", suffix[:8])
    assert (vid, pid, bcd_dfu) == (0x1209, 0x0001, 0x011A)
