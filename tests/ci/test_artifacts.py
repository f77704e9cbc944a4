"""make artifacts (makefiles/artifacts.mk, flashkit manifest): three boards from
examples/blinky, the manifest against docs/manifest.schema.json, SHA256SUMS with
sha256sum -c, byte-identical builds in two directories, and flashing a build by its
manifest (makefiles/manifest.mk) onto the virtual boards with no build tree."""
import hashlib
import json
import os
import re
import shutil
import subprocess
import zlib

import jsonschema
import pytest

import cikit
from cikit import FK_MAKE, FLASHKIT, FLASHKIT_MK, ROOT, out, run

BOARDS = ["nucleo-f401", "odrive-v3", "crazyflie2"]
SCHEMA = json.loads((ROOT / "docs" / "manifest.schema.json").read_text())
EPOCH = "1700000000"       # 2023-11-14T22:13:20Z
COMMIT_DATE = "2024-01-02T03:04:05Z"


def copy_tree(dst):
    """What a firmware build needs of flashkit, as a fresh git checkout tagged v1.0
    (fixed author, committer and dates: the same commit id in every copy)."""
    for d in ("makefiles", "programmers", "boards", "examples/blinky"):
        shutil.copytree(ROOT / d, dst / d, ignore=shutil.ignore_patterns("build", "artifacts"))
    env = {"GIT_AUTHOR_NAME": "ci", "GIT_AUTHOR_EMAIL": "ci@example.invalid",
           "GIT_COMMITTER_NAME": "ci", "GIT_COMMITTER_EMAIL": "ci@example.invalid",
           "GIT_AUTHOR_DATE": COMMIT_DATE, "GIT_COMMITTER_DATE": COMMIT_DATE,
           "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    for cmd in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"],
                ["git", "commit", "-q", "-m", "firmware"], ["git", "tag", "v1.0"]):
        r = run(cmd, cwd=dst, env=env)
        assert r.returncode == 0, out(r)
    return dst / "examples" / "blinky"


def make_artifacts(fw, *args, env=None):
    return run(["make", "--no-print-directory", "-C", fw, "-j2", f"FLASHKIT={FLASHKIT}",
                f"ARTIFACTS_FLASHKIT_MK={FLASHKIT_MK}", f"BOARDS={' '.join(BOARDS)}",
                "artifacts", *args], env=env, timeout=600)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    cikit.need_tools()
    cikit.need_cross()
    fw = copy_tree(tmp_path_factory.mktemp("fw"))
    r = make_artifacts(fw)
    assert r.returncode == 0, out(r)
    return fw / "artifacts"


def manifest(art, board):
    return json.loads((art / board / "manifest.json").read_text())


@pytest.mark.parametrize("board", BOARDS)
def test_names_and_schema(built, board):
    m = manifest(built, board)
    jsonschema.validate(m, SCHEMA, cls=jsonschema.Draft7Validator)
    names = sorted(p.name for p in (built / board).iterdir())
    base = f"blinky-{board}-v1.0"
    assert names == sorted([f"{base}.{t}" for t in ("elf", "bin", "hex", "dfu")]
                           + ["manifest.json", "SHA256SUMS"])
    assert m["board"] == board and m["firmware"] == "blinky" and m["version"] == "v1.0"
    # No SOURCE_DATE_EPOCH: the commit's date.
    assert m["build_time"] == COMMIT_DATE and m["source_date_epoch"] == 1704164645


@pytest.mark.parametrize("board", BOARDS)
def test_checksums_and_sizes(built, board):
    d = built / board
    r = run(["sha256sum", "-c", "SHA256SUMS"], cwd=d)
    assert r.returncode == 0 and r.stdout.count(": OK") == 5, out(r)
    m = manifest(built, board)
    assert [f["type"] for f in m["files"]] == ["elf", "bin", "hex", "dfu"]
    for f in m["files"]:
        data = (d / f["name"]).read_bytes()
        assert f["size"] == len(data)
        assert f["sha256"] == hashlib.sha256(data).hexdigest()
        assert f["crc32"] == f"0x{zlib.crc32(data):08x}"
    # A DFU suffix's CRC makes the whole file's CRC-32 this constant: the suffix is valid.
    assert m["files"][3]["crc32"] == "0xffffffff"


