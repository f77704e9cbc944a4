"""flashkit run, the quiet runner every programmer uses: output only on failure, the
tool's exit code and signal, progress from the tool's own percent."""
import signal

from firstuse import FLASHKIT, env, run

RUN = [FLASHKIT, "run", "--label", "writing", "--"]


def sh(script, **e):
    return run([*RUN, "sh", "-c", script], env=env(**e), timeout=30)


def test_success_shows_nothing_of_the_tool():
    r = sh("echo 'dfu-util 0.11'; echo 'Copyright ...' >&2")
    assert r.returncode == 0 and r.stdout == "", r
    assert "Copyright" not in r.stderr and "dfu-util" not in r.stderr


def test_failure_shows_everything_and_keeps_the_exit_code():
    # dfu-util's way: each state of the bar starts with \r, the error follows it.
    r = sh("echo 'dfu-util 0.11'; printf '\\rErase\\t[=  ] 10%%\\rErase\\t[== ] 20%%'; "
           "echo 'dfu-util: Cannot claim interface' >&2; exit 74")
    assert r.returncode == 74
    assert "dfu-util 0.11\n" in r.stderr and "Cannot claim interface" in r.stderr
    # The \\r-redrawn bar is kept as a terminal would show it: its last state.
    log = r.stderr.split("dfu-util 0.11\n")[1]
    # The error (stderr) after the bar left open (stdout) starts a line of its own.
    assert log.startswith("Erase\t[== ] 20%\ndfu-util: Cannot claim interface\n"), r.stderr


def test_percent_becomes_plain_lines_in_a_log():
    r = sh("for p in 0 30 60 100; do printf 'Download\\t[ ] %d%%      0 bytes\\r' $p; sleep 0.05; done",
           FLASHKIT_PROGRESS="lines")
    assert r.returncode == 0
    lines = r.stderr.splitlines()
    assert "          writing   0%" in lines and "          writing 100%" in lines, r.stderr
    assert "\r" not in r.stderr


def test_stm32flash_style_percent():
    r = sh("printf 'Wrote address 0x08000100 (2.34%%) \\rWrote address 0x08000200 (100.00%%) Done.\\n'",
           FLASHKIT_PROGRESS="lines")
    assert "          writing 100%" in r.stderr.splitlines(), r.stderr


def test_nothing_at_all_when_off():
    r = sh("printf 'Download [==] 50%%\\r'; sleep 1.2", FLASHKIT_PROGRESS="off")
    assert r.returncode == 0 and r.stderr == "" and r.stdout == ""


def test_signal_is_passed_on():
    r = sh("kill -TERM $$")
    assert r.returncode == -signal.SIGTERM, r


def test_missing_tool_and_usage():
    r = run([*RUN, "no-such-tool-here"])
    assert r.returncode == 69 and "cannot start no-such-tool-here" in r.stderr
    r = run([FLASHKIT, "run"])
    assert r.returncode == 64 and "no command given" in r.stderr
