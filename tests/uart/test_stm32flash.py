"""The real stm32flash 0.7 against the virtual ROM UART bootloader, called
directly (no make): protocol, flash contents, reset wiring and faults."""
import pytest

# Fixtures by import: a tests/uart/conftest.py would shadow the other areas'
# conftest modules (all are imported under the one name 'conftest').
from vuart_fixtures import board, image, vuart_built  # noqa: F401

F401_SIZE = 512 * 1024

# RIOT's sequences: RTS drives BOOT0, DTR drives NRST.
SEQ_INVERT = "-rts,dtr,-dtr:rts,dtr,-dtr"      # STM32FLASH_RESET_INVERT=1
SEQ_DIRECT = "rts,-dtr,dtr:-rts,-dtr,dtr"      # STM32FLASH_RESET_INVERT=0


def erased_after(b, n):
    rest = b.contents()[n:]
    return rest == b"\xff" * len(rest)


def test_flash_verify_go(board, image):
    b = board()
    path, data = image(40000)  # spans sectors 0-2 (16 KiB each)
    r = b.stm32flash("-b", "115200", "-w", path, "-v", "-g", "0x08000000")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Device ID    : 0x0433 (STM32F401xD(E))" in r.stdout
    assert "Interface serial_posix: 115200 8E1" in r.stdout
    assert b.contents(len(data)) == data
    assert erased_after(b, len(data))
    st = b.state
    assert st["mode"] == "app" and st["app_starts"] == "1"
    assert st["app_entry"] == "0x08000000"
    assert "autobaud locked at 115200 baud" in b.log
    assert "SP=0x20018000, reset=0x080001c1" in b.log


def test_part_id_f411(board, image):
    b = board(pid="0x431")
    r = b.stm32flash()
    assert r.returncode == 0, r.stderr
    assert "Device ID    : 0x0431 (STM32F411xx)" in r.stdout


def test_reflash_erases_first(board, image):
    """Flash behaves like flash: a second image only lands because
    stm32flash erases the sectors first."""
    b = board()
    p1, _ = image(20000, seed=1)
    p2, d2 = image(20000, seed=2)
    assert b.stm32flash("-w", p1).returncode == 0
    r = b.stm32flash("-w", p2, "-v")
    assert r.returncode == 0, r.stderr
    assert b.contents(len(d2)) == d2
    assert "erased 2 page(s) from page 0" in b.log


def test_write_without_erase_is_refused(board, image):
    """Programming can only clear bits: writing over old data without an
    erase (-e 0) is a programming error, and the bootloader NACKs."""
    b = board()
    p1, _ = image(4096, seed=1)
    p2, _ = image(4096, seed=2)
    assert b.stm32flash("-w", p1).returncode == 0
    r = b.stm32flash("-e", "0", "-w", p2)
    assert r.returncode != 0
    assert "Failed to write memory at address 0x08000000" in r.stderr
    assert "flash not erased" in b.log


def test_read_back(board, image, tmp_path):
    b = board()
    path, data = image(5000)
    assert b.stm32flash("-w", path).returncode == 0
    out = tmp_path / "read.bin"
    r = b.stm32flash("-r", out, "-S", "0x08000000:5000")
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == data


def test_erase_only(board, image):
    b = board()
    path, _ = image(20000)
    assert b.stm32flash("-w", path).returncode == 0
    r = b.stm32flash("-o")
    assert r.returncode == 0, r.stderr
    assert b.contents() == b"\xff" * F401_SIZE
    assert "mass erase" in b.log


def test_legacy_erase_command(board, image):
    """Older parts offer ERASE 0x43 (one-byte page numbers) instead of 0x44."""
    b = board(pid="0x410", layout="128*1K", legacy_erase=True, ram_size="0x5000")
    path, data = image(3000)
    r = b.stm32flash("-w", path, "-v")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "STM32F10xxx Medium-density" in r.stdout
    assert b.contents(len(data)) == data
    assert "erased 3 page(s) from page 0" in b.log


def test_reset_without_wiring_reenters_bootloader(board):
    """-R without a GPIO sequence runs stm32flash's reset code from RAM:
    a system reset, and with the BOOT0 jumper high the ROM starts again."""
    b = board()
    r = b.stm32flash("-R")
    assert r.returncode == 0, r.stderr
    assert "system reset with BOOT0 high: ROM bootloader" in b.log
    assert b.state["resets"] == "2"


@pytest.mark.parametrize("wiring,seq", [("inverted", SEQ_INVERT), ("direct", SEQ_DIRECT)])
def test_reset_wiring_matching(board, image, wiring, seq):
    """With the sequence that matches the adapter, the board is reset into
    the bootloader, flashed, and reset into the application."""
    b = board(wiring=wiring, boot0="low")
    path, data = image(20000)
    r = b.stm32flash("-i", seq, "-w", path, "-v", "-g", "0x08000000")
    assert r.returncode == 0, r.stdout + r.stderr
    assert b.contents(len(data)) == data
    log = b.log
    assert "NRST released with BOOT0 high: ROM bootloader" in log
    # the exit sequence: a reset with BOOT0 low starts the application
    assert "NRST released: application running from 0x08000000" in log
    assert int(b.state["app_starts"]) >= 2  # GO, then the reset