def test_each_programmer_gets_the_type_it_takes_best(built):
    """The manifest's file per programmer is of the type the plugin would pick
    (PROG_FILE_TYPE with that programmer loaded)."""
    for b in BOARDS:
        for p, entry in manifest(built, b)["programmers"].items():
            r = run(["make", "-s", "-f", FLASHKIT_MK, f"BOARD={b}", f"PROGRAMMER={p}",
                     "FK_PRINT=PROG_FILE_TYPE", "_fk-vars"])
            assert entry["file"].endswith("." + r.stdout.strip().split("=")[1]), (b, p, out(r))


def test_board_data_and_commands(built):
    m = manifest(built, "crazyflie2")
    assert m["mcu"] == "stm32f405rg" and m["family"] == "stm32f4"
    assert m["flash"] == {"address": "0x08000000", "size": 1048576, "image_address": "0x08004000"}
    assert m["dfu"] == {"usb_id": "0483:df11", "vid": "0x0483", "pid": "0xdf11", "alt": 0}
    assert m["programmer"] == "dfu" and set(m["programmers"]) == {"dfu", "openocd"}
    f = m["programmers"]["dfu"]["file"]
    assert m["programmers"]["dfu"]["command"] == \
        f"make -f {FLASHKIT_MK} BOARD=crazyflie2 PROGRAMMER=dfu FLASHFILE={f} flash-only"
    n = manifest(built, "nucleo-f401")
    assert n["programmer"] == "openocd"
    assert set(n["programmers"]) == {"openocd", "cpy2remed", "stm32flash"}
    # Every file a programmer names is one of the files.
    for b in BOARDS:
        mb = manifest(built, b)
        names = {x["name"] for x in mb["files"]}
        assert all(p["file"] in names for p in mb["programmers"].values())


