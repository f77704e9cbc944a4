"""The small things that make a tool feel finished."""
import os
import signal

from firstuse import FLASHKIT, ROOT, VDRIVE, blinky, in_pty, need_arm_gcc, out, run, vdrive


def test_dfuse_target_name_is_the_same_from_make_and_convert(tmp_path):
    need_arm_gcc()
    d = blinky("crazyflie2")
    r = run([FLASHKIT, "convert", d / "blinky.elf", "-o", tmp_path / "c.dfu"])
    assert r.returncode == 0, out(r)
    targets = []
    for f in (d / "blinky.dfu", tmp_path / "c.dfu"):
        r = run([FLASHKIT, "info", f])
        targets.append([l for l in r.stdout.splitlines() if l.startswith(("target:", "suffix:"))])
    assert targets[0] == targets[1] and 'target: alt 0 "Internal Flash"' in targets[0]


def test_convert_names_every_output_format(tmp_path):
    (tmp_path / "in.bin").write_bytes(b"\0" * 16)
    r = run([FLASHKIT, "convert", tmp_path / "in.bin", "-o", tmp_path / "x.txt"])
    assert r.returncode == 64
    assert "bin, hex, srec or dfu" in r.stderr, out(r)


def test_vdrive_run_help():
    r = run([VDRIVE, "run", "--help"])
    assert r.returncode == 0, out(r)
    assert r.stdout.startswith("usage: vdrive run") and "needs a value" not in r.stderr


def test_ctrl_c_under_vdrive_run_ends_cleanly(tmp_path):
    need_arm_gcc()
    blinky("nucleo-f401")
    cmd = vdrive(tmp_path, "make", "--no-print-directory", "-C", ROOT / "examples" / "blinky",
                 "BOARD=nucleo-f401", "PROGRAMMER=cpy2remed", f"FLASHKIT={FLASHKIT}", "flash",
                 extra=["--remount-delay", "30"])
    status, text = in_pty(cmd, timeout=60, interrupt_after=4)
    assert "No child processes" not in text, text
    assert "Interrupt" in text, text
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGINT, (status, text)


def test_make_pytest_with_a_folder_runs_that_folder_only():
    """docs/bench.md: `make pytest PYTEST_ARGS=tests/boardbench` runs those tests, not
    the whole suite and then those again; without a path the whole suite runs."""
    r = run(["make", "-n", "--no-print-directory", "pytest", "PYTEST_ARGS=tests/boardbench"])
    assert r.returncode == 0, out(r)
    line = [l for l in r.stdout.splitlines() if "pytest" in l and "-q" in l][-1]
    assert line.endswith("-q tests/boardbench"), line
    r = run(["make", "-n", "--no-print-directory", "pytest", "PYTEST_ARGS=-k quiet"])
    line = [l for l in r.stdout.splitlines() if "pytest" in l and "-q" in l][-1]
    assert line.endswith("-q tests -k quiet"), line
