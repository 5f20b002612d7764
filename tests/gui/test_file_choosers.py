"""The file choosers the dialogs share (ui/common/files.py): a cancel is None, a camera file is a
folder or else a video, and the settings dialog asks in the window's language (#11)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFileDialog

from app.i18n import t
from ui.common import files

pytestmark = pytest.mark.gui


@pytest.fixture
def asked(monkeypatch):
    """Every question put to QFileDialog, answered from `answers` (empty string: cancelled)."""
    log: list[tuple[str, tuple]] = []
    answers = {"folder": "", "open": "", "save": ""}

    def folder(parent, title, *rest):
        log.append(("folder", (title, *rest)))
        return answers["folder"]

    def open_(parent, title, *rest):
        log.append(("open", (title, *rest)))
        return answers["open"], ""

    def save(parent, title, *rest):
        log.append(("save", (title, *rest)))
        return answers["save"], ""

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(folder))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(open_))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save))
    return log, answers


def test_a_cancel_is_none_and_a_pdf_is_offered_as_pdf(qtbot, asked) -> None:
    log, answers = asked
    assert files.choose_pdf(None, "passes") is None
    assert files.choose_open(None, "roster", kinds="CSV (*.csv)") is None
    assert log == [
        ("save", ("passes", "passes.pdf", files.PDF)),
        ("open", ("roster", "", "CSV (*.csv)")),
    ]
    answers["save"] = "/tmp/visitor.pdf"
    assert files.choose_pdf(None, "card", "visitor.pdf") == "/tmp/visitor.pdf"


def test_a_camera_file_is_a_folder_or_else_a_video(qtbot, asked) -> None:
    log, answers = asked
    answers["folder"] = "/data/frames"
    assert files.choose_camera_source(None, "camera") == "/data/frames"
    assert [kind for kind, _ in log] == ["folder"]  # a folder picked: no second question
    answers["folder"], answers["open"] = "", "/data/gate.mp4"
    assert files.choose_camera_source(None, "camera") == "/data/gate.mp4"
    answers["open"] = ""
    assert files.choose_camera_source(None, "camera") is None


def test_the_settings_dialog_asks_for_a_camera_file_in_its_language(qtbot, asked) -> None:
    from ui.gate.dialogs import SettingsDialog, SettingsValues

    log, answers = asked
    answers["open"] = "/data/gate.mp4"
    values = SettingsValues("auto", 37.3, 300, 10.0, "正门", "gate-1", "王阿姨")
    dlg = SettingsDialog(values, "zh")
    qtbot.addWidget(dlg)
    dlg._browse()
    assert {title for _, (title, *_rest) in log} == {t("setup_camera_file", "zh")}
    assert dlg.camera.currentText() == "/data/gate.mp4"
