"""The sync status widget and the USB export dialog, driven like a volunteer would."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.database import open_database
from app.sync.service import SyncService
from server import devices
from server.store import SqliteStore
from tests.fakes.sync_fakes import InProcessTransport
from tests.sync.conftest import add_events, enrol_offline_gate

pytestmark = pytest.mark.gui


@pytest.fixture
def setup(tmp_path: Path):
    gate_dir = tmp_path / "gate"
    gate_dir.mkdir()
    gdb = open_database(gate_dir)
    store = SqliteStore(tmp_path / "server.db")
    store.migrate()
    transport = InProcessTransport(store)
    service = SyncService(gdb.path, transport=transport, max_attempts=1)
    yield gdb, store, transport, service
    gdb.close()
    store.close()


@pytest.fixture
def status_widget(qtbot):
    """Makes sync status widgets (no refresh timer; no online timer unless given). Every one
    made is shut down (its QThread stopped) at teardown, even when an assertion fails first:
    a running QThread at exit aborts the whole run."""
    from ui.sync.status import SyncStatusWidget

    made = []

    def make(service: SyncService, lang: str, online_ms: int = 0) -> SyncStatusWidget:
        widget = SyncStatusWidget(
            service, lang=lang, online_interval_ms=online_ms, refresh_interval_ms=0
        )
        qtbot.addWidget(widget)
        made.append(widget)
        return widget

    yield make
    for w in made:
        w.shutdown()


def sync_now_says(qtbot, widget, words: str) -> None:
    """Sync now, and wait until the error line says `words`."""
    with qtbot.waitSignal(widget.attemptFinished, timeout=10000):
        widget.sync_now()
    qtbot.waitUntil(lambda: words in widget.error_label.text(), timeout=5000)


def test_status_widget_syncs_off_the_gui_thread(qtbot, setup, status_widget):
    gdb, store, transport, service = setup
    service.enrol(devices.new_enrolment(store, "http://127.0.0.1:1"))
    add_events(gdb.conn, 42)
    widget = status_widget(service, "zh")
    widget.refresh()
    # the labels change on the GUI thread after the worker's signal: wait for them
    qtbot.waitUntil(lambda: widget.waiting_label.text() == "待上传 42 条", timeout=5000)
    assert widget.last_label.text() == "从未同步"
    with qtbot.waitSignal(widget.attemptFinished, timeout=10000) as blocker:
        qtbot.mouseClick(widget.button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].report.accepted == 42
    qtbot.waitUntil(lambda: widget.waiting_label.text() == "待上传 0 条", timeout=5000)
    assert widget.state_label.text() == "在线"
    assert widget.last_label.text().startswith("上次同步 ")
    assert widget.error_label.text() == ""
    assert widget.button.isEnabled() and widget.button.text() == "立即同步"
    widget.shutdown()


def test_status_widget_shows_a_revoked_token_in_words(qtbot, setup, status_widget):
    gdb, store, transport, service = setup
    service.enrol(devices.new_enrolment(store, "http://127.0.0.1:1"))
    add_events(gdb.conn, 3)
    devices.revoke(store, gdb.device.device_id)
    widget = status_widget(service, "en")
    sync_now_says(qtbot, widget, "refused this gate")
    assert widget.waiting_label.text() == "3 waiting"
    assert widget.state_label.text() == "Offline"


def test_not_enrolled_says_use_usb(qtbot, setup, status_widget):
    gdb, store, transport, service = setup
    sync_now_says(qtbot, status_widget(service, "zh"), "U盘")


def test_usb_dialog_says_safe_to_remove_only_after_verify(qtbot, setup, tmp_path):
    from ui.sync.bundle_dialog import BundleExportDialog

    gdb, store, transport, service = setup
    add_events(gdb.conn, 1500)
    enrol_offline_gate(store, gdb.conn)
    usb = tmp_path / "usb"
    usb.mkdir()
    dialog = BundleExportDialog(service, lang="zh")
    qtbot.addWidget(dialog)
    assert not dialog.export_button.isEnabled()
    dialog.set_folder(str(usb))
    with qtbot.waitSignal(dialog.exported, timeout=20000) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        assert "可以拔出" not in dialog.message.text()
    path = Path(blocker.args[0])
    assert path.exists() and path.parent == usb
    qtbot.waitUntil(lambda: "可以拔出" in dialog.message.text(), timeout=5000)
    from server.bundles import import_bundle

    assert import_bundle(store, path).counts()["accepted"] == 1500
    dialog.reject()


def test_usb_dialog_warns_until_the_server_key_is_pinned_then_seals(qtbot, setup, tmp_path):
    """#13: no server key pinned -> the dialog says the bundle goes out unencrypted; once the
    server's ack is imported (it carries the key) the warning is gone and the next bundle on
    the stick is sealed."""
    from app.sync.bundle import verify_bundle
    from server.acks import server_box_key, write_ack
    from server.bundles import import_bundle
    from ui.sync.bundle_dialog import BundleExportDialog

    gdb, store, transport, service = setup
    add_events(gdb.conn, 5)
    enrol_offline_gate(store, gdb.conn)
    (tmp_path / "week1").mkdir()
    import_bundle(store, service.export_bundle(tmp_path / "week1"))
    ack = write_ack(store, gdb.device.device_id, tmp_path)
    dialog = BundleExportDialog(service, lang="zh")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.sealed is False, timeout=5000)
    assert "明文" in dialog.plain_warning.text() and not dialog.plain_warning.isHidden()
    with qtbot.waitSignal(dialog.ackDone, timeout=10000):
        dialog.start_ack_import(str(ack))
    qtbot.waitUntil(lambda: dialog.sealed is True, timeout=5000)
    assert dialog.plain_warning.isHidden() and dialog.plain_warning.text() == ""
    add_events(gdb.conn, 3)
    dialog.set_folder(str(tmp_path))
    with qtbot.waitSignal(dialog.exported, timeout=20000) as blocker:
        dialog.start_export()
    assert verify_bundle(Path(blocker.args[0]), box_key=server_box_key(store)).sealed
    dialog.reject()


def test_usb_dialog_failure_is_in_words(qtbot, setup, tmp_path):
    from ui.sync.bundle_dialog import BundleExportDialog

    gdb, store, transport, service = setup
    dialog = BundleExportDialog(service, lang="zh")
    qtbot.addWidget(dialog)
    dialog.set_folder(str(tmp_path))
    with qtbot.waitSignal(dialog.exportFailed, timeout=10000):
        dialog.start_export()
    qtbot.waitUntil(lambda: dialog.message.text() == "没有待导出的记录", timeout=5000)
    assert dialog.export_button.isEnabled()
    dialog.reject()


def test_gate_window_has_sync_in_its_status_bar(qtbot, window, tmp_path, setup):
    from ui.sync.bundle_dialog import BundleExportDialog
    from ui.sync.feature import attach_sync
    from ui.sync.status import SyncStatusWidget

    gdb, store, transport, service = setup
    attachment = attach_sync(window, service, "zh", online_interval_ms=0)
    found = window.statusBar().findChildren(SyncStatusWidget)
    assert found == [attachment.widget]
    dialog = attachment.open_usb_export()
    assert isinstance(dialog, BundleExportDialog) and dialog.isVisible()
    dialog.reject()
    # the camera reads the server's pairing QR: the gate pairs off the GUI thread
    from app.scan.types import ScanResult

    text = devices.new_enrolment(store, "http://127.0.0.1:1")
    with qtbot.waitSignal(attachment.widget.enrolled, timeout=10000):
        attachment.on_scanned(ScanResult(text=text))
    assert service.status().enrolled
    window.close()
    assert attachment.widget.closed and not attachment.widget.next_timer.isActive()


def test_offline_waits_the_backoff_and_sync_now_tries_at_once(qtbot, setup, status_widget):
    """The server asks for 10 minutes: the timer waits that long, 立即同步 does not."""
    from app.sync.transport import Retryable

    gdb, store, transport, service = setup
    service.enrol(devices.new_enrolment(store, "http://127.0.0.1:1"))
    add_events(gdb.conn, 5)
    transport.faults.append(Retryable("HTTP 503", retry_after=600.0))
    widget = status_widget(service, "zh", online_ms=60_000)
    with qtbot.waitSignal(widget.attemptFinished, timeout=10000) as blocker:
        widget.start_attempt(manual=False)
    assert blocker.args[0].report.error == "sync_offline"
    assert widget.next_timer.isActive() and widget.next_delay_ms == 600_000
    assert widget.state_label.text() == "离线" and widget.state_label.toolTip() == "HTTP 503"
    assert widget.waiting_label.text() == "待上传 5 条"
    with qtbot.waitSignal(widget.attemptFinished, timeout=10000) as blocker:
        qtbot.mouseClick(widget.button, Qt.MouseButton.LeftButton)
        assert widget.error_label.text() == "无法连接服务器：HTTP 503"  # before any answer
    assert blocker.args[0].report.ok and blocker.args[0].report.accepted == 5
    assert widget.state_label.text() == "在线" and widget.waiting_label.text() == "待上传 0 条"
    assert widget.next_delay_ms == 60_000  # back to the ordinary pace
    widget.shutdown()


def test_usb_dialog_imports_the_servers_ack(qtbot, setup, tmp_path):
    """导入回执: the events on the stick's ack stop waiting; a foreign ack is refused in words."""
    from server.acks import write_ack
    from server.bundles import import_bundle
    from ui.sync.bundle_dialog import BundleExportDialog

    gdb, store, transport, service = setup
    add_events(gdb.conn, 30)
    usb = tmp_path / "usb"
    usb.mkdir()
    enrol_offline_gate(store, gdb.conn)
    import_bundle(store, service.export_bundle(usb))
    ack = write_ack(store, gdb.device.device_id, usb)
    other = SqliteStore(tmp_path / "other.db")
    other.migrate()
    enrol_offline_gate(other, gdb.conn)
    import_bundle(other, next(usb.glob("gatepost-*.zip")))
    (tmp_path / "foreign").mkdir()
    foreign = write_ack(other, gdb.device.device_id, tmp_path / "foreign")
    other.close()

    dialog = BundleExportDialog(service, lang="zh")
    qtbot.addWidget(dialog)
    assert dialog.ack_button.text() == "导入回执"
    assert service.status().waiting == 30
    with qtbot.waitSignal(dialog.ackDone, timeout=10000):
        dialog.start_ack_import(str(ack))
    qtbot.waitUntil(lambda: "已导入回执" in dialog.message.text(), timeout=5000)
    assert "第 30 条" in dialog.message.text()
    assert service.status().waiting == 0
    with qtbot.waitSignal(dialog.ackFailed, timeout=10000):
        dialog.start_ack_import(str(foreign))
    qtbot.waitUntil(lambda: "另一台服务器" in dialog.message.text(), timeout=5000)
    assert dialog.ack_button.isEnabled()
    dialog.reject()


