"""flashkit list / make list-attached against known sets of virtual devices:
DFU bootloaders and run-time applications (vdfu's umockdev bus), ST-LINK
drives (vdrive's namespace), USB-serial adapters (vuart's --usb view),
equal serials included. Text and JSON."""
import json

import pytest

from boardbench import (DFU_SN, FK_MK, FLASHKIT, SERIAL1, SERIAL2, build, listing, run, vdfu,
                        vdrive)


@pytest.fixture(scope="module", autouse=True)
def _built():
    build()


def test_two_dfu_bootloaders_json():
    items = listing(vdfu("--other-board", "OTHERSN01"))
    assert [(i["kind"], i["id"], i["serial"], i["usb_path"]) for i in items] == [
        ("dfu", "0483:df11", DFU_SN, "1-1"), ("dfu", "0483:df11", "OTHERSN01", "1-2")]
    for i in items:
        assert i["where"].startswith("/dev/bus/usb/001/")
        # boards whose PROGRAMMERS_SUPPORTED has dfu, from the generated board ids
        assert "crazyflie2" in i["boards"] and "stm32f4discovery" in i["boards"]
        assert "nucleo-f401" not in i["boards"]


def test_dfu_runtime_application():
    items = listing(vdfu("--start", "app"))
    assert [(i["kind"], i["id"], i["boards"]) for i in items] == [
        ("dfu-app", "0483:5740", ["crazyflie2"])]


def test_unrelated_dfu_device_is_not_listed():
    items = listing(vdfu("--other"))
    assert [i["serial"] for i in items] == [DFU_SN]


def test_two_drives_and_a_bootloader(tmp_path):
    items = listing([*vdrive(tmp_path, two=True), "--", *vdfu()])
    kinds = [(i["kind"], i["serial"]) for i in items]
    assert kinds == [("dfu", DFU_SN), ("drive", SERIAL1), ("drive", SERIAL2)]
    d1, d2 = items[1], items[2]
    assert d1["label"] == "NODE_F401RE" and d1["where"].endswith("/NODE_F401RE")
    assert d2["where"].endswith("/NODE_F401RE1")
    assert d1["boards"] == ["nucleo-f401"] and d2["boards"] == ["nucleo-f401"]


def test_equal_serials_are_both_listed():
    r = run([*vdfu("--other-board", DFU_SN), "--", FLASHKIT, "list"])
    assert r.returncode == 0, r.stderr
    rows = [l for l in r.stdout.splitlines() if l.startswith("dfu ")]
    assert len(rows) == 2 and all(DFU_SN in l for l in rows)
    assert " 1-1 " in rows[0] and " 1-2 " in rows[1]


def test_text_header_and_nothing_attached():
    r = run([*vdfu("--start", "none"), "--", FLASHKIT, "list"])
    assert r.returncode == 0 and r.stdout.startswith("nothing attached")
    assert run([*vdfu("--start", "none"), "--", FLASHKIT, "list", "--json"]).stdout == "[]\n"
    r = run([*vdfu(), "--", FLASHKIT, "list"])
    assert r.stdout.splitlines()[0].split()[:4] == ["KIND", "ID", "SERIAL", "USB"]


def test_make_list_attached(tmp_path):
    """make list-attached regenerates the board ids from the board files and
    an extra board directory counts too."""
    ext = tmp_path / "myboards"
    ext.mkdir()
    (ext / "my-f401.mk").write_text(
        "BOARD_NAME ?= mine\nPROGRAMMERS_SUPPORTED ?= cpy2remed\nPROGRAMMER ?= cpy2remed\nSTLINK_LABELS ?= NODE_F401RE\n"
        "include $(FK_ROOT)/boards/common/stm32f401xe.mk\n")
    r = run([*vdrive(tmp_path), "--", "make", "-s", "--no-print-directory", "-f", FK_MK,
             f"FLASHKIT={FLASHKIT}", f"EXTERNAL_BOARD_DIRS={ext}", "FORMAT=json",
             "list-attached"])
    assert r.returncode == 0, r.stdout + r.stderr
    items = json.loads(r.stdout)
    assert items[0]["kind"] == "drive" and items[0]["boards"] == ["my-f401", "nucleo-f401"]
    r = run([*vdrive(tmp_path), "--", "make", "-s", "--no-print-directory", "-f", FK_MK,
             f"FLASHKIT={FLASHKIT}", "list-attached"])
    assert r.returncode == 0 and "NODE_F401RE" in r.stdout and "[nucleo-f401]" in r.stdout


