"""管理 F12 (#16): every task that was command-line only, driven through the real dialogs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog

from app.officer import OfficerAuth
from tests.fakes.dialogs import new_pin


class FakeSyncWidget(QObject):
    enrolRequested = Signal(str)  # noqa: N815 - the real widget's signal name


class FakeSync:
    def __init__(self) -> None:
        self.widget = FakeSyncWidget()
        self.usb_opened = 0

    def open_usb_export(self) -> None:
        self.usb_opened += 1


class Driver:
    """Answers the dialogs in order: each step gets the dialog and returns its result."""

    def __init__(self, *steps):
        self.steps = list(steps)
        self.seen: list[QDialog] = []

    def __call__(self, dlg: QDialog):
        self.seen.append(dlg)
        self.steps.pop(0)(dlg)
        return dlg.result()


def choose(name):
    """In the 管理 list, click the task's button."""
    return lambda dlg: dlg.buttons[name].click()


def install(window, *steps, **kwargs):
    from ui.admin.feature import install_admin

    driver = Driver(*steps)
    return install_admin(window, open_dialog=driver, **kwargs), driver


def test_f12_opens_the_list_of_every_task(window):
    feature, driver = install(window, lambda dlg: dlg.reject())
    assert window.features["admin"] is feature
    feature.button.click()
    (dlg,) = driver.seen
    tasks = ["pair", "usb", "print", "key", "purge", "pin", "salvage", "language"]
    assert list(dlg.buttons) == tasks
    assert dlg.buttons["pair"].text() == "与服务器配对（粘贴配对码）"
    assert feature.button.text() == "管理 F12"


def test_pair_by_paste_refuses_other_text_then_pairs_off_the_dialog(qtbot, window):
    sync = FakeSync()
    window.features["sync"] = sync

    def paste(dlg):
        dlg.text.setText("https://jkm.example.invalid/v?t=GREEN-1")
        dlg.try_accept()
        assert dlg.result() != QDialog.DialogCode.Accepted
        assert "不是配对码" in dlg.message.text()
        dlg.text.setText(" gatepost://enrol?u=http://10.0.0.5:8750&c=ABC ")
        dlg.try_accept()

    feature, _ = install(window, choose("pair"), paste)
    with qtbot.waitSignal(sync.widget.enrolRequested) as got:
        feature.open()
    assert got.args == ["gatepost://enrol?u=http://10.0.0.5:8750&c=ABC"]
    assert window.message.text() == "正在与服务器配对…"


def test_usb_opens_the_bundle_dialog_and_no_sync_says_so(window):
    feature, _ = install(window, choose("usb"), choose("usb"))
    feature.open()
    assert "同步功能未启用" in window.message.text()
    sync = FakeSync()
    window.features["sync"] = sync
    feature.open()
    assert sync.usb_opened == 1


def test_another_gates_public_key_from_a_file_is_trusted(window, service, tmp_path):
    from app.database import open_memory
    from app.roster import passes

    other = open_memory()
    try:
        text = passes.export_public_key(other.conn, service.clock)
    finally:
        other.close()
    key_file = tmp_path / "gate-b.key"
    key_file.write_text(text + "\n", encoding="ascii")
    paths = [str(tmp_path / "missing.key"), str(key_file), None]
    feature, _ = install(
        window,
        *[choose("key")] * 3,
        choose_file=lambda parent, title: paths.pop(0),
    )
    feature.open()
    assert window.message.text() == f"找不到文件：{tmp_path / 'missing.key'}"
    feature.open()
    assert window.message.text().startswith("已导入公钥")
    labels = [r[0] for r in service.conn.execute("SELECT label FROM pass_keys")]
    assert "gate-b.key" in labels
    feature.open()  # cancelled file choice: nothing happens
    assert window.message.text().startswith("已导入公钥")


def test_passes_for_one_building_are_drawn_off_the_gui_thread(qtbot, window, service, tmp_path):
    from app.roster.service import RosterService
    from tests.fakes import roster_files as rf

    roster = RosterService(service.gdb, service.clock)
    for i in range(3):
        roster.add(
            {
                "name": f"居民{i}号",
                "id_number": rf.make_id("19700101", i + 1),
                "building": "3" if i else "5",
                "room": str(101 + i),
            }
        )

    def pick_building_3(dlg):
        items = [dlg.combo.itemText(n) for n in range(dlg.combo.count())]
        assert items == ["全部住户", "3 栋", "5 栋"]
        dlg.combo.setCurrentIndex(1)
        dlg.accept()

    out = tmp_path / "building-3.pdf"
    feature, _ = install(
        window, choose("print"), pick_building_3, choose_pdf=lambda parent, title: str(out)
    )
    feature.open()
    assert window.message.text() == "正在生成通行证 PDF…"  # the desk is not blocked meanwhile
    qtbot.waitUntil(lambda: window.message.text().startswith("2 张通行证"), timeout=20_000)
    assert out.read_bytes().startswith(b"%PDF")
    assert feature.printer.task is None  # ended, nothing left running


