"""The real window's sync wiring against a real server on loopback that dies and comes back (#12).

A pairing QR read while the server is down is kept and used once it is up; the chip goes 在线,
the backlog drains; the server is killed: 离线 within 10 s with the reason on hover, 立即同步
says 无法连接服务器 at once; the server comes back on the same port: 在线 and drained again.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.database import open_database
from app.gate.service import GateService
from server import devices
from server.run import ServerThread, free_port
from server.store import SqliteStore
from tests.sync.conftest import add_events, assert_server_holds_exactly

pytestmark = [pytest.mark.gui, pytest.mark.slow]


@pytest.fixture
def gate_window(qtbot, tmp_path: Path):
    from app.officer import OfficerAuth
    from app.shifts.service import ShiftService
    from ui.app import install_features
    from ui.common.runner import wait_for_all
    from ui.common.sound import Sounds
    from ui.gate.window import MainWindow

    (tmp_path / "gate").mkdir()
    gdb = open_database(tmp_path / "gate")  # a file: sync opens its own connection
    OfficerAuth(gdb).set_pin("246810")  # past the first-run dialogs, as at a working gate
    shifts = ShiftService(gdb)
    shifts.start(shifts.add_volunteer("王阿姨")["id"])
    win = MainWindow(GateService(gdb), None, sounds=Sounds(enabled=False), lang="zh")
    qtbot.addWidget(win)
    install_features(win, gdb)  # the production wiring: HttpTransport, default intervals
    yield win, gdb
    win.close()
    assert wait_for_all(15_000)
    gdb.close()


@pytest.fixture
def store(tmp_path: Path):
    s = SqliteStore(tmp_path / "server.db")
    s.migrate()
    yield s
    s.close()


def test_chip_follows_a_server_that_is_killed_and_restarted(qtbot, gate_window, store):
    win, gdb = gate_window
    chip = win.features["sync"].widget
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    add_events(gdb.conn, 7)

    # a pairing QR scanned while the server is down: kept, and said so
    assert win.features["sync"].consume_payload(devices.new_enrolment(store, url))
    qtbot.waitUntil(lambda: "已记下配对码" in chip.error_label.text(), timeout=10_000)
    assert chip.service.pending_enrolment() is not None

    server = ServerThread(store, port=port).start()
    try:
        # the next attempt pairs with the kept code and sends the backlog
        qtbot.waitUntil(
            lambda: (
                chip.state_label.text() == "在线" and chip.waiting_label.text() == "待上传 0 条"
            ),
            timeout=20_000,
        )
        assert chip.service.pending_enrolment() is None
        assert_server_holds_exactly(store, gdb)
    finally:
        server.stop()

    # killed: 离线 within 10 s, the reason on hover
    killed = time.monotonic()
    qtbot.waitUntil(lambda: chip.state_label.text() == "离线", timeout=10_000)
    assert time.monotonic() - killed <= 10.0
    assert "Connection refused" in chip.state_label.toolTip()

    # 立即同步 while offline: the words come at once, not after a backoff wait
    qtbot.mouseClick(chip.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: chip.error_label.text().startswith("无法连接服务器"), timeout=2_000)

    add_events(gdb.conn, 5)  # the gate keeps working meanwhile
    qtbot.waitUntil(lambda: chip.waiting_label.text() == "待上传 5 条", timeout=10_000)

    server = ServerThread(store, port=port).start()
    try:
        qtbot.waitUntil(
            lambda: (
                chip.state_label.text() == "在线" and chip.waiting_label.text() == "待上传 0 条"
            ),
            timeout=30_000,
        )
        assert chip.error_label.text() == ""
        assert_server_holds_exactly(store, gdb)
    finally:
        server.stop()
