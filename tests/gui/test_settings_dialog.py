"""The settings dialog uses the declared limits and refuses a camera that cannot open (#10)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtWidgets import QDialog

from app.settings import spec_for

pytestmark = pytest.mark.gui


@pytest.fixture
def dialog(qtbot):
    from ui.gate.dialogs import SettingsDialog, SettingsValues

    values = SettingsValues("auto", 37.3, 300, 10.0, "小区正门", "gate-1", "王阿姨")
    dlg = SettingsDialog(values, "zh")
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def test_spin_boxes_span_the_declared_ranges(dialog) -> None:
    for box, name in (
        (dialog.threshold, "fever_threshold"),
        (dialog.rest, "retest_rest_seconds"),
        (dialog.debounce, "debounce_seconds"),
    ):
        spec = spec_for(name)
        assert (box.minimum(), box.maximum()) == (spec.low, spec.high), name
    dialog.threshold.setValue(50.0)  # typed past the end: held at the limit
    assert dialog.threshold.value() == 38.5


def test_a_camera_source_that_cannot_open_is_refused_with_the_reason(dialog) -> None:
    dialog.camera.setCurrentText("/no/such/thing")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.isVisible()
    assert dialog.error.text() == "摄像头来源无法打开：没有这个文件或文件夹 /no/such/thing"


def test_an_empty_checkpoint_name_is_refused(dialog) -> None:
    dialog.checkpoint_name.setText("  ")
    dialog.accept()
    assert dialog.isVisible() and "卡口名称" in dialog.error.text()


@pytest.mark.parametrize("source", ["auto", "demo", "0", "folder"])
def test_good_sources_close_the_dialog(dialog, tmp_path: Path, source: str) -> None:
    if source == "folder":
        cv2.imwrite(str(tmp_path / "a.png"), np.full((48, 64, 3), 200, np.uint8))
        source = str(tmp_path)
    dialog.camera.setCurrentText(source)
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.error.text() == ""
    assert dialog.values().camera_source == source