def test_closing_the_window_waits_for_the_pdf_being_drawn(window, service, tmp_path):
    from app.roster.service import RosterService
    from tests.fakes import roster_files as rf

    RosterService(service.gdb, service.clock).add(
        {"name": "居民", "id_number": rf.make_id("19700101", 1), "building": "3", "room": "1"}
    )
    out = tmp_path / "all.pdf"
    feature, _ = install(
        window, choose("print"), lambda dlg: dlg.accept(), choose_pdf=lambda p, title: str(out)
    )
    feature.open()
    window.close()
    assert feature.printer.task is None and out.read_bytes().startswith(b"%PDF")


def test_passes_with_no_residents_say_so(window, tmp_path):
    feature, _ = install(
        window,
        choose("print"),
        lambda dlg: dlg.accept(),
        choose_pdf=lambda parent, title: str(tmp_path / "none.pdf"),
    )
    feature.open()
    assert window.message.text() == "花名册里没有居民，未生成文件"
    assert not (tmp_path / "none.pdf").exists()


def test_purge_now_with_nothing_old(window):
    feature, _ = install(window, choose("purge"))
    feature.open()
    assert window.message.text() == "没有需要清除的记录"


def test_purge_of_unsynced_records_asks_the_officer_first(window, service):
    from app.clock import FakeClock
    from app.gate.service import GateService, PassageDraft

    old = GateService(
        service.gdb, FakeClock(datetime(2026, 10, 1, 9, 0, tzinfo=timezone(timedelta(hours=8))))
    )
    old.record(PassageDraft(code_color="green", payload_text="x", temperature="36.5"))
    OfficerAuth(service.gdb, service.clock).set_pin("246810")
    answers = [None, "246810"]
    asked = []

    def verify(parent, officer):
        asked.append(True)
        pin = answers.pop(0)
        return pin if pin and officer.verify(pin) else None

    feature, _ = install(window, choose("purge"), choose("purge"), verify_pin=verify)
    feature.open()  # the officer cancels: nothing goes
    assert len(asked) == 1
    assert service.conn.execute("SELECT count(*) FROM passages").fetchone()[0] == 1
    feature.open()
    assert service.conn.execute("SELECT count(*) FROM passages").fetchone()[0] == 0
    assert (
        window.message.text().startswith("已清除")
        and "之前的 1 条通行记录" in window.message.text()
    )
    assert [r["action"] for r in feature.officer.audit_log()][-2:] == ["delete", "purge"]


def test_the_officer_pin_is_set_then_changed_only_with_the_current_one(window, service):
    def first_pin(dlg):
        assert not dlg.old.isVisibleTo(dlg)  # no PIN yet: nothing to ask
        assert dlg.message.text() == "密码须为 6–12 位数字"  # the rule before the first try
        new_pin("135790", "135709")(dlg)

    def change(dlg):
        dlg.old.setText("000000")
        dlg.first.setText("246810")
        dlg.second.setText("246810")
        dlg.try_accept()
        assert "干部密码错误" in dlg.message.text() and dlg.result() != QDialog.DialogCode.Accepted
        dlg.old.setText("135790")
        dlg.try_accept()

    feature, _ = install(window, choose("pin"), first_pin, choose("pin"), change)
    feature.open()
    officer = OfficerAuth(service.gdb, service.clock)
    assert window.message.text() == "干部密码已设置" and officer.verify("135790")
    feature.open()
    assert officer.verify("246810")


def test_language_switches_the_window_and_the_setting(window, service):
    feature, _ = install(window, choose("language"))
    feature.open()
    assert window.lang == "en" and service.settings.get("language") == "en"
    assert feature.button.text() == "Admin F12"


@pytest.mark.parametrize("code", ["admin_title", "admin_pair", "admin_purge", "admin_no_sync"])
def test_messages_in_both_languages(code):
    from app.i18n import MESSAGES

    zh, en = MESSAGES[code]
    assert zh and en and zh != en
