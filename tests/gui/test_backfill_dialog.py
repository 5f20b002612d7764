"""#17 补录 in the window: F11, the officer PIN, lines typed with the keyboard only."""

import pytest
from PySide6.QtCore import QDate, Qt

pytestmark = pytest.mark.gui


def type_line(qtbot, dlg, *cells):
    """Field by field; Chinese comes through the input method (set as text), digits are keys;
    an empty cell leaves the field (or the combo box's first choice) as it is."""
    for widget, text in zip(dlg.fields, cells, strict=True):
        widget.setFocus()
        if text and text.isascii():
            qtbot.keyClicks(widget, text)
        elif text:
            widget.insert(text)


def test_backfill_by_keyboard_with_pin_and_a_confirmation(qtbot, window, service):
    from app.officer import OfficerAuth
    from ui.gate.backfill_dialog import attach_backfill

    OfficerAuth(service.gdb, service.clock).set_pin("246810")
    feature = attach_backfill(window)
    assert window.action_bar.buttons["backfill"][1].text() == "补录 F11"
    dlg = feature.open()  # a child of the window: closed with it
    assert not dlg.time.isEnabled()
    qtbot.keyClicks(dlg.pin, "1111")
    qtbot.keyClick(dlg.pin, Qt.Key.Key_Return)
    assert "PIN" in dlg.message.text() or "密码" in dlg.message.text()
    qtbot.keyClicks(dlg.pin, "246810")
    qtbot.keyClick(dlg.pin, Qt.Key.Key_Return)
    assert dlg.time.isEnabled()
    dlg.day.setDate(QDate(2026, 11, 28))
    type_line(qtbot, dlg, "10:30", "", "", "王五", "2-202", "", "364", "", "", "3")
    qtbot.keyClick(dlg.page, Qt.Key.Key_Return)
    assert dlg.message.text() == "已补录 1 行" and dlg.table.rowCount() == 1
    assert dlg.page.text() == "3" and dlg.time.text() == ""
    # the same person in the same minute: asked, then saved on a second Enter
    type_line(qtbot, dlg, "10:30", "", "", "王五", "2-202", "", "36.4", "", "", "")  # page kept
    qtbot.keyClick(dlg.temp, Qt.Key.Key_Return)
    assert "同一人同一分钟" in dlg.message.text() and dlg.table.rowCount() == 1
    qtbot.keyClick(dlg.temp, Qt.Key.Key_Return)
    assert dlg.table.rowCount() == 2
    rows = service.conn.execute(
        "SELECT ts_local, person_name, building, room, temperature, backfill_page "
        "FROM passages WHERE backfill_page IS NOT NULL"
    ).fetchall()
    assert [tuple(r) for r in rows] == [
        ("2026-11-28T10:30:00+08:00", "王五", "2", "202", 36.4, 3)
    ] * 2
    # a bad time is said, not saved
    type_line(qtbot, dlg, "25:99", "", "", "赵六", "", "", "", "", "", "")
    qtbot.keyClick(dlg.time, Qt.Key.Key_Return)
    assert "HH:MM" in dlg.message.text() and dlg.table.rowCount() == 2


def test_the_recent_list_shows_backfilled_and_clock_suspect_passages(qtbot, window, service):
    from datetime import datetime, timedelta, timezone

    from app.gate.backfill import PaperEntry, open_session
    from app.gate.service import Identity, PassageDraft
    from app.officer import OfficerAuth

    OfficerAuth(service.gdb, service.clock).set_pin("246810")
    ident = Identity(method="name_room", person_name="王五", building="2", room="202")
    when = datetime(2026, 11, 29, 7, 30, tzinfo=timezone(timedelta(hours=8)))
    open_session(service, "246810").add(PaperEntry(when, page=1, identity=ident, temperature=36.4))
    service.record(PassageDraft(code_color="green", temperature="36.5", identity=ident))
    service.clock.jump(-86400 * 365)
    service.record(PassageDraft(code_color="green", temperature="36.5", identity=ident))
    window.refresh()
    results = {window.recent.item(r, 6).text() for r in range(window.recent.rowCount())}
    assert results == {"通行", "补录 · 通行", "时间存疑 · 通行"}