@pytest.mark.parametrize("wiring,seq", [("inverted", SEQ_DIRECT), ("direct", SEQ_INVERT)])
def test_reset_wiring_wrong(board, image, wiring, seq):
    """The other sequence leaves NRST low while stm32flash knocks: no answer,
    a non-zero exit, and the flash untouched."""
    b = board(wiring=wiring, boot0="low")
    path, _ = image(4096)
    r = b.stm32flash("-i", seq, "-w", path)
    assert r.returncode != 0
    assert "Failed to init device" in r.stderr
    assert b.contents() == b"\xff" * F401_SIZE


def test_no_hupcl_keeps_direct_adapter_out_of_reset(board, image):
    """A direct (non-inverting) adapter holds NRST low once the port closes
    and the kernel drops DTR (HUPCL); with -hupcl the application keeps running."""
    b = board(wiring="direct", boot0="low")
    path, _ = image(4096)
    r = b.run(f'stm32flash -i "{SEQ_DIRECT}" -w {path} "$PORT"')
    assert r.returncode == 0, r.stderr
    assert b.state["mode"] == "reset"
    r = b.run(f'stty -F "$PORT" -hupcl && stm32flash -i "{SEQ_DIRECT}" -w {path} "$PORT"')
    assert r.returncode == 0, r.stderr
    assert b.state["mode"] == "app"


def test_parity_is_enforced(board, image):
    """8N1 instead of the bootloader's 8E1: garbled bytes, NACK, failure."""
    b = board()
    path, _ = image(4096)
    r = b.stm32flash("-m", "8n1", "-w", path)
    assert r.returncode != 0
    assert "Got NACK from device" in r.stderr
    assert "parity/framing error" in b.log
    assert b.contents() == b"\xff" * F401_SIZE


def test_pty_without_shim_cannot_keep_parity(board):
    """Why the shim exists: a bare pty drops PARENB and stm32flash refuses it."""
    b = board()
    r = b.run('LD_PRELOAD= /usr/bin/stm32flash "$PORT"')
    assert r.returncode != 0
    assert "Failed to set terminal flags" in r.stderr


def test_baud_above_autobaud_limit(board):
    b = board()
    r = b.stm32flash("-b", "230400")
    assert r.returncode != 0
    assert "Failed to init device" in r.stderr


def test_fault_no_answer(board):
    """The ROM picked another interface (traffic on CAN/USB, Aseba's warning)."""
    b = board(fault="no-answer")
    r = b.stm32flash()
    assert r.returncode != 0
    assert "Failed to init device, timeout." in r.stderr
    assert "USART stays silent" in b.log


def test_boot0_low_runs_the_application(board):
    """BOOT0 not high: the application runs and does not answer 0x7F; here it
    prints a banner, which stm32flash takes for a bad reply."""
    b = board(boot0="low", app_banner="blinky\r\n")
    r = b.stm32flash()
    assert r.returncode != 0
    assert "Failed to init device" in r.stderr
    assert b.state["mode"] == "app"


def test_fault_nack_write(board, image):
    b = board(fault="nack-write=3")
    path, data = image(4096)
    r = b.stm32flash("-w", path, "-v")
    assert r.returncode != 0
    assert "Failed to write memory at address 0x08000200" in r.stderr
    assert b.contents(512) == data[:512]
    assert b.state["app_starts"] == "0"


def test_fault_write_protect_and_unprotect(board, image):
    b = board(fault="write-protect")
    path, data = image(4096)
    r = b.stm32flash("-w", path)
    assert r.returncode != 0
    assert "Failed to erase memory" in r.stderr
    assert b.contents() == b"\xff" * F401_SIZE
    # -u in the same power cycle clears WRP; the ROM resets itself after it
    r = b.run(f'stm32flash -u "$PORT" && stm32flash -w {path} "$PORT"')
    assert r.returncode == 0, r.stderr
    assert b.contents(len(data)) == data
    assert "write protection removed; system reset" in b.log


def test_read_protect_unprotect(board, image, tmp_path):
    """RDP level 1 refuses reads; removing it mass-erases the flash."""
    b = board()
    path, _ = image(4096)
    out = tmp_path / "r.bin"
    r = b.run(f'stm32flash -w {path} "$PORT" && stm32flash -j "$PORT" && '
              f'! stm32flash -r {out} -S 0x08000000:256 "$PORT" && stm32flash -k "$PORT"')
    assert r.returncode == 0, r.stdout + r.stderr
    assert "read protection set" in b.log
    assert "NACK: read protection is active" in b.log
    assert "read protection removed, flash mass-erased" in b.log
    assert b.contents() == b"\xff" * F401_SIZE


def test_daemon_mode(board, tmp_path):
    """Without CMD, vuart prints a sourceable environment and waits; it
    cleans up its socket and wrapper when terminated."""
    import os
    import subprocess
    b = board()
    p = subprocess.Popen([str(a) for a in b.args()], stdout=subprocess.PIPE, text=True)
    try:
        env = {}
        for line in p.stdout:
            if line.startswith("# ready"):
                break
            k, _, v = line.strip().partition("=")
            env[k] = v
        assert env["PORT"] == str(b.link)
        e = dict(os.environ, **env, PATH=env["VUART_PATH"] + ":" + os.environ["PATH"])
        r = subprocess.run(["stm32flash", env["PORT"]], env=e, capture_output=True, text=True,
                           timeout=30)
        assert r.returncode == 0, r.stderr
        assert "Device ID    : 0x0433" in r.stdout
    finally:
        p.terminate()
        p.wait(timeout=10)
    assert not os.path.exists(env["VUART_CTL"])
    assert not b.link.exists()
