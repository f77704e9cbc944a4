"""Helpers shared by the DfuSe, info and check tests: a plausible Cortex-M
image, a DfuSe parser written straight from ST UM0391 (independent of the C
reader), and the checks every error must pass."""
import shutil
import struct
import subprocess
import zlib


def run(cmd, check=False, **kw):
    """Run a command, capture text output; raise on non-zero only if check."""
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 120)
    r = subprocess.run([str(c) for c in cmd], **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"{cmd} exited {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}")
    return r


DFU_SUFFIX = shutil.which("dfu-suffix")
DFU_UTIL = shutil.which("dfu-util")


def app_bin(path, sp=0x20020000, reset=0x08000189, size=4096, seed=1):
    """A plausible Cortex-M image: vector table, then a deterministic pattern."""
    body = bytes((seed + i * 7) & 0xFF for i in range(size - 8))
    path.write_bytes(struct.pack("<II", sp, reset) + body)
    return path


def dfu_crc(data):
    return zlib.crc32(data) ^ 0xFFFFFFFF


def fix_crc(blob):
    """Re-seal a patched file so only the patched field is wrong."""
    return blob[:-4] + struct.pack("<I", dfu_crc(blob[:-4]))


def parse_dfuse(blob):
    """A reader written straight from UM0391, independent of flashkit's C:
    returns (targets, suffix) with targets = [(alt, name, [(addr, data)])]."""
    assert blob[:5] == b"DfuSe" and blob[5] == 1
    size, ntargets = struct.unpack_from("<IB", blob, 6)
    assert size == len(blob) - 16   # DFUImageSize: the file without its suffix
    suffix = struct.unpack_from("<HHHH3sBI", blob, len(blob) - 16)
    bcd_device, pid, vid, bcd_dfu, ufd, blen, crc = suffix
    assert ufd == b"UFD" and blen == 16
    assert crc == dfu_crc(blob[:-4])
    off, targets = 11, []
    for _ in range(ntargets):
        sig, alt, named, name, tsize, nelem = struct.unpack_from("<6sBI255sII", blob, off)
        assert sig == b"Target"
        off += 274
        end = off + tsize
        elems = []
        for _ in range(nelem):
            addr, esize = struct.unpack_from("<II", blob, off)
            elems.append((addr, blob[off + 8:off + 8 + esize]))
            off += 8 + esize
        assert off == end
        targets.append((alt, name.rstrip(b"\0").decode() if named else None, elems))
    assert off == len(blob) - 16
    return targets, dict(device=bcd_device, pid=pid, vid=vid, dfu=bcd_dfu)


def one_line_error(r, code=65):
    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("flashkit: ")
    return lines[0]


def format_ready(fk, tmp_path, path, *extra):
    """True when flashkit can read path's format (the readers of other
    formats land separately; this gate goes quiet once they are in)."""
    r = fk("info", path, *extra)
    if "not built yet" in r.stderr:
        return False
    assert r.returncode == 0, r.stderr
    return True