def test_a_pairing_qr_on_the_gate_camera_pairs_and_is_not_shown_as_unrecognised(
    qtbot, window, rig, setup
):
    """The window asks sync first: the pairing QR pairs the gate; the banner never says 未识别."""
    from tests.fakes.camera import blank
    from tests.fakes.qrframes import frame
    from ui.sync.feature import attach_sync

    gdb, store, transport, service = setup
    text = devices.new_enrolment(store, "http://127.0.0.1:1")
    # without sync attached the same code is 未识别 (what the volunteer used to see)
    window.handle_payload(text, "black")
    assert window.banner.state == "unknown" and window.banner.title.text() == "未识别"
    window.reset_person()
    window.banner.show_state("idle", "", "")

    attachment = attach_sync(window, service, "zh", online_interval_ms=0)
    shown: list[str] = []
    original = window.banner.show_state
    window.banner.show_state = lambda state, *a: (shown.append(state), original(state, *a))
    with qtbot.waitSignal(attachment.widget.enrolled, timeout=15000):
        rig.show(frame(text, "black", module_px=5.0))
    rig.show(blank())
    assert service.status().enrolled
    assert "unknown" not in shown and window.banner.title.text() != "未识别"
    assert window.current is None  # nobody is standing at the desk
    # an ordinary unreadable text still is 未识别: the hook only takes pairing codes
    window.handle_payload("hello", "unknown")
    assert window.banner.title.text() == "未识别"
    window.close()
    assert attachment.widget.closed and not attachment.widget.next_timer.isActive()
