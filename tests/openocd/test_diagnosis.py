"""programmers/openocd-run.sh on OpenOCD's words alone (a stand-in that prints a real
0.12 log and fails): the one line and the exit code for each cause, the retry, the hints
when the cause is unknown."""
import subprocess

import pytest

from stlinkkit import ROOT

RUN = ROOT / "programmers" / "openocd-run.sh"

HEAD = """Open On-Chip Debugger 0.12.0
Info : clock speed 2000 kHz
Info : STLINK V2J37M26 (API v2) VID:PID 0483:374B
Info : Target voltage: 3.249429
"""
CONNECTED = HEAD + "Info : [stm32f4x.cpu] Cortex-M4 r0p1 processor detected\n"


def fake(tmp_path, *logs):
    """An openocd that prints logs[i] on its i-th run (the last one after that) and
    fails, or succeeds when the log is None."""
    for i, log in enumerate(logs):
        (tmp_path / f"log{i}").write_text(log or "** Verified OK **\n")
        (tmp_path / f"rc{i}").write_text("1" if log else "0")
    script = tmp_path / "openocd"
    script.write_text(f"""#!/bin/sh
n=$(cat {tmp_path}/n 2>/dev/null || echo 0)
echo "$@" >>{tmp_path}/args
[ -f {tmp_path}/log$n ] || n={len(logs) - 1}
echo $((n + 1)) >{tmp_path}/n
cat {tmp_path}/log$n >&2
exit $(cat {tmp_path}/rc$n)
""")
    script.chmod(0o755)
    return script


def run(tmp_path, *logs, opts=()):
    ocd = fake(tmp_path, *logs)
    r = subprocess.run(["sh", RUN, "--board", "nucleo-f401", "--mcu", "stm32f401re",
                        "--driver", "stm32f2x", "--target", "target/stm32f4x.cfg",
                        "--hint", "Board text.||General hint.", *opts, "--",
                        ocd, "-f", "interface/stlink.cfg", "-f", "target/stm32f4x.cfg",
                        "-c", "program fw.bin 0x08000000 verify reset exit"],
                       capture_output=True, text=True, timeout=30)
    lines = [x for x in r.stderr.splitlines() if x.startswith("flashkit: ")]
    return r, lines


CASES = [
    ("Error: libusb_open() failed with LIBUSB_ERROR_ACCESS\nError: open failed\n", 77,
     "LIBUSB_ERROR_ACCESS"),
    ("Error: open failed\n", 69, "OpenOCD found no ST-LINK"),
    (HEAD.replace("3.249429", "0.000000") + "Error: init mode failed (unable to connect to the target)\n",
     69, "not powered: the ST-LINK reads 0.00 V"),
    (HEAD.replace("V2J37M26", "V2J17M4") + "Error: init mode failed (unable to connect to the target)\n",
     69, "STSW-LINK007"),
    (HEAD + "Error: init mode failed (unable to connect to the target)\n", 69,
     "does not answer on SWD (the ST-LINK reads 3.25 V)"),
    (HEAD + "Warn : UNEXPECTED idcode: 0x6ba02477\nError: expected 1 of 1: 0x2ba01477\n", 69,
     "STM32H7 answers (id 0x6ba02477)"),
    (CONNECTED + "Error: stm32x device protected\nError: failed erasing sectors 0 to 0\n", 74,
     "'stm32f2x unlock 0'"),
    (CONNECTED + "** Verify Started **\nError: checksum mismatch - attempting binary compare\n"
     "** Verify Failed **\n", 76, "verify failed"),
    (HEAD + "Error: couldn't open fw.bin\n", 66, "cannot read the image"),
]


@pytest.mark.parametrize("log,code,words", CASES, ids=[c[2][:24] for c in CASES])
def test_cause_in_one_line(tmp_path, log, code, words):
    r, lines = run(tmp_path, log)
    assert r.returncode == code, r.stderr
    assert len(lines) == 1 and words in lines[0], r.stderr
    assert "General hint." not in r.stderr


def test_unknown_failure_gets_the_hints(tmp_path):
    r, lines = run(tmp_path, CONNECTED + "Error: something new\n")
    assert r.returncode == 74, r.stderr
    assert lines == ["flashkit: openocd failed on nucleo-f401 (stm32f401re)."]
    assert "Board text.\nGeneral hint.\n" in r.stderr


def test_part_way_failure_retried_slower_with_the_speed_held(tmp_path):
    part_way = CONNECTED + "Error: jtag status contains invalid mode value - communication failure\n"
    r, lines = run(tmp_path, part_way, None)
    assert r.returncode == 0, r.stderr
    assert "retrying at 480 kHz" in lines[0] and "written and verified at 480 kHz" in lines[1]
    second = (tmp_path / "args").read_text().splitlines()[1]
    # after the target script, before the program command
    assert ("-f target/stm32f4x.cfg -c adapter speed 480 -c [target current] configure "
            "-event reset-start {adapter speed 480}") in second
    assert second.endswith("program fw.bin 0x08000000 verify reset exit")


def test_no_retry_with_slow_0(tmp_path):
    part_way = CONNECTED + "Error: error writing to flash at address 0x08000000\n"
    r, lines = run(tmp_path, part_way, None, opts=("--slow", "0"))
    assert r.returncode == 74
    assert len((tmp_path / "args").read_text().splitlines()) == 1


def test_server_stopped_by_a_signal_is_no_failure(tmp_path):
    ocd = tmp_path / "openocd"
    ocd.write_text("#!/bin/sh\nexit 130\n")
    ocd.chmod(0o755)
    r = subprocess.run(["sh", RUN, "--action", "server", "--", ocd], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0, r.stderr
