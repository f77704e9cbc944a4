"""Files as other tools write them (made here in those tools' formats, nothing copied):
a DfuSe file laid out as MicroPython's dfu.py / dfuse-pack.py write it, a plain .dfu with
a DFU 1.0 suffix (Fomu style), an ELF whose first PT_LOAD starts at file offset 0
(MCUXpresso .axf style, built with arm-none-eabi-gcc), S-records without an end record,
Intel HEX on stdin after a blank line, two start records, and files that are no firmware."""
import shutil
import struct
import subprocess

import pytest

from dfukit import dfu_crc, one_line_error

OBJCOPY = shutil.which("arm-none-eabi-objcopy")
GCC = shutil.which("arm-none-eabi-gcc")
APP = struct.pack("<II", 0x20020000, 0x08000009) + bytes(range(8, 256))


def dfuse(elements, size_with_suffix=False, vid=0x0483, pid=0xDF11):
    """A DfuSe file the way dfu.py builds it: prefix, one target 'ST...', elements,
    suffix with bcdDevice 0; DFUImageSize without (or, like dfuse-pack.py since
    dfu-util 0.10, with) the 16-byte suffix."""
    tdata = b"".join(struct.pack("<II", a, len(d)) + d for a, d in elements)
    target = struct.pack("<6sBI255sII", b"Target", 0, 1, b"ST...", len(tdata), len(elements)) + tdata
    size = 11 + len(target) + (16 if size_with_suffix else 0)
    body = struct.pack("<5sBIB", b"DfuSe", 1, size, 1) + target
    body += struct.pack("<HHHH3sB", 0, pid, vid, 0x011A, b"UFD", 16)
    return body + struct.pack("<I", dfu_crc(body))


@pytest.mark.parametrize("with_suffix", [False, True])
def test_dfuse_as_dfu_py_writes_it(fk, tmp_path, with_suffix):
    p = tmp_path / "fw.dfu"
    p.write_bytes(dfuse([(0x08000000, APP)], size_with_suffix=with_suffix))
    r = fk("info", p)
    assert r.returncode == 0, r.stderr
    assert "segment: alt 0 0x08000000-0x080000ff size 256" in r.stdout
    assert fk("convert", p, "-o", tmp_path / "fw.bin").returncode == 0
    assert (tmp_path / "fw.bin").read_bytes() == APP


def test_dfuse_we_write_has_size_without_suffix(fk, tmp_path):
    (tmp_path / "fw.bin").write_bytes(APP)
    assert fk("dfu", tmp_path / "fw.bin", "--address", "0x08000000", "-o", tmp_path / "fw.dfu").returncode == 0
    blob = (tmp_path / "fw.dfu").read_bytes()
    assert struct.unpack_from("<I", blob, 6)[0] == len(blob) - 16


def test_plain_dfu_file_is_read_as_an_image_with_a_suffix(fk, tmp_path):
    """Fomu and other non-ST boards: the raw image plus a DFU 1.0 suffix, named .dfu."""
    body = APP + struct.pack("<HHHH3sB", 0xFFFF, 0x5BF0, 0x1209, 0x0100, b"UFD", 16)
    p = tmp_path / "fomu.dfu"
    p.write_bytes(body + struct.pack("<I", dfu_crc(body)))
    r = fk("info", p)
    assert r.returncode == 0, r.stderr
    assert "format: bin" in r.stdout and "size 256" in r.stdout
    assert "vid 0x1209 pid 0x5bf0 device 0xffff dfu 0x0100" in r.stdout
    assert fk("convert", p, "--address", "0x08000000", "-o", tmp_path / "x.bin").returncode == 0
    assert (tmp_path / "x.bin").read_bytes() == APP
    if shutil.which("dfu-suffix"):                  # the same file as dfu-suffix writes it
        q = tmp_path / "ds.dfu"
        q.write_bytes(APP)
        subprocess.run(["dfu-suffix", "-v", "1209", "-p", "5bf0", "-S", "0100", "-a", q],
                       check=True, capture_output=True)
        assert fk("info", q).returncode == 0


LDS = """
PHDRS { text PT_LOAD FILEHDR PHDRS; }
SECTIONS {
  . = 0x08000000 + SIZEOF_HEADERS;
  .text : { KEEP(*(.isr_vector)) *(.text*) *(.rodata*) } :text
}
"""


