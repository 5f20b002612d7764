"""The shift, PIN, statistics and export widgets, driven offscreen with qtbot."""

import csv
from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import QDate

from app.clock import FakeClock
from app.gate.service import GateService, PassageDraft
from app.officer import OfficerAuth
from app.reports.service import ReportService
from app.shifts.service import ShiftService

pytestmark = pytest.mark.gui
CST = timezone(timedelta(hours=8))


@pytest.fixture
def clock():
    return FakeClock(datetime(2026, 11, 29, 8, 0, tzinfo=CST))


@pytest.fixture
def shifts(gdb, clock):
    return ShiftService(gdb, clock)


def test_banner_says_plainly_when_nobody_is_signed_in(qtbot, shifts):
    from ui.shifts.dialogs import DutyBanner

    banner = DutyBanner(shifts, "en")
    qtbot.addWidget(banner)
    assert "Nobody is signed in" in banner.text() and banner.property("unstaffed")
    shifts.start(shifts.add_volunteer("Wang")["id"])
    banner.refresh()
    assert banner.text() == "On duty: Wang (since 08:00)" and not banner.property("unstaffed")


def test_sign_in_by_adding_then_handover_then_acknowledge(qtbot, shifts, gdb, clock):
    from ui.shifts.dialogs import HandoverDialog, ShiftLogDialog, SignInDialog

    dlg = SignInDialog(shifts, "en")
    qtbot.addWidget(dlg)
    dlg.sign_in.click()
    assert dlg.error.text() == "Enter the volunteer's name"
    dlg.name.setText("王阿姨")
    dlg.phone.setText("13812345678")
    with qtbot.waitSignal(dlg.signed_in):
        dlg.sign_in.click()
    assert shifts.current().volunteer == "王阿姨"
    GateService(gdb, clock).record(PassageDraft(code_color="red", payload_text="r"))

    log = ShiftLogDialog(shifts, "en")
    qtbot.addWidget(log)
    log.text.setText("检查组来访")
    log.add()
    assert log.entries.count() == 1 and "检查组来访" in log.entries.item(0).text()
    log.add()  # empty: a message, nothing written
    assert log.error.text() == "Please write a note" and log.entries.count() == 1

    clock.advance(8 * 3600)
    hand = HandoverDialog(shifts, "en")
    qtbot.addWidget(hand)
    assert "Refused 1" in hand.summary.text() and "检查组来访" in hand.summary.text()
    hand.notes.setPlainText("体温枪电池快没了")
    with qtbot.waitSignal(hand.handed_over):
        hand.confirm.click()
    assert shifts.current() is None

    incoming = SignInDialog(shifts, "en")
    qtbot.addWidget(incoming)
    assert "体温枪电池快没了" in incoming.handover.text()
    assert incoming.sign_in.text() == "Incoming: acknowledge"
    assert incoming.people.count() == 1 and "138****5678" in incoming.people.item(0).text()
    incoming.name.setText("李叔")
    with qtbot.waitSignal(incoming.signed_in):
        incoming.sign_in.click()
    assert shifts.pending_handover() is None and shifts.current().volunteer == "李叔"


def test_pin_dialog_stays_open_on_wrong_pin_and_audits(qtbot, gdb, clock):
    from ui.officer.pin import OfficerPinDialog

    officer = OfficerAuth(gdb, clock)
    officer.set_pin("246810")
    dlg = OfficerPinDialog(officer, "yellow_override", {"reason": "社区医生确认"}, "en")
    qtbot.addWidget(dlg)
    dlg.pin.setText("1111")
    dlg.try_accept()
    assert dlg.result() == 0 and "Wrong officer PIN (4 tries left)" == dlg.message.text()
    dlg.pin.setText("246810")
    dlg.try_accept()
    assert dlg.result() == 1
    assert officer.audit_log("yellow_override")[0]["detail"] == '{"reason": "社区医生确认"}'


