"""make flash-bench: four virtual boards across three programmers (two
ST-LINK drives, a DFU bootloader, a UART bootloader), flashed at once; one
of them fails on purpose. The others are flashed, every output line is one
board's whole line, the summary and the JSON say who failed, the exit is
the failed board's."""
import json
import os
import re
import subprocess

import pytest

from boardbench import (DFU_SN, FK_MK, FLASHKIT, SERIAL1, SERIAL2, VUART, build, firmware, rc,
                        run, vdfu, vdrive)


@pytest.fixture(scope="module", autouse=True)
def _built():
    build()


class BgUart:
    def __init__(self, tmp, *opts):
        self.flash = tmp / "uart.bin"
        self.link = tmp / "tty-uart"
        self.p = subprocess.Popen(
            [str(a) for a in [VUART, "--flash", self.flash, "--log", tmp / "uart.log",
                              "--link", self.link, "--wiring", "none", *opts]],
            stdout=subprocess.PIPE, text=True)
        self.env = {}
        for line in self.p.stdout:
            if line.startswith("# ready"):
                break
            k, _, v = line.strip().partition("=")
            self.env[k] = v

    def stop(self):
        self.p.terminate()
        self.p.wait(10)


def bench(tmp_path, lines, *args, uart_opts=()):
    u = BgUart(tmp_path, *uart_opts)
    try:
        text = "\n".join(lines).format(tty=u.link, vtty=u.env["VUART_TTY"], ctl=u.env["VUART_CTL"])
        (tmp_path / "bench.txt").write_text(text + "\n")
        env = {"PATH": u.env["VUART_PATH"] + ":" + os.environ["PATH"]}
        r = run([*vdrive(tmp_path, two=True), "--",
                 *vdfu("--flash-file", tmp_path / "dfu.bin"), "--",
                 "make", "--no-print-directory", "-f", FK_MK, f"FLASHKIT={FLASHKIT}",
                 f"BENCH={tmp_path / 'bench.txt'}", f"BENCH_JSON={tmp_path / 'result.json'}",
                 *args, "flash-bench"], env=env, cwd=tmp_path)
    finally:
        u.stop()
    return r, u


BENCH = [
    "# four boards, three programmers",
    f"left   nucleo-f401      cpy2remed   SERIAL={SERIAL1}",
    f"right  nucleo-f401      cpy2remed   SERIAL={SERIAL2}   # the second drive",
    f"disco  stm32f4discovery dfu         SERIAL={DFU_SN}  DFU_WAIT=10",
    "uart   nucleo-f401      stm32flash  PORT={tty}  VUART_TTY={vtty} VUART_CTL={ctl}",
]


@pytest.fixture
def fw(tmp_path):
    data = firmware(20000, seed=5)
    (tmp_path / "fw.bin").write_bytes(data)
    return data


def check_lines(out, names):
    body, _, summary = out.partition("\nNAME ")
    width = max(len(n) for n in names)
    pat = re.compile(r"^(%s) +\| " % "|".join(names))
    for line in body.splitlines():
        m = pat.match(line)
        assert m, f"line without a board prefix: {line!r}"
        assert len(m.group(0)) == width + 3
        rest = line[len(m.group(0)):]
        assert not re.search(r"(%s) +\| " % "|".join(names), rest), f"mixed line: {line!r}"
    return body, "NAME " + summary


def test_four_boards_one_failing(tmp_path, fw):
    r, u = bench(tmp_path, BENCH, "FLASHFILE=fw.bin", uart_opts=("--fault", "nack-write"))
    names = ["left", "right", "disco", "uart"]
    body, summary = check_lines(r.stdout, names)
    # the others are flashed
    assert (tmp_path / "drive1.bin").read_bytes()[:len(fw)] == fw
    assert (tmp_path / "drive2.bin").read_bytes()[:len(fw)] == fw
    assert (tmp_path / "dfu.bin").read_bytes()[:len(fw)] == fw
    assert u.flash.read_bytes()[:len(fw)] != fw
    # whole tool lines arrive whole, under their board
    assert re.search(r"^disco +\| +FLASH +dfu-util +fw\.bin -> 0x08000000$", body, re.M)
    assert re.search(r"^left +\| +OK +NODE_F401RE came back", body, re.M)
    assert re.search(r"^uart +\| flashkit: .*refused the write", body, re.M)
    rows = {l.split()[0]: l.split() for l in summary.splitlines()[1:5]}
    assert rows["left"][1:4] == ["nucleo-f401", "cpy2remed", "ok"]
    assert rows["disco"][1:4] == ["stm32f4discovery", "dfu", "ok"]
    assert rows["uart"][1:5] == ["nucleo-f401", "stm32flash", "FAILED", "(74)"]
    assert "4 boards: 3 ok, 1 failed" in summary
    assert rc(r) == 74
    j = json.loads((tmp_path / "result.json").read_text())
    assert j["ok"] is False and j["boards_ok"] == 3 and j["boards_failed"] == 1
    res = {b["name"]: b for b in j["boards"]}
    assert [b["name"] for b in j["boards"]] == names
    assert res["uart"]["result"] == "failed" and res["uart"]["exit"] == 74
    assert res["left"]["result"] == "ok" and res["left"]["exit"] == 0
    assert res["right"]["selector"] == f"SERIAL={SERIAL2}" and res["right"]["line"] == 3
    assert all(b["seconds"] > 0 for b in j["boards"])