def test_select_one_none_or_refuse():
    pre = vdfu("--other-board", "OTHERSN01")
    r = run([*pre, "--", FLASHKIT, "list", "--select", "dfu", "--serial", "OTHERSN01",
             "--print", "usb-path"])
    assert r.returncode == 0 and r.stdout == "1-2\n"
    r = run([*pre, "--", FLASHKIT, "list", "--select", "dfu", "--serial", "NOPE"])
    assert r.returncode == 69
    assert "no dfu matches SERIAL=NOPE; attached:" in r.stderr and "OTHERSN01" in r.stderr
    r = run([*vdfu("--other-board", DFU_SN), "--", FLASHKIT, "list", "--select", "dfu",
             "--serial", DFU_SN])
    assert r.returncode == 69 and "refusing to guess" in r.stderr
    r = run([*vdfu("--other-board", DFU_SN), "--", FLASHKIT, "list", "--select", "dfu",
             "--serial", DFU_SN, "--usb-path", "1-2"])
    assert r.returncode == 0 and r.stdout.startswith("/dev/bus/usb/001/")


def test_uart_adapters_text_and_json(tmp_path):
    """Two vuarts shown as FTDI adapters in one --usb-dir (equal serials: told
    apart by their USB paths), a third with its own serial."""
    from test_select import Uart
    usb = tmp_path / "usb"
    us = [Uart(tmp_path, "a", usb, "SAME01", "1-5").start(),
          Uart(tmp_path, "b", usb, "SAME01", "1-6.2").start(),
          Uart(tmp_path, "c", usb, "OWN002", "2-1").start()]
    env = {"FLASHKIT_SYSFS": str(usb / "sys"), "FLASHKIT_SERIAL_BY_ID": str(usb / "serial/by-id")}
    try:
        rj = run([FLASHKIT, "list", "--json"], env=env)
        rt = run([FLASHKIT, "list"], env=env)
        sel = run([FLASHKIT, "list", "--select", "uart", "--serial", "SAME01"], env=env)
        one = run([FLASHKIT, "list", "--select", "uart", "--serial", "SAME01", "--usb-path", "1-6.2"],
                  env=env)
    finally:
        for u in us:
            u.stop()
    items = json.loads(rj.stdout)
    assert [(i["kind"], i["id"], i["serial"], i["usb_path"]) for i in items] == [
        ("uart", "0403:6001", "SAME01", "1-5"), ("uart", "0403:6001", "SAME01", "1-6.2"),
        ("uart", "0403:6001", "OWN002", "2-1")]
    for i in items:
        # equal serials share one by-id name: one of the two is named by its tty
        assert i["where"].startswith(str(usb / "serial/by-id/usb-FTDI_FT232R_USB_UART_")) \
            or i["where"] == i["device"]
        assert i["device"].startswith("/dev/pts/")
        assert "nucleo-f401" in i["boards"] and "stm32f4discovery" in i["boards"]
        assert "crazyflie2" not in i["boards"]
    assert items[2]["where"].endswith("usb-FTDI_FT232R_USB_UART_OWN002-if00-port0")
    rows = [l for l in rt.stdout.splitlines() if l.startswith("uart ")]
    assert len(rows) == 3 and " 1-6.2 " in rows[1] and "/dev/pts/" in rows[1]
    assert sel.returncode == 69 and "refusing to guess" in sel.stderr
    assert one.returncode == 0 and "SAME01" in one.stdout
