"""The roster in the gate window: a watchlisted resident's pass going out is a hard stop;
the roster dialog searches masked; the import dialog previews and imports off the GUI thread."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt

from app.roster import passes
from app.roster.service import RosterService
from app.scan.demo import DemoCard, render_phone
from tests.fakes import roster_files as rf
from tests.fakes.camera import blank
from tests.gui.test_pass_print import pdf_pages

pytestmark = pytest.mark.gui
TODAY = date(2026, 11, 29)


@pytest.fixture
def roster(service):
    return RosterService(service.gdb, service.clock)


@pytest.fixture
def hooked(window, service, roster):
    from ui.roster.feature import RosterHook

    return RosterHook(window, roster)


def passages(service):
    return [dict(r) for r in service.conn.execute("SELECT * FROM passages ORDER BY rowid")]


def show_pass(qtbot, window, rig, text):
    rig.show(render_phone(DemoCard("black", text)))
    qtbot.waitUntil(lambda: window.current is not None, timeout=5000)
    rig.show(blank())


def test_pass_of_a_resident_under_observation_going_out_is_stopped(
    qtbot, window, rig, service, roster, hooked
):
    zhang = roster.add(
        {"name": "张三", "id_number": rf.ZHANG, "building": "3", "unit": "2", "room": "501"}
    )
    roster.set_status(zhang["id"], "observation", "2026-11-25", "2026-12-02")
    text = passes.resident_pass(
        roster.conn, roster.clock, zhang["id"], TODAY, TODAY + timedelta(days=30)
    )
    qtbot.keyClick(window, Qt.Key.Key_F2)  # going out
    assert window.direction == "out"
    show_pass(qtbot, window, rig, text)
    assert window.banner.state == "red"
    assert "2026-12-02" in window.banner.title.text() and "禁止外出" in window.banner.title.text()
    assert "张*" in window.banner.detail.text() and "3-2-501" in window.banner.detail.text()
    assert "alarm" in window.sounds.played
    qtbot.keyClick(window.temperature, Qt.Key.Key_Return)  # record the attempt
    rows = passages(service)
    assert len(rows) == 1
    assert (rows[0]["decision"], rows[0]["reason"], rows[0]["identity_method"]) == (
        "refused",
        "watchlist",
        "pass",
    )
    assert rows[0]["resident_id"] == zhang["id"] and rows[0]["direction"] == "out"
    assert window.banner.state == "refused"


def test_the_same_pass_coming_in_is_not_stopped(qtbot, window, rig, service, roster, hooked):
    zhang = roster.add(
        {"name": "张三", "id_number": rf.ZHANG, "building": "3", "unit": "2", "room": "501"}
    )
    roster.set_status(zhang["id"], "observation", None, "2026-12-02")
    text = passes.resident_pass(roster.conn, roster.clock, zhang["id"], TODAY, TODAY)
    show_pass(qtbot, window, rig, text)
    assert window.direction == "in" and window.banner.state == "green"
    qtbot.keyClick(window, Qt.Key.Key_F2)  # the volunteer turns to "out": the stop appears
    assert window.banner.state == "red"


def test_a_revoked_pass_is_refused_with_the_reason(qtbot, window, rig, service, roster, hooked):
    zhang = roster.add({"name": "张三", "id_number": rf.ZHANG, "building": "3", "room": "501"})
    text = passes.resident_pass(roster.conn, roster.clock, zhang["id"], TODAY, TODAY)
    passes.reissue(roster.conn, roster.clock, zhang["id"])
    rig.show(render_phone(DemoCard("black", text)))
    qtbot.waitUntil(lambda: window.banner.state == "red", timeout=5000)
    assert "已作废" in window.banner.detail.text() and "Enter" in window.banner.detail.text()
    assert passages(service) == []  # nothing recorded until the volunteer presses Enter
    rig.show(blank())
    qtbot.keyClick(window.temperature, Qt.Key.Key_Return)
    rows = passages(service)
    assert [(r["decision"], r["reason"], r["identity_method"], r["resident_id"]) for r in rows] == [
        ("refused", "pass_invalid", "pass", zhang["id"])
    ]
    assert rows[0]["note"].startswith("pass_revoked: 通行证已作废")
    assert window.banner.state == "refused" and "通行证无效" in window.banner.title.text()


def test_roster_dialog_searches_masked_and_adds(qtbot, roster):
    from ui.roster.dialog import RosterDialog

    roster.add(rf.zhang_san())
    roster.add(
        {
            "name": "李四",
            "id_number": rf.LI,
            "phone": "13900001111",
            "building": "4",
            "unit": "1",
            "room": "101",
        }
    )
    dlg = RosterDialog(roster, "zh")
    qtbot.addWidget(dlg)
    assert dlg.table.rowCount() == 2
    qtbot.keyClicks(dlg.search, "5678")  # last 4 of the phone
    assert dlg.table.rowCount() == 1
    assert dlg.table.item(0, 0).text() == "张*" and dlg.table.item(0, 2).text() == "138****5678"
    assert rf.ZHANG not in dlg.table.item(0, 1).text()
    dlg.show_full.setChecked(True)
    assert dlg.table.item(0, 1).text() == rf.ZHANG
    dlg.search.setText("4-1-101")
    assert dlg.table.rowCount() == 1 and dlg.table.item(0, 5).text() == "101"
    dlg.search.setText("")
    dlg.add_resident()
    ed = dlg.editor
    ed.edits["name"].setText("王五")
    ed.edits["id_number"].setText(rf.wrong_check(rf.ZHAO))
    qtbot.mouseClick(ed.save_button, Qt.MouseButton.LeftButton)
    assert "校验位" in ed.error.text() and dlg.table.rowCount() == 2  # nothing saved
    ed.edits["id_number"].setText(rf.ZHAO)
    ed.edits["building"].setText("5")
    ed.edits["room"].setText("301")
    ed.status.setCurrentIndex(1)  # observation
    ed.edits["obs_end"].setText("2026-12-09")
    qtbot.mouseClick(ed.save_button, Qt.MouseButton.LeftButton)
    assert dlg.table.rowCount() == 3
    wang = roster.find_id_number(rf.ZHAO)
    assert wang["status"] == "observation" and wang["household"] == "5-301"
    assert roster.history(wang["id"])[0]["who"] == "王阿姨"


def test_import_dialog_previews_then_imports_off_the_gui_thread(qtbot, roster, tmp_path):
    from ui.roster.importing import ImportDialog

    path = rf.write_xlsx(tmp_path / "花名册.xlsx", rf.messy_rows(excel_id=3.50203e17))
    dlg = ImportDialog(roster, "zh")
    qtbot.addWidget(dlg)
    with qtbot.waitSignal(dlg.planned, timeout=10000):
        dlg.load(str(path))
    headers = [dlg.preview.horizontalHeaderItem(i).text() for i in range(dlg.preview.columnCount())]
    assert headers[0] == "名字 → 姓名" and "公民身份号码 → 身份证号" in headers
    assert dlg.preview.item(0, 0).text() == "张*"
    assert "新增 3" in dlg.summary.text() and "错误 5 行" in dlg.summary.text()
    assert dlg.problems.count() == 5 and dlg.problems.item(0).text().startswith("第 8 行")
    assert roster.all() == []  # nothing written by the preview
    with qtbot.waitSignal(dlg.imported, timeout=10000):
        qtbot.mouseClick(dlg.import_button, Qt.MouseButton.LeftButton)
    assert len(roster.all()) == 3
    assert "导入 3" in dlg.summary.text() and "花名册.errors.csv" in dlg.summary.text()


def test_import_can_be_cancelled(qtbot, roster, tmp_path, monkeypatch):
    from app.roster.importing import apply as importing_apply
    from ui.roster.importing import ImportDialog

    monkeypatch.setattr(importing_apply, "BATCH", 1)
    rows = [["姓名", "身份证号", "住址"]] + [
        [f"居民{i}", rf.make_id("19800101", i), f"1-1-{100 + i}"] for i in range(1, 30)
    ]
    path = rf.write_csv(tmp_path / "r.csv", rows)
    dlg = ImportDialog(roster, "zh")
    qtbot.addWidget(dlg)
    with qtbot.waitSignal(dlg.planned, timeout=10000):
        dlg.load(str(path))
    first_batch = threading.Event()
    real_apply = roster.apply_import

    def held_after_first_batch(plan, progress, cancelled):
        def report(done, total):
            progress(done, total)
            first_batch.wait(10)  # the worker waits here until the volunteer has pressed Cancel

        return real_apply(plan, report, cancelled)

    monkeypatch.setattr(roster, "apply_import", held_after_first_batch)
    dlg.start_import()
    assert dlg.busy and not dlg.bar.isHidden()
    qtbot.waitUntil(lambda: dlg.bar.value() == 1, timeout=10000)  # one batch written
    qtbot.mouseClick(dlg.cancel_button, Qt.MouseButton.LeftButton)
    first_batch.set()
    qtbot.waitUntil(lambda: dlg.result is not None, timeout=10000)
    assert dlg.result.cancelled and dlg.result.imported == 1
    assert len(roster.all()) == dlg.result.imported
    assert "已取消" in dlg.summary.text()


def test_overdue_visitors_show_in_the_top_bar(qtbot, window, service, hooked, clock):
    assert hooked.overdue.isHidden()
    rf.visitor_passes(service)
    clock.advance(121 * 60)
    hooked.update_overdue()
    assert not hooked.overdue.isHidden() and hooked.overdue.text() == "超时未出 1"
    assert hooked.overdue.toolTip() == "李*客 已在内 121 分钟（08:00 进入）"


def test_demo_camera_factory_adds_signed_passes(service, roster):
    """In training mode (the service's database stands for the training one) the demo shows
    passes signed there; a real window's factory signs nothing and has no demo."""
    from app.scan.demo import DemoSource
    from app.scan.sources import SourceError
    from ui.roster.feature import camera_factory

    roster.add({"name": "张三", "id_number": rf.ZHANG, "building": "3", "room": "501"})
    changes = roster.conn.execute("SELECT COUNT(*) FROM roster_changes").fetchone()[0]
    real = camera_factory(None, service.clock)
    with pytest.raises(SourceError):
        real("demo").open()
    assert real("0").name == "webcam:0"
    assert roster.conn.execute("SELECT COUNT(*) FROM roster_changes").fetchone()[0] == changes
    source = camera_factory(service.gdb, service.clock)("demo")
    assert isinstance(source, DemoSource)
    black = [c for c in source.cards if c.color == "black"]
    assert len(black) == 1
    assert passes.resolve_pass(roster.conn, black[0].payload, service.clock.now()).ok


def test_roster_dialog_prints_passes_off_the_gui_thread(qtbot, roster, tmp_path):
    from ui.roster.dialog import RosterDialog

    for i in range(9):
        roster.add(
            {
                "name": f"居民{i}",
                "id_number": rf.make_id("19800101", i + 1),
                "building": "1",
                "room": str(101 + i),
            }
        )
    dlg = RosterDialog(roster, "zh")
    qtbot.addWidget(dlg)
    out = tmp_path / "all.pdf"
    with qtbot.waitSignal(dlg.printed, timeout=20000) as sig:
        dlg.print_passes(str(out))
    assert sig.args == [str(out)] and out.exists()
    assert pdf_pages(out) == 2  # 9 cards, 8 a page
    dlg.table.selectRow(0)
    one = tmp_path / "one.pdf"
    with qtbot.waitSignal(dlg.printed, timeout=20000) as sig:
        dlg.print_passes(str(one))
    assert sig.args == [str(one)] and pdf_pages(one) == 1


def test_a_visitor_pass_records_a_visitor(qtbot, window, rig, service, roster, hooked):
    host = roster.add(
        {"name": "李四", "id_number": rf.ZHANG, "building": "3", "unit": "2", "room": "501"}
    )
    _, text = passes.visitor_pass(roster.conn, roster.clock, "3-2-501", "王小明")
    show_pass(qtbot, window, rig, text)
    assert window.category == "visitor"
    qtbot.keyClicks(window.temperature, "36.5")
    qtbot.keyClick(window.temperature, Qt.Key.Key_Return)
    row = passages(service)[-1]
    assert (row["category"], row["identity_method"], row["decision"]) == ("visitor", "pass", "pass")
    assert host["id"] != row["resident_id"]


def _other_key_pass():
    from datetime import datetime

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    fields = passes.PassFields(
        passes.KIND_RESIDENT, b"", 1, 1, datetime(2026, 11, 1), datetime(2026, 12, 31), "3-2-501"
    )
    return passes.sign(Ed25519PrivateKey.generate(), fields)


@pytest.mark.parametrize("case", ["expired", "forged", "other_key", "moved_out"])
def test_every_pass_refusal_is_recorded_with_its_reason_on_enter(
    qtbot, window, service, roster, hooked, clock, case
):
    zhang = roster.add({"name": "张三", "id_number": rf.ZHANG, "building": "3", "room": "501"})
    text = passes.resident_pass(roster.conn, roster.clock, zhang["id"], TODAY, TODAY)
    expect_id: int | None = zhang["id"]
    if case == "expired":
        clock.advance(24 * 3600)
    elif case == "forged":
        text, expect_id = text[:-3] + "AAA", None
    elif case == "other_key":
        text, expect_id = _other_key_pass(), None
    else:
        roster.set_status(zhang["id"], "moved_out")
    window.handle_payload(text, "unknown")  # as a keyboard-wedge scanner would type it
    assert window.banner.state == "red" and "refused" in window.sounds.played
    qtbot.keyClick(window.temperature, Qt.Key.Key_Return)
    rows = passages(service)
    assert len(rows) == 1
    row = rows[0]
    assert (row["decision"], row["reason"], row["identity_method"]) == (
        "refused",
        "pass_invalid",
        "pass",
    )
    assert row["note"].startswith(f"pass_{case}:") and row["resident_id"] == expect_id
    assert row["payload_hash"] is not None and text not in str(row)  # the pass is not stored


def test_esc_on_a_refused_pass_records_nothing(qtbot, window, service, roster, hooked):
    window.handle_payload(_other_key_pass(), "unknown")
    assert window.current is not None
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.current is None and passages(service) == []