def test_source_date_epoch_and_version_override(built, tmp_path):
    fw = copy_tree(tmp_path / "src")
    r = make_artifacts(fw, "BOARDS=nucleo-f401", "VERSION=1.2.3-rc1", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert r.returncode == 0, out(r)
    m = manifest(fw / "artifacts", "nucleo-f401")
    assert m["build_time"] == "2023-11-14T22:13:20Z" and m["source_date_epoch"] == int(EPOCH)
    assert m["version"] == "1.2.3-rc1"
    assert (fw / "artifacts" / "nucleo-f401" / "blinky-nucleo-f401-1.2.3-rc1.bin").exists()


def test_two_directories_same_bytes(built, tmp_path):
    """A second clean build at another path and depth gives the same bytes for every
    artifact, manifest and SHA256SUMS; no directory name leaks into any of them."""
    fw2 = copy_tree(tmp_path / "another" / "deeper" / "checkout")
    r = make_artifacts(fw2)
    assert r.returncode == 0, out(r)
    a2 = fw2 / "artifacts"
    for b in BOARDS:
        one = sorted(p.name for p in (built / b).iterdir())
        two = sorted(p.name for p in (a2 / b).iterdir())
        assert one == two
        for name in one:
            x, y = (built / b / name).read_bytes(), (a2 / b / name).read_bytes()
            assert x == y, f"{b}/{name} differs between the two builds"
            # Neither checkout's directory leaks (ARTIFACTS_FLASHKIT_MK is the same
            # explicit path in both builds, so it may name where flashkit lives).
            for root in (tmp_path, built.parents[2]):
                assert str(root).encode() not in x + y, f"{b}/{name} names a path"


def test_elfs_debug_info_names_no_directory(built):
    elf = next((built / "nucleo-f401").glob("*.elf"))
    r = run(["arm-none-eabi-readelf", "--debug-dump=info", elf])
    assert r.returncode == 0
    comp_dirs = re.findall(r"DW_AT_comp_dir\s*:\s*(?:\([^)]*\):\s*)?(\S+)", r.stdout)
    assert comp_dirs and all(d == "." for d in comp_dirs), comp_dirs


# --- flashing a CI build: copy the board's directory anywhere, no build tree -------

def fetched(built, board, tmp):
    """The board's artifacts as a bench would download them."""
    d = tmp / "download" / board
    shutil.copytree(built / board, d)
    return d


def by_manifest(prefix, d, *extra):
    """The manifest's own flash_from_manifest line, run in its directory."""
    line = manifest(d.parent, d.name)["flash_from_manifest"]
    argv = line.split()
    assert argv[0] == "make"
    return run([*prefix, FK_MAKE, "--no-print-directory", *argv[1:], *extra], cwd=d,
               env={"FLASHKIT": str(FLASHKIT)})


def test_flash_dfu_board_by_manifest(built, tmp_path):
    d = fetched(built, "odrive-v3", tmp_path)
    prefix, flash = cikit.vdfu(tmp_path, "f4")
    r = by_manifest(prefix, d)
    assert r.returncode == 0, out(r)
    image = next(d.glob("*.bin")).read_bytes()
    assert flash.read_bytes()[:len(image)] == image
    assert "SHA256" in r.stdout and "dfu-util" in r.stdout


def test_flash_drive_by_manifest(built, tmp_path):
    ok, why = cikit.drive_namespace_ok(tmp_path)
    if not ok:
        pytest.skip(why)
    d = fetched(built, "nucleo-f401", tmp_path)
    prefix, flash = cikit.vdrive(tmp_path)
    r = by_manifest(prefix, d, "PROGRAMMER=cpy2remed")
    assert r.returncode == 0, out(r)
    image = next(d.glob("*.bin")).read_bytes()
    assert flash.read_bytes()[:len(image)] == image


def test_flash_uart_by_manifest_and_by_flashfile(built, tmp_path):
    d = fetched(built, "nucleo-f401", tmp_path)
    prefix, flash, link = cikit.vuart(tmp_path)
    r = by_manifest(prefix, d, "PROGRAMMER=stm32flash", f"PORT={link}")
    assert r.returncode == 0, out(r)
    image = next(d.glob("*.bin")).read_bytes()
    assert flash.read_bytes()[:len(image)] == image
    # The manifest's per-programmer line, exactly as written (FLASHFILE=... in the directory).
    line = manifest(d.parent, d.name)["programmers"]["stm32flash"]["command"]
    (tmp_path / "again").mkdir()
    prefix, flash, link = cikit.vuart(tmp_path / "again")
    r = run([*prefix, "sh", "-c", f"{line} PORT={link}"], cwd=d, env={"FLASHKIT": str(FLASHKIT)})
    assert r.returncode == 0, out(r)
    assert flash.read_bytes()[:len(image)] == image


def test_corrupted_download_is_refused(built, tmp_path):
    d = fetched(built, "odrive-v3", tmp_path)
    b = d / manifest(d.parent, d.name)["programmers"]["dfu"]["file"]
    data = bytearray(b.read_bytes())
    data[400] ^= 0xFF
    b.write_bytes(bytes(data))
    prefix, flash = cikit.vdfu(tmp_path, "f4")
    r = by_manifest(prefix, d)
    assert r.returncode == 65, out(r)
    assert "does not match its sha256" in r.stderr
    assert not flash.exists() or set(flash.read_bytes()[:4096]) == {0xFF}


def test_manifest_usage_errors(built, tmp_path):
    d = fetched(built, "odrive-v3", tmp_path)
    r = run([FK_MAKE, "-f", FLASHKIT_MK, "MANIFEST=manifest.json", "BOARD=nucleo-f401", "flash-only"],
            cwd=d)
    assert r.returncode == 64 and "was built for odrive-v3" in r.stderr, out(r)
    r = run([FK_MAKE, "-f", FLASHKIT_MK, "MANIFEST=nope.json", "flash-only"], cwd=d)
    assert r.returncode == 64 and "cannot read MANIFEST=nope.json" in r.stderr, out(r)


def test_manifest_parse_is_processless(built, tmp_path):
    """make -n with MANIFEST starts no process at parse time ($(file <), string
    functions): the only exec is make's own, and the listing is the flash."""
    if not shutil.which("strace"):
        pytest.skip("strace not installed")
    log = tmp_path / "strace.txt"
    r = run(["strace", "-f", "-e", "trace=execve", "-o", log, "make", "-n", "-f", FLASHKIT_MK,
             "MANIFEST=manifest.json", "flash-only"], cwd=built / "odrive-v3")
    assert r.returncode == 0, out(r)
    execs = [l for l in log.read_text().splitlines() if "execve(" in l and "= 0" in l]
    assert len(execs) == 1, execs
    f = manifest(built, "odrive-v3")["programmers"]["dfu"]["file"]
    assert "dfu-util -d 0483:df11" in r.stdout and f"-D '{f}'" in r.stdout


def test_manifest_tool_usage(tmp_path):
    fk = str(FLASHKIT)
    assert run([fk, "manifest"]).returncode == 64
    assert run([fk, "manifest", "-o", tmp_path / "m.json", "--board", "b", "--epoch", "x",
                tmp_path / "f"]).returncode == 64
    r = run([fk, "manifest", "-o", tmp_path / "m.json", "--board", "b", "--epoch", "0",
             tmp_path / "missing.bin"])
    assert r.returncode == 66 and not (tmp_path / "m.json").exists(), out(r)
    assert run([fk, "manifest", "-o", tmp_path / "m.json", "--board", "b", "--epoch", "0",
                "--programmer", "dfu=x.bin", tmp_path / "f"]).returncode == 64


def test_reformatted_manifest_still_reads(built, tmp_path):
    """A manifest pretty-printed by another tool (json.dumps indent=4) still gives the
    board and the file."""
    d = fetched(built, "odrive-v3", tmp_path)
    m = json.loads((d / "manifest.json").read_text())
    (d / "pretty.json").write_text(json.dumps(m, indent=4))
    r = run(["make", "-n", "-f", FLASHKIT_MK, "MANIFEST=pretty.json", "flash-only"], cwd=d)
    assert r.returncode == 0, out(r)
    assert f"-D '{m['programmers']['dfu']['file']}'" in r.stdout


def test_twister_flash_command(built, tmp_path):
    """tools/ci/twister-flash as twister calls it: our words, then --build-dir and
    --board-id appended; the file is zephyr/zephyr.<type the programmer takes>."""
    d = built / "odrive-v3"
    z = tmp_path / "twister-build" / "zephyr"
    z.mkdir(parents=True)
    image = next(d.glob("*.bin")).read_bytes()
    (z / "zephyr.bin").write_bytes(image)
    prefix, flash = cikit.vdfu(tmp_path, "f4", "--serial", "ODRV-1")
    tw = ROOT / "tools" / "ci" / "twister-flash"
    r = run([*prefix, tw, "BOARD=odrive-v3", "--build-dir", z.parent, "--board-id", "ODRV-1"],
            env={"FLASHKIT": str(FLASHKIT)})
    assert r.returncode == 0, out(r)
    assert flash.read_bytes()[:len(image)] == image
    prefix, _ = cikit.vdfu(tmp_path / "twister-build", "f4", "--serial", "ODRV-1")
    r = run([*prefix, tw, "BOARD=odrive-v3", "DFU_WAIT=1", "--build-dir", z.parent,
             "--board-id", "ODRV-2"], env={"FLASHKIT": str(FLASHKIT)})
    assert r.returncode == 69, out(r)          # another board's id: not found
    assert run([tw, "BOARD=odrive-v3"]).returncode == 64


def test_installed_flashkit_flashes_by_manifest(built, tmp_path):
    """make install: the manifest's own command, with the installed plugin and the
    installed tools/fk-make, flashes a downloaded build (no flashkit tree, no PATH)."""
    prefix = tmp_path / "prefix"
    r = run(["make", "--no-print-directory", "-C", ROOT, f"BUILD={cikit.BUILD}",
             f"PREFIX={prefix}", "install"], timeout=600)
    assert r.returncode == 0, out(r)
    share = prefix / "share" / "flashkit"
    assert os.access(share / "tools" / "fk-make", os.X_OK)
    assert os.access(share / "tools" / "ci" / "twister-flash", os.X_OK)
    d = fetched(built, "odrive-v3", tmp_path)
    line = manifest(d.parent, d.name)["flash_from_manifest"].split()
    line[line.index("-f") + 1] = str(share / "makefiles" / "flashkit.mk")
    prefix_cmd, flash = cikit.vdfu(tmp_path, "f4")
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                           if p and not os.path.exists(os.path.join(p, "flashkit")))
    r = run([*prefix_cmd, share / "tools" / "fk-make", *line[1:]], cwd=d,
            env={"PATH": path, "FLASHKIT": ""})
    assert r.returncode == 0, out(r)
    image = next(d.glob("*.bin")).read_bytes()
    assert flash.read_bytes()[:len(image)] == image
