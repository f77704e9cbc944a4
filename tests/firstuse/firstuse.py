"""Helpers for the first-use tests (imported by name): run a command the way a
new user would, at the repository root, beside one of the virtual boards, with or
without a terminal."""
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("FLASHKIT_BUILD", ROOT / "build")).resolve()
FLASHKIT = BUILD / "bin" / "flashkit"
VDRIVE = BUILD / "vboard" / "vdrive"
VDFU = BUILD / "vboard" / "vdfu"
VUART = BUILD / "vboard" / "vuart"
VSTLINK = BUILD / "vboard" / "vstlink"

# The tools' own lines that a quiet flash must not show (and V=1 or a failure must).
BANNER = {
    "dfu": ["Copyright 2005-2009 Weston Schmidt", "dfu-util 0.11"],
    "stm32flash": ["http://stm32flash.sourceforge.net/", "Interface serial_posix"],
    "openocd": ["Open On-Chip Debugger", "Licensed under GNU GPL v2"],
}


def env(**extra):
    """The environment of a user's shell: no outer make's flags, no forced progress mode."""
    e = {k: v for k, v in os.environ.items()
         if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "FLASHKIT_PROGRESS")}
    e.update({k: str(v) for k, v in extra.items()})
    return e


def run(cmd, timeout=180, cwd=ROOT, **kw):
    return subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=kw.pop("env", env()), **kw)


def out(r):
    return f"exit {r.returncode}\n--- stdout\n{r.stdout}\n--- stderr\n{r.stderr}"


def erased(path, size):
    path.write_bytes(b"\xff" * size)


def vdrive(tmp, *cmd, extra=()):
    """cmd beside a virtual Nucleo-F401 ST-LINK drive; its flash in tmp/drive-flash.bin."""
    return [VDRIVE, "run", "--board-flash", "0x08000000:512K", "--layout", "4*16K,1*64K,3*128K",
            "--flash-file", tmp / "drive-flash.bin", "--remount-delay", "0.2", *extra, "--", *cmd]


def vdfu(tmp, *cmd, family="f4", extra=()):
    """cmd beside a virtual ROM DFU bootloader; its flash in tmp/dfu-flash.bin."""
    sizes = {"f4": 1 << 20, "f7": 2 << 20}
    f = tmp / "dfu-flash.bin"
    if not f.exists():
        erased(f, sizes[family])
    return [VDFU, "run", "--family", family, "--flash-file", f, "--events", tmp / "dfu-events.txt",
            *extra, "--", *cmd]


def vstlink(tmp, *cmd, chip="stm32f401re", extra=()):
    """cmd beside a virtual ST-LINK/V2-1 wired to an STM32; its flash in tmp/stlink-flash.bin."""
    return [VSTLINK, "--chip", chip, "--flash-file", tmp / "stlink-flash.bin", *extra, "--", *cmd]


def vuart(tmp, *cmd, extra=()):
    """cmd beside a virtual STM32F401 ROM UART bootloader on tmp/ttyUSB0 (RTS/DTR inverted)."""
    return [VUART, "--flash", tmp / "uart-flash.bin", "--wiring", "inverted", "--boot0", "low",
            "--link", tmp / "ttyUSB0", "--state", tmp / "uart-state.txt",
            "--log", tmp / "uart-log.txt", *extra, "--", *cmd]


def in_pty(cmd, timeout=120, cwd=ROOT, interrupt_after=None, environ=None):
    """Run cmd on a pseudo-terminal (stdin, stdout and stderr), as in a user's terminal.
    interrupt_after=S types Ctrl-C after S seconds. Returns (status, output)."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.chdir(cwd)
            os.execvpe(str(cmd[0]), [str(c) for c in cmd], environ or env())
        finally:
            os._exit(127)
    data = b""
    start = time.time()
    sent = False
    while time.time() - start < timeout:
        if interrupt_after is not None and not sent and time.time() - start > interrupt_after:
            os.write(fd, b"\x03")
            sent = True
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
    else:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return status, data.decode(errors="replace")


def blinky(board):
    """examples/blinky built for board in a scratch copy of BUILDDIR; returns the folder."""
    d = BUILD / "firstuse-blinky" / board
    r = run(["make", "--no-print-directory", "-C", ROOT / "examples" / "blinky", f"BOARD={board}",
             f"BUILDDIR={d}", f"FLASHKIT={FLASHKIT}"])
    assert r.returncode == 0, out(r)
    return d


def need_arm_gcc():
    import pytest
    if not shutil.which("arm-none-eabi-gcc"):
        pytest.skip("arm-none-eabi-gcc not installed")


def quick_reference():
    """The commands of the README's quick reference, in order."""
    text = (ROOT / "README.md").read_text()
    m = re.search(r"## Quick reference\n.*?```sh\n(.*?)```", text, re.S)
    assert m, "README.md has no quick reference block"
    cmds = []
    for line in m.group(1).splitlines():
        line = line.split("  #")[0].strip()
        if line:
            cmds.append(line)
    return cmds
