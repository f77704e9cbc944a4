"""Installed mode: make install PREFIX=<tmp> puts the helper, the plugin and flashkit(1)
there; a firmware Makefile outside the tree that includes the installed plugin finds the
installed helper (not on PATH) and flashes a virtual DFU board; a missing helper names
the right fix; man -l renders the installed page."""
import os
import shutil

import pytest

from firstuse import BUILD, ROOT, env, need_arm_gcc, out, run, vdfu


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    p = tmp_path_factory.mktemp("prefix")
    r = run(["make", "--no-print-directory", "-C", ROOT, f"BUILD={BUILD}", f"PREFIX={p}", "install"])
    assert r.returncode == 0, out(r)
    # Quiet like the build: INSTALL lines, no install/cp commands, no "Nothing to be done".
    lines = r.stdout.splitlines()
    assert lines and all(l.startswith("  INSTALL ") for l in lines), out(r)
    assert "Nothing to be done" not in r.stdout + r.stderr, out(r)
    return p


def user_env():
    """A PATH without any flashkit on it: the plugin must find the installed one itself."""
    path = [d for d in os.environ.get("PATH", "").split(os.pathsep)
            if d and not os.path.exists(os.path.join(d, "flashkit"))]
    return env(PATH=os.pathsep.join(path))


def firmware(tmp, prefix):
    """examples/blinky's sources with a Makefile that includes the installed plugin."""
    fw = tmp / "fw"
    fw.mkdir()
    for f in ("main.c", "startup.c", "linker.ld.S"):
        shutil.copy(ROOT / "examples" / "blinky" / f, fw / f)
    mk = (ROOT / "examples" / "blinky" / "Makefile").read_text()
    mk = mk.replace("include ../../makefiles/flashkit.mk",
                    f"include {prefix}/share/flashkit/makefiles/flashkit.mk")
    assert str(prefix) in mk
    (fw / "Makefile").write_text(mk)
    return fw


def test_installed_files(prefix):
    assert os.access(prefix / "bin" / "flashkit", os.X_OK)
    assert (prefix / "share" / "flashkit" / "makefiles" / "flashkit.mk").exists()
    assert (prefix / "share" / "flashkit" / "programmers" / "dfu.mk").exists()
    assert (prefix / "share" / "flashkit" / "boards" / "crazyflie2.mk").exists()


def test_man_page_renders(prefix):
    page = prefix / "share" / "man" / "man1" / "flashkit.1"
    r = run(["man", "-l", page], env=env(MANWIDTH="100", MANPAGER="cat", PAGER="cat"))
    assert r.returncode == 0, out(r)
    text = r.stdout
    for cmd in ("convert", "usb-wait", "run", "copy", "check"):
        assert f"flashkit {cmd}" in text, cmd
    assert f"{prefix}/share/flashkit/makefiles/flashkit.mk" in text
    r = run(["man", "--warnings", "-l", page], env=env(MANWIDTH="100", MANPAGER="cat"))
    assert "warning" not in r.stderr.lower(), r.stderr


def test_out_of_tree_firmware_flashes_with_the_installed_plugin(prefix, tmp_path):
    need_arm_gcc()
    fw = firmware(tmp_path, prefix)
    r = run(["make", "--no-print-directory", "-C", fw, "BOARD=crazyflie2", "info"], env=user_env())
    assert r.returncode == 0, out(r)
    assert f"'{prefix}/bin/flashkit' check" in r.stdout, out(r)
    r = run(vdfu(tmp_path, "make", "--no-print-directory", "-C", fw, "BOARD=crazyflie2", "flash"),
            env=user_env())
    assert r.returncode == 0, out(r)
    assert "DFU     build/crazyflie2/blinky.dfu" in r.stdout  # a DFU board gets the .dfu
    r = run(["make", "--no-print-directory", "-C", fw, "BOARD=crazyflie2", "all"], env=user_env())
    img = (fw / "build" / "crazyflie2" / "blinky.bin").read_bytes()
    flash = (tmp_path / "dfu-flash.bin").read_bytes()
    assert flash[0x4000:0x4000 + len(img)] == img
    assert "dfu-util 0.11" not in r.stdout + r.stderr


def test_missing_helper_names_the_fix(prefix, tmp_path):
    need_arm_gcc()
    fw = firmware(tmp_path, prefix)
    moved = prefix / "bin" / "flashkit.away"
    os.rename(prefix / "bin" / "flashkit", moved)
    try:
        r = run(["make", "--no-print-directory", "-C", fw, "BOARD=crazyflie2", "flash"], env=user_env())
    finally:
        os.rename(moved, prefix / "bin" / "flashkit")
    assert r.returncode != 0
    assert (f"flashkit: the helper flashkit was not found (not in {prefix}/bin, not on PATH); "
            f"install it from the flashkit source tree with make install PREFIX={prefix}") in r.stderr, out(r)
    assert "make -C" not in r.stderr