def test_pin_dialog_shows_the_lockout(qtbot, gdb, clock):
    from ui.officer.pin import OfficerPinDialog

    officer = OfficerAuth(gdb, clock)
    officer.set_pin("246810")
    dlg = OfficerPinDialog(officer, "delete", {}, "en")
    qtbot.addWidget(dlg)
    for _ in range(5):
        dlg.pin.setText("0")
        dlg.try_accept()
    assert "locked" in dlg.message.text()
    dlg.pin.setText("0")
    dlg.try_accept()
    assert "locked for 5 min" in dlg.message.text()


@pytest.fixture
def reports(gdb, clock):
    gate = GateService(gdb, clock)
    for i in range(30):
        gate.record(PassageDraft(code_color="green", payload_text=str(i), temperature="36.5"))
        clock.advance(600)
    gate.record(PassageDraft(code_color="yellow", payload_text="y"))
    svc = ReportService(gdb, clock)
    svc.officer.set_pin("246810")
    return svc


def test_stats_view_charts_today_and_14_days(qtbot, reports):
    from ui.reports.stats import StatsView

    view = StatsView(reports, "en")
    qtbot.addWidget(view)
    assert sum(view.hourly) == 31 and view.hourly[8] == 6 and view.hourly[12] == 6
    assert len(view.daily) == 14 and view.daily[-1]["refused"] == 1
    bars = view.hourly_view.chart().series()[0].barSets()[0]
    assert [bars.at(i) for i in range(24)] == [float(v) for v in view.hourly]
    assert len(view.daily_view.chart().series()[0].barSets()) == 2
    assert view.totals.text() == "Passages 31   Fever 0   Refused 1"


def _dialog(qtbot, reports, tmp_path, fmt="csv"):
    from ui.reports.export_dialog import ExportDialog

    dlg = ExportDialog(reports, "en")
    qtbot.addWidget(dlg)
    dlg.date_from.setDate(QDate(2026, 11, 29))
    dlg.date_to.setDate(QDate(2026, 11, 29))
    dlg.format.setCurrentText(fmt)
    dlg.path.setText(str(tmp_path / f"r.{fmt}"))
    return dlg


def test_export_dialog_runs_off_thread_and_audits(qtbot, reports, tmp_path):
    dlg = _dialog(qtbot, reports, tmp_path)
    dlg.pin.setText("9")
    with qtbot.waitSignal(dlg.done, timeout=10000):
        dlg.start()  # the PIN is checked off the GUI thread too
    assert "Wrong officer PIN" in dlg.message.text() and dlg.task is None
    assert dlg.pin.text() == "" and dlg.start_button.isEnabled()
    dlg.pin.setText("246810")
    with qtbot.waitSignal(dlg.done, timeout=10000) as blocker:
        dlg.start()
    assert blocker.args == [f"Exported 31 records to {tmp_path / 'r.csv'}"]
    assert dlg.progress.value() == 100 and dlg.start_button.isEnabled()
    with open(tmp_path / "r.csv", encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.reader(fh))) == 32
    detail = reports.officer.audit_log("export")[-1]["detail"]
    assert '"status": "done"' in detail and '"rows": 31' in detail


def test_export_dialog_writes_the_csv_summary_unless_unticked(qtbot, reports, tmp_path):
    dlg = _dialog(qtbot, reports, tmp_path)
    assert dlg.with_summary.isChecked() and dlg.with_summary.isEnabled()
    dlg.pin.setText("246810")
    with qtbot.waitSignal(dlg.done, timeout=10000):
        dlg.start()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r-summary.csv", "r.csv"]
    for p in tmp_path.iterdir():
        p.unlink()
    dlg.with_summary.setChecked(False)
    dlg.pin.setText("246810")
    with qtbot.waitSignal(dlg.done, timeout=10000):
        dlg.start()
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]
    dlg.format.setCurrentText("xlsx")
    assert not dlg.with_summary.isEnabled()