@pytest.mark.skipif(not GCC or not OBJCOPY, reason="needs gcc-arm-none-eabi")
def test_elf_with_headers_in_the_first_segment_equals_objcopy(fk, tmp_path):
    (tmp_path / "a.c").write_text(
        "__attribute__((section(\".isr_vector\"))) const unsigned vt[2] = {0x20020000u, 0x08000101u};\n"
        "int f(int x) { return x * 3 + 1; }\nconst char msg[] = \"hello\";\n")
    (tmp_path / "a.ld").write_text(LDS)
    elf = tmp_path / "a.axf"
    subprocess.run([GCC, "-mcpu=cortex-m4", "-mthumb", "-nostdlib", "-Os", "-T", tmp_path / "a.ld",
                    "-Wl,--no-warn-rwx-segments", "-o", elf, tmp_path / "a.c"],
                   check=True, capture_output=True)
    ph = subprocess.run(["arm-none-eabi-readelf", "-lW", elf], capture_output=True, text=True).stdout
    assert "LOAD           0x000000" in ph          # the headers are in the segment
    ref = tmp_path / "ref.bin"
    subprocess.run([OBJCOPY, "-O", "binary", elf, ref], check=True)
    out = tmp_path / "ours.bin"
    r = fk("convert", elf, "-o", out)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == ref.read_bytes()
    assert not out.read_bytes().startswith(b"\x7fELF")
    i = fk("info", elf).stdout
    assert "vectors: at 0x" in i and "sp 0x20020000" in i


def srec(t, addr, data, alen):
    b = bytes([alen + len(data) + 1]) + addr.to_bytes(alen, "big") + data
    return f"S{t}" + b.hex().upper() + f"{(~sum(b)) & 0xFF:02X}"


def test_srec_without_end_record_is_read_cut_one_is_not(fk, tmp_path):
    lines = [srec(0, 0, b"fw", 2), srec(3, 0x08000000, APP[:16], 4), srec(3, 0x08000010, APP[16:32], 4)]
    p = tmp_path / "noend.s19"
    p.write_text("\r\n".join(lines) + "\r\n")
    r = fk("convert", p, "-o", tmp_path / "x.bin")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "x.bin").read_bytes() == APP[:32]
    if OBJCOPY:                                      # objcopy reads it the same
        subprocess.run([OBJCOPY, "-I", "srec", "-O", "binary", p, tmp_path / "ref.bin"], check=True)
        assert (tmp_path / "ref.bin").read_bytes() == APP[:32]
    cut = tmp_path / "cut.s19"
    cut.write_text("\r\n".join(lines)[:-9])
    line = one_line_error(fk("convert", cut, "-o", tmp_path / "y.bin"))
    assert "cut.s19:3: truncated record" in line
    assert "S7/S8/S9" in fk("convert", "--help").stdout


def ihex(t, addr, data):
    b = bytes([len(data), addr >> 8, addr & 0xFF, t]) + data
    return ":" + b.hex().upper() + f"{(-sum(b)) & 0xFF:02X}"


def test_hex_on_stdin_after_a_blank_line_is_hex(fk, tmp_path):
    text = "\n" + "\n".join([ihex(4, 0, b"\x08\x00"), ihex(0, 0, APP[:16]), ihex(1, 0, b"")]) + "\n"
    out = tmp_path / "x.bin"
    r = fk("convert", "-", "-o", out, input=text)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == APP[:16]
    r = fk("convert", "-", "-o", tmp_path / "x.hex", input="\r\n\r\n" + text)
    assert r.returncode == 0 and ":10000000" in (tmp_path / "x.hex").read_text()


def test_two_start_records_keep_the_first_and_warn(fk, tmp_path):
    p = tmp_path / "two.hex"
    p.write_text("\n".join([ihex(4, 0, b"\x08\x00"), ihex(0, 0, APP[:16]),
                            ihex(5, 0, b"\x08\x00\x01\x01"), ihex(5, 0, b"\x08\x00\x02\x01"),
                            ihex(1, 0, b"")]) + "\n")
    r = fk("info", p)
    assert r.returncode == 0
    assert "entry: 0x08000101" in r.stdout
    assert ("two.hex:4: a second start address record (0x08000201); the first, 0x08000101 on "
            "line 3, is kept (as srec_cat does)") in r.stderr
    if shutil.which("srec_cat"):                     # srec_cat keeps the first as well
        s = subprocess.run(["srec_cat", p, "-intel", "-o", "-", "-intel"], capture_output=True,
                           text=True)
        assert ":0400000508000101" in s.stdout and "redundant" in s.stderr


def test_not_firmware_warnings(fk, tmp_path):
    png = tmp_path / "logo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(300))
    r = fk("convert", png, "-o", tmp_path / "x.hex")
    assert r.returncode == 0
    assert "logo.png: this is a PNG image, not firmware" in r.stderr
    r = fk("info", png)
    assert r.returncode == 0 and "this is a PNG image, not firmware" in r.stderr
    fw = tmp_path / "fw.bin"
    fw.write_bytes(APP)
    r = fk("convert", fw, "-o", tmp_path / "fw.hex")
    assert r.returncode == 0
    assert ("fw.bin: a raw binary is placed at 0x00000000 without --address; its vector table "
            "points to 0x08000009, so it is most likely linked for 0x08000000: add --address "
            "0x08000000") in r.stderr
    r = fk("convert", fw, "--address", "0x08000000", "-o", tmp_path / "fw2.hex")
    assert r.returncode == 0 and r.stderr == ""
    assert fk("convert", fw, "-o", tmp_path / "fw.bin2", "--to", "bin").stderr == ""