def test_all_ok_and_only_a_subset(tmp_path, fw):
    r, u = bench(tmp_path, BENCH, "FLASHFILE=fw.bin", "ONLY=right,uart")
    assert rc(r) == 0, r.stdout + r.stderr
    check_lines(r.stdout, ["right", "uart"])
    assert "2 boards: 2 ok, 0 failed" in r.stdout
    assert not re.search(r"^(left|disco) ", r.stdout, re.M)
    assert (tmp_path / "drive2.bin").read_bytes()[:len(fw)] == fw
    assert u.flash.read_bytes()[:len(fw)] == fw
    assert (tmp_path / "drive1.bin").read_bytes()[:64] == b"\xff" * 64
    j = json.loads((tmp_path / "result.json").read_text())
    assert j["ok"] is True and [b["name"] for b in j["boards"]] == ["right", "uart"]


def test_per_board_images(tmp_path):
    a, b = firmware(3000, seed=1), firmware(5000, seed=2)
    (tmp_path / "imgs").mkdir()
    (tmp_path / "imgs" / "a.bin").write_bytes(a)
    (tmp_path / "imgs" / "b.bin").write_bytes(b)
    lines = [f"left  nucleo-f401 cpy2remed SERIAL={SERIAL1} FLASHFILE=imgs/a.bin",
             f"right nucleo-f401 cpy2remed SERIAL={SERIAL2} FLASHFILE=imgs/b.bin"]
    r, _ = bench(tmp_path, lines)
    assert rc(r) == 0, r.stdout + r.stderr
    assert (tmp_path / "drive1.bin").read_bytes()[:len(a)] == a
    assert (tmp_path / "drive2.bin").read_bytes()[:len(b)] == b


@pytest.mark.parametrize("text,line,msg", [
    ("a nucleo-f401 cpy2remed\n", 1, "want 'NAME BOARD PROGRAMMER"),
    ("# c\n\na nucleo-f401 cpy2remed LABEL=x\n", 3, "the 4th word selects the board"),
    ("a nucleo-f401 cpy2remed SERIAL=1\na nucleo-f401 dfu SERIAL=2\n", 2, "name 'a' already used on line 1"),
    ("a nucleo-f401 cpy2remed SERIAL=1\nb nucleo-f401 cpy2remed SERIAL=1\n", 2, "one board, flashed twice"),
    ("a nucleo-f401 cpy2remed SERIAL=1 lower=1\n", 1, "'lower=1' is not VAR=value"),
    ("a no-such-board cpy2remed SERIAL=1\n", 1, "unknown board 'no-such-board'"),
])
def test_bad_bench_file(tmp_path, text, line, msg):
    p = tmp_path / "bench.txt"
    p.write_text(text)
    r = run(["make", "--no-print-directory", "-f", FK_MK, f"FLASHKIT={FLASHKIT}", f"BENCH={p}",
             "FLASHFILE=fw.bin", "flash-bench"])
    assert rc(r) == 65
    assert f"bench.txt:{line}: " in r.stderr and msg in r.stderr


def test_usage_errors(tmp_path):
    r = run(["make", "--no-print-directory", "-f", FK_MK, f"FLASHKIT={FLASHKIT}", "flash-bench"])
    assert rc(r) == 64 and "set BENCH=" in r.stderr
    p = tmp_path / "bench.txt"
    p.write_text(f"a nucleo-f401 cpy2remed SERIAL={SERIAL1}\n")
    r = run(["make", "--no-print-directory", "-f", FK_MK, f"FLASHKIT={FLASHKIT}", f"BENCH={p}",
             "ONLY=zz", "FLASHFILE=fw.bin", "flash-bench"])
    assert rc(r) == 64 and "ONLY names 'zz'" in r.stderr and " a" in r.stderr
    r = run(["make", "--no-print-directory", "-f", FK_MK, f"FLASHKIT={FLASHKIT}", f"BENCH={p}",
             "flash-bench"])
    assert rc(r) == 64 and "bench.txt:1: no image for 'a'" in r.stderr