def test_export_dialog_file_name_follows_the_format(qtbot, reports, tmp_path):
    dlg = _dialog(qtbot, reports, tmp_path, "xlsx")
    assert dlg.path.text().endswith("r.xlsx")
    dlg.format.setCurrentText("pdf")
    assert dlg.path.text() == str(tmp_path / "r.pdf")
    dlg.format.setCurrentIndex(dlg.format.findData("audit"))
    assert dlg.path.text() == str(tmp_path / "r.csv") and not dlg.with_summary.isEnabled()
    dlg.path.setText(str(tmp_path / "report.txt"))  # a name the user chose is left alone
    dlg.format.setCurrentText("xlsx")
    assert dlg.path.text() == str(tmp_path / "report.txt")


def test_export_dialog_cancel_leaves_no_file(qtbot, reports, tmp_path, monkeypatch):
    from app.reports import export

    monkeypatch.setattr(export, "CHECK_EVERY", 1)
    dlg = _dialog(qtbot, reports, tmp_path, "xlsx")
    dlg.pin.setText("246810")

    def cancel_early(done, total):
        if done >= 3 and dlg.task is not None:
            dlg.task.cancel()

    monkeypatch.setattr(export.Options, "tick", _wrap_tick(export.Options.tick, cancel_early))
    with qtbot.waitSignal(dlg.done, timeout=10000) as blocker:
        dlg.start()
    assert blocker.args == ["Export cancelled; no file written"]
    assert list(tmp_path.iterdir()) == []
    assert '"status": "cancelled"' in reports.officer.audit_log("export")[-1]["detail"]


def _wrap_tick(tick, hook):
    def wrapped(opts, done, total):
        hook(done, total)
        return tick(opts, done, total)

    return wrapped


def test_export_dialog_writes_a_pdf(qtbot, reports, tmp_path):
    dlg = _dialog(qtbot, reports, tmp_path, "pdf")
    dlg.pin.setText("246810")
    with qtbot.waitSignal(dlg.done, timeout=20000):
        dlg.start()
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")


def test_export_dialog_writes_the_audit_log(qtbot, reports, tmp_path):
    dlg = _dialog(qtbot, reports, tmp_path)
    dlg.format.setCurrentIndex(dlg.format.findData("audit"))
    dlg.path.setText(str(tmp_path / "audit.csv"))
    dlg.pin.setText("246810")
    with qtbot.waitSignal(dlg.done):
        dlg.start()
    with open(tmp_path / "audit.csv", encoding="utf-8-sig", newline="") as fh:
        actions = [r[3] for r in list(csv.reader(fh))[1:]]
    assert actions == ["pin_set"]
    assert reports.officer.audit_log()[-1]["action"] == "audit_export"


def test_export_dialog_enter_in_pin_exports_and_button_then_says_close(
    qtbot, reports, tmp_path, monkeypatch
):
    """#17: Enter in the PIN field exports (no file chooser); the format box is labelled; once
    the file is written the cancel button says Close."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QFileDialog, QFormLayout

    def no_chooser(*a, **kw):
        raise AssertionError("Enter opened the file chooser")

    monkeypatch.setattr(QFileDialog, "getSaveFileName", no_chooser)
    dlg = _dialog(qtbot, reports, tmp_path)
    dlg.show()
    form = dlg.findChild(QFormLayout)
    assert form.labelForField(dlg.format).text() == "Format"
    assert dlg.cancel_button.text() == "Cancel"
    dlg.pin.setText("246810")
    with qtbot.waitSignal(dlg.done, timeout=10000) as blocker:
        qtbot.keyClick(dlg.pin, Qt.Key.Key_Return)
    assert blocker.args[0].startswith("Exported 31 records")
    assert (tmp_path / "r.csv").exists() and dlg.cancel_button.text() == "Close"
    assert dlg.isVisible()
    dlg.pin.setText("0")
    dlg.start()  # a new attempt (here a wrong PIN) makes it a Cancel button again
    assert dlg.cancel_button.text() == "Cancel"
    qtbot.waitUntil(lambda: "Wrong officer PIN" in dlg.message.text(), timeout=10000)
