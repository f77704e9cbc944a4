"""make debug-server with gdb-multiarch attached, and make debug through OpenOCD's pipe,
on examples/blinky flashed through the virtual ST-LINK: break at main, step, read a
variable."""
import re
import shutil
import subprocess

import pytest

from stlinkkit import FLASHKIT, MK, clean_env, free_port, out, rc

pytestmark = pytest.mark.skipif(not shutil.which("gdb-multiarch"), reason="no gdb-multiarch")


def make_cmd(board, *args):
    return (f"make --no-print-directory -f {MK} BOARD={board} PROGRAMMER=openocd "
            f"FLASHKIT={FLASHKIT} OPENOCD_WAIT=2 " + " ".join(args))


def test_debug_server_with_gdb(probe, blinky, tmp_path):
    p = probe()
    d = blinky("nucleo-f401")
    port = free_port()
    script = tmp_path / "session.sh"
    script.write_text(f"""
{make_cmd('nucleo-f401', f'FLASHFILE={d}/blinky.bin', 'flash')} || exit 1
{make_cmd('nucleo-f401', f'GDB_PORT={port}', 'debug-server')} >{tmp_path}/server.txt 2>&1 &
python3 -c 'import socket, time
for _ in range(200):
    try:
        socket.create_connection(("127.0.0.1", {port}), 0.2).close()
        break
    except OSError:
        time.sleep(0.1)'
gdb-multiarch -q -batch -ex 'target extended-remote :{port}' -ex 'monitor reset halt' \\
    -ex 'break main' -ex 'continue' -ex 'next' -ex 'print blink_delay' -ex 'info registers pc' \\
    -ex 'monitor shutdown' {d}/blinky.elf
wait
""")
    r = p.run("sh", script, timeout=120)
    server = (tmp_path / "server.txt").read_text()
    assert r.returncode == 0, out(r) + server
    assert "Breakpoint 1, main ()" in r.stdout, out(r)
    assert "$1 = 50" in r.stdout, out(r)
    assert f"GDBSRV  openocd  stm32f401re on :{port}" in server
    assert "Open On-Chip Debugger" not in server  # quiet unless it fails or V=1


def test_debug_server_failure_shows_openocd_and_the_cause(probe):
    p = probe(fault="no-power")
    r = p.make(f"GDB_PORT={free_port()}", "debug-server")
    assert rc(r) == 69, out(r)
    assert "Open On-Chip Debugger" in r.stdout + r.stderr  # shown because it failed
    assert "the target is not powered" in r.stderr


def test_debug_through_the_pipe(probe, blinky, tmp_path):
    p = probe()
    d = blinky("nucleo-f401")
    r = p.make(f"FLASHFILE={d}/blinky.bin", "flash")
    assert r.returncode == 0, out(r)
    cmds = tmp_path / "gdb.txt"
    cmds.write_text("break main\ncontinue\nnext\nprint blink_delay\nkill\nquit\n")
    with open(cmds) as stdin:
        r = subprocess.run([*p.args(), "--", "sh", "-c",
                            make_cmd("nucleo-f401", f"ELFFILE={d}/blinky.elf", "debug")],
                           stdin=stdin, capture_output=True, text=True, timeout=120,
                           env=clean_env())
    assert r.returncode == 0, out(r)
    assert "Breakpoint 1, main ()" in r.stdout, out(r)
    assert "$1 = 50" in r.stdout, out(r)
    assert not re.search(r"^Open On-Chip Debugger", r.stdout + r.stderr, re.M), out(r)  # quiet: no banner
