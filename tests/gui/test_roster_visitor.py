"""Visitor passes at the desk: the QR on screen decodes back to a pass that verifies."""

from __future__ import annotations

import numpy as np
import pytest
import zxingcpp
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from app.roster import passes
from app.roster.service import RosterService
from tests.fakes import roster_files as rf
from tests.gui.test_pass_print import pdf_pages

pytestmark = pytest.mark.gui


@pytest.fixture
def roster(service):
    r = RosterService(service.gdb, service.clock)
    r.add({"name": "李四", "id_number": rf.ZHANG, "building": "3", "unit": "2", "room": "501"})
    return r


def decode_label(label) -> list[str]:
    """What a phone would read off the screen: the label's pixels through zxing."""
    image = label.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    w, h, stride = image.width(), image.height(), image.bytesPerLine()
    pixels = np.frombuffer(image.constBits(), np.uint8, stride * h).reshape(h, stride)[:, :w]
    found = zxingcpp.read_barcodes(np.ascontiguousarray(pixels))
    return [b.text for b in found]


def test_visitor_pass_shown_big_decodes_to_a_pass_that_verifies(qtbot, roster, clock, tmp_path):
    from ui.roster.visitor import VisitorPassDialog

    dlg = VisitorPassDialog(roster, "zh")
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.host.findText("3-2-501") >= 0  # the host picker lists the households
    qtbot.mouseClick(dlg.issue_button, Qt.MouseButton.LeftButton)
    assert "访客姓名" in dlg.error.text() or "姓名" in dlg.error.text()
    assert not dlg.print_button.isEnabled() and dlg.qr.payload == ""
    dlg.host.setCurrentText("9-9-999")
    dlg.name.setText("王小明")  # keyClicks cannot type CJK
    qtbot.mouseClick(dlg.issue_button, Qt.MouseButton.LeftButton)
    assert "9-9-999" in dlg.error.text() and dlg.qr.payload == ""
    assert roster.conn.execute("SELECT count(*) FROM visitor_passes").fetchone()[0] == 0
    dlg.host.setCurrentText("3-2-501")
    dlg.hours.setValue(2)
    with qtbot.waitSignal(dlg.issued, timeout=5000):
        qtbot.mouseClick(dlg.issue_button, Qt.MouseButton.LeftButton)
    assert dlg.qr.pixmap().width() >= 400  # big enough to photograph from the desk
    texts = decode_label(dlg.qr)
    assert texts == [dlg.qr.payload]
    check = passes.resolve_pass(roster.conn, texts[0], clock.now())
    assert check.ok and check.kind == "visitor" and check.household == "3-2-501"
    assert check.person_name == "王小明" and check.valid_until == "2026-11-29 10:00"
    assert "王*明" in dlg.info.text() and "10:00" in dlg.info.text()
    assert "王小明" not in dlg.info.text()
    out = tmp_path / "visitor.pdf"
    with qtbot.waitSignal(dlg.printed, timeout=20000) as sig:
        dlg.print_card(str(out))  # the button asks for a file name first
    assert sig.args == [str(out)] and pdf_pages(out) == 1
    clock.advance(2 * 3600)
    assert passes.resolve_pass(roster.conn, texts[0], clock.now()).reason_code == "pass_expired"


def test_today_only_pass_from_the_roster_dialog_uses_the_selected_household(qtbot, roster, clock):
    from ui.roster.dialog import RosterDialog

    dlg = RosterDialog(roster, "zh")
    qtbot.addWidget(dlg)
    dlg.table.selectRow(0)
    dlg.open_visitor_pass()
    vis = dlg.visitor
    assert vis.host.currentText() == "3-2-501" and vis.hours.text() == "今天内有效"
    vis.name.setText("赵六")
    vis.issue()
    check = passes.resolve_pass(roster.conn, decode_label(vis.qr)[0], clock.now())
    assert check.ok and check.valid_until == "2026-11-30 00:00"
    vis.close()


def test_f5_in_the_gate_window_opens_the_visitor_pass(qtbot, window, service, roster):
    from ui.roster.feature import RosterHook

    hook = RosterHook(window, roster)
    assert hook.visitor_button.text().endswith("F5")
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: hook.visitor_dialog is not None and hook.visitor_dialog.isVisible())
    hook.visitor_dialog.close()


def _other_gate_key() -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    raw = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return passes.KEY_PREFIX + passes._b32(raw)


def test_roster_dialog_shows_the_compound_key_as_a_qr(qtbot, roster):
    from app.roster import keyqr
    from ui.roster.dialog import RosterDialog

    dlg = RosterDialog(roster, "zh")
    qtbot.addWidget(dlg)
    dlg.show_key_qr()
    shown = decode_label(dlg.key_dialog.qr)
    assert len(shown) == 1 and shown[0].startswith("GPK1:")
    assert keyqr.key_id_of_text(shown[0]) == dlg.key_dialog.key_id
    assert passes.is_trusted(roster.conn, dlg.key_dialog.key_id)  # our own key, of course
    dlg.key_dialog.close()


def test_the_gate_camera_recognises_a_key_qr_and_asks_to_trust_it(
    qtbot, window, rig, service, roster
):
    from app.roster import keyqr
    from app.scan.demo import DemoCard, render_phone
    from tests.fakes.camera import blank
    from ui.roster.feature import RosterHook

    RosterHook(window, roster)
    text = _other_gate_key()
    kid = keyqr.key_id_of_text(text)
    window.asker.answers = [None]  # first time the volunteer says no
    window.handle_payload(text, "unknown")
    assert window.asker.asked == ["choose"] and not passes.is_trusted(roster.conn, kid)
    assert window.current is None
    window.asker.answers = [("trust", "")]
    rig.show(render_phone(DemoCard("black", text)))
    qtbot.waitUntil(lambda: passes.is_trusted(roster.conn, kid), timeout=5000)
    rig.show(blank())
    assert kid in window.message.text() and window.asker.asked == ["choose", "choose"]
    window.handle_payload(text, "unknown")  # already trusted: no question
    assert window.asker.asked == ["choose", "choose"] and "已在信任列表" in window.message.text()
    assert service.conn.execute("SELECT count(*) FROM passages").fetchone()[0] == 0


def test_roster_dialog_shows_a_residents_change_history_masked(qtbot, roster, clock):
    from ui.roster.dialog import RosterDialog

    li = roster.find_id_number(rf.ZHANG)
    clock.advance(600)
    roster.edit(li["id"], {"phone": "13900001111"}, who="李网格")
    dlg = RosterDialog(roster, "zh")
    qtbot.addWidget(dlg)
    dlg.show_history()
    assert dlg.history is None  # nothing selected: nothing to show
    dlg.table.selectRow(0)
    qtbot.mouseClick(dlg.history_button, Qt.MouseButton.LeftButton)
    table = dlg.history.table
    rows = [[table.item(r, c).text() for c in range(4)] for r in range(table.rowCount())]
    assert rows[0] == ["2026-11-29 08:10:00", "李网格", "修改", "手机：139****1111"]
    assert rows[1][2] == "新增" and "李*" in rows[1][3] and rf.ZHANG not in rows[1][3]
    dlg.history.show_full.setChecked(True)
    assert rf.ZHANG in table.item(1, 3).text()
    dlg.history.close()
