"""Smaller desk faults (#10 item 9): focus, Esc, whole axis labels, English, dates, plain text."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics

from app.gate.service import GateService, PassageDraft
from app.reports.service import ReportService
from app.shifts.service import ShiftService
from tests.fakes.camera import FakeAsker
from tests.gui.test_gate_window import booth_style  # noqa: F401 - the booth's fonts

pytestmark = pytest.mark.gui

MARKUP = '<span style="font-size:40px;color:#c62828">红码</span>'
SHORT = '<b style="color:#c62828">红码</b>'  # settings hold at most 40 characters


@pytest.fixture
def window(qtbot, service):
    from ui.common.sound import Sounds
    from ui.gate.window import MainWindow

    win = MainWindow(service, None, asker=FakeAsker(), sounds=Sounds(enabled=False), lang="zh")
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


def test_sign_in_starts_in_the_name_field(qtbot, gdb, clock):
    from ui.shifts.dialogs import SignInDialog

    shifts = ShiftService(gdb, clock)
    shifts.add_volunteer("王阿姨")
    dlg = SignInDialog(shifts, "zh")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert dlg.focusWidget() is dlg.name
    qtbot.keyClicks(dlg.focusWidget(), "Li Si")
    assert dlg.name.text() == "Li Si"


@pytest.fixture
def reports(gdb, clock):
    gate = GateService(gdb, clock)
    for _ in range(14):
        gate.record(PassageDraft(code_color="red", payload_text="r"))
        clock.advance(86400)
    return ReportService(gdb, clock)


def test_statistics_close_on_esc(qtbot, reports):
    from ui.reports.stats import StatsView

    view = StatsView(reports, "zh")
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not view.isVisible()


def test_the_14_day_axis_labels_are_whole_dates_with_room(qtbot, reports, booth_style):  # noqa: F811
    from ui.reports.stats import StatsView

    view = StatsView(reports, "zh")
    qtbot.addWidget(view)
    view.resize(900, 640)  # as F9 opens it
    view.show()
    qtbot.waitExposed(view)
    chart = view.daily_view.chart()
    axis = chart.axes(Qt.Orientation.Horizontal)[0]
    labels = axis.categories()
    days = [reports.clock.now().date() - timedelta(days=13 - i) for i in range(14)]
    assert labels == [d.strftime("%m-%d") for d in days]  # whole MM-DD, no "…"
    metrics = QFontMetrics(axis.labelsFont())
    widest = max(metrics.horizontalAdvance(x) for x in labels)
    slot = chart.plotArea().width() / len(labels)
    angle = math.radians(abs(axis.labelsAngle()))
    # upright labels need the slot's width; slanted ones need the slot for their height only
    needed = widest if angle == 0 else metrics.height() / math.sin(angle)
    assert needed <= slot, (needed, slot)
    below = chart.size().height() - chart.plotArea().bottom()
    assert below >= widest * math.sin(angle), (below, widest)


def test_english_window_has_no_chinese_outside_names(qtbot, window):
    window.toggle_language()
    shown = [
        window.change_volunteer.text(),
        window.banner.title.text(),
        window.banner.detail.text(),
    ]
    window.on_camera_status("disconnected", "0")
    shown += [window.camera_label.text(), window.preview.text()]
    window.on_camera_status("demo_fallback", "demo")
    shown.append(window.camera_label.text())
    assert not [s for s in shown if any("\u4e00" <= ch <= "\u9fff" for ch in s)], shown


def test_recent_rows_from_another_day_show_the_date(qtbot, window, service, clock):
    service.record(PassageDraft(code_color="green", payload_text="a", temperature="36.5"))
    yesterday = clock.now()
    clock.advance(86400)
    service.record(PassageDraft(code_color="green", payload_text="b", temperature="36.6"))
    window.refresh()
    times = [window.recent.item(r, 0).text() for r in range(window.recent.rowCount())]
    assert times == [clock.now().strftime("%H:%M:%S"), yesterday.strftime("%m-%d %H:%M")]


def test_user_text_is_shown_as_plain_text(qtbot, window, service):
    service.settings.set("checkpoint_name", SHORT)
    service.settings.set("volunteer", SHORT)
    window.retranslate()
    for label in (window.title, window.volunteer_label, window.message, window.next_label):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert SHORT in window.title.text() and SHORT in window.volunteer_label.text()
    window.show_message(MARKUP)
    assert window.message.text() == MARKUP
    for label in (window.banner.title, window.banner.detail):
        assert label.textFormat() == Qt.TextFormat.PlainText
    window.banner.show_state("red", MARKUP, MARKUP)
    assert window.banner.title.text() == MARKUP and window.banner.detail.text() == MARKUP


def test_qt_standard_buttons_follow_the_window_language(qtbot, window):
    """A dialog's 确定 / 取消 come from Qt itself: they must not stay English in Chinese."""
    from PySide6.QtWidgets import QDialogButtonBox

    def labels():
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        qtbot.addWidget(box)
        ok = box.button(QDialogButtonBox.StandardButton.Ok).text()
        cancel = box.button(QDialogButtonBox.StandardButton.Cancel).text()
        return ok.replace("&", ""), cancel.replace("&", "")

    window.lang = "zh"
    window.retranslate()
    assert labels() == ("确定", "取消")
    window.toggle_language()
    assert labels() == ("OK", "Cancel")
    window.toggle_language()


def test_filling_the_recent_list_keeps_its_column_sizing(qtbot):
    """set_rows pauses the header's resize-to-contents while it fills (speed: see
    bench/gui_stall_bench.py) and must leave every column's mode as it was."""
    from datetime import date

    from PySide6.QtWidgets import QHeaderView

    from ui.gate.widgets import RecentTable

    table = RecentTable()
    qtbot.addWidget(table)
    header = table.horizontalHeader()
    before = [header.sectionResizeMode(c) for c in range(table.columnCount())]
    row = dict(
        id="p1",
        ts_local="2026-11-29T08:00:00+08:00",
        temperature=36.5,
        decision="pass",
        direction="in",
        category="resident",
        code_color="green",
        person_name="张三",
    )
    table.set_rows([row, {**row, "id": "p2"}], date(2026, 11, 29))
    assert [header.sectionResizeMode(c) for c in range(table.columnCount())] == before
    assert QHeaderView.ResizeMode.ResizeToContents in before
    assert table.rowCount() == 2 and table.item(1, 0).text() == "08:00:00"
    assert table.updatesEnabled()
