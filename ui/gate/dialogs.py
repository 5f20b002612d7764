"""Small modal questions the gate asks; all behind `Asker` so tests can answer them."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.errors import KnownError
from app.gate.service import Identity
from app.i18n import t
from app.idcard import validate_id
from app.settings import SYNC_MODES, spec_for
from ui.common.buttons import ok_cancel
from ui.common.files import choose_camera_source
from ui.gate.temperature_field import TemperatureField

_buttons = ok_cancel  # the one OK / Cancel row (ui/common/buttons.py)


class ChoiceDialog(QDialog):
    """Pick one of a few reasons (buttons 1..n) or type one; free text can be required."""

    def __init__(
        self,
        title: str,
        choices: list[tuple[str, str]],
        lang: str,
        parent: QWidget | None = None,
        note_for: set[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.lang = lang
        self.note_for = note_for or set()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(title))
        self.group = QButtonGroup(self)
        for i, (key, label) in enumerate(choices):
            rb = QRadioButton(f"{i + 1}. {label}")
            rb.setProperty("key", key)
            self.group.addButton(rb, i)
            layout.addWidget(rb)
            if i == 0:
                rb.setChecked(True)
        self.note = QLineEdit()
        self.note.setPlaceholderText(t("note", lang))
        layout.addWidget(self.note)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828;")
        layout.addWidget(self.error)
        layout.addWidget(_buttons(self, lang))

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        text = event.text()
        if (
            text.isdigit()
            and 1 <= int(text) <= len(self.group.buttons())
            and not self.note.hasFocus()
        ):
            self.group.button(int(text) - 1).setChecked(True)
            return
        super().keyPressEvent(event)

    def accept(self) -> None:
        if self.choice() in self.note_for and not self.note.text().strip():
            self.error.setText(t("note_required", self.lang))
            return
        super().accept()

    def choice(self) -> str:
        button = self.group.checkedButton()
        return str(button.property("key")) if button else ""


class ManualEntryDialog(QDialog):
    """Register someone without a smartphone: ID number, or name + building/unit/room."""

    def __init__(self, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = lang
        self.setWindowTitle(t("manual_title", lang))
        form = QFormLayout(self)
        self.id_number = QLineEdit()
        self.id_number.setMaxLength(22)
        self.name = QLineEdit()
        self.building, self.unit, self.room = QLineEdit(), QLineEdit(), QLineEdit()
        form.addRow(QLabel(t("manual_title", lang)))
        form.addRow(t("id_number", lang), self.id_number)
        form.addRow(t("name", lang), self.name)
        row = QHBoxLayout()
        for w, code in ((self.building, "building"), (self.unit, "unit"), (self.room, "room")):
            w.setPlaceholderText(t(code, lang))
            row.addWidget(w)
        form.addRow(f"{t('building', lang)}/{t('unit', lang)}/{t('room', lang)}", row)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        form.addRow(self.error)
        form.addRow(_buttons(self, lang))
        self.identity: Identity | None = None

    def accept(self) -> None:
        try:
            self.identity = self.build_identity()
        except KnownError as exc:
            self.error.setText(exc.message(self.lang))
            return
        super().accept()

    def build_identity(self) -> Identity:
        raw_id = self.id_number.text().strip()
        name = self.name.text().strip() or None
        place = [w.text().strip() or None for w in (self.building, self.unit, self.room)]
        if raw_id:
            return Identity("id_number", name, validate_id(raw_id), *place)
        if name and (place[0] or place[2]):
            return Identity("name_room", name, None, *place)
        raise KnownError("manual_need_identity")


class TemperatureDialog(QDialog):
    """One line asked for: a re-test reading (the desk's temperature field), or a name."""

    def __init__(
        self, title: str, lang: str, parent: QWidget | None = None, reading: bool = True
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(title))
        self.field = TemperatureField() if reading else QLineEdit()
        self.field.setObjectName("temperature" if reading else "text")
        layout.addWidget(self.field)
        layout.addWidget(_buttons(self, lang))


@dataclass
class SettingsValues:
    camera_source: str
    fever_threshold: float
    retest_rest_seconds: int
    debounce_seconds: float
    checkpoint_name: str
    checkpoint_id: str
    volunteer: str
    compound_name: str = ""  # #16: asked first by the first-run wizard, changed here
    sync_mode: str = "server"


def _declared_range(box: QSpinBox | QDoubleSpinBox, name: str) -> None:
    """A spin box spans exactly the range app.settings declares for the setting."""
    spec = spec_for(name)
    assert spec.low is not None and spec.high is not None
    if isinstance(box, QSpinBox):
        box.setRange(int(spec.low), int(spec.high))
    else:
        box.setRange(float(spec.low), float(spec.high))


class SettingsDialog(QDialog):
    """Camera, fever threshold, re-test rest, debounce and checkpoint; applied without restart."""

    def __init__(self, values: SettingsValues, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(t("settings", lang))
        form = QFormLayout(self)
        self.camera = QComboBox()
        self.camera.setEditable(True)
        self.camera.addItems(["auto", "demo", "0", "1", "2"])
        self.camera.setCurrentText(values.camera_source)
        browse = QPushButton("…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.camera, 1)
        row.addWidget(browse)
        form.addRow(t("camera_source", lang), row)
        self.threshold = QDoubleSpinBox()
        _declared_range(self.threshold, "fever_threshold")
        self.threshold.setSingleStep(0.1)
        self.threshold.setDecimals(1)
        self.threshold.setValue(values.fever_threshold)
        form.addRow(t("setting_label_fever_threshold", lang), self.threshold)
        self.rest = QSpinBox()
        _declared_range(self.rest, "retest_rest_seconds")
        self.rest.setValue(values.retest_rest_seconds)
        form.addRow(t("setting_label_retest_rest_seconds", lang), self.rest)
        self.debounce = QDoubleSpinBox()
        _declared_range(self.debounce, "debounce_seconds")
        self.debounce.setValue(values.debounce_seconds)
        form.addRow(t("setting_label_debounce_seconds", lang), self.debounce)
        self.checkpoint_name = QLineEdit(values.checkpoint_name)
        form.addRow(t("setting_label_checkpoint_name", lang), self.checkpoint_name)
        self.checkpoint_id = QLineEdit(values.checkpoint_id)
        form.addRow(t("setting_label_checkpoint_id", lang), self.checkpoint_id)
        self.compound_name = QLineEdit(values.compound_name)
        self.compound_name.setObjectName("compound_name")
        form.addRow(t("setting_label_compound_name", lang), self.compound_name)
        self.sync_mode = QComboBox()
        self.sync_mode.setObjectName("sync_mode")
        for mode in SYNC_MODES:
            self.sync_mode.addItem(t(f"sync_mode_{mode}", lang), mode)
        self.sync_mode.setCurrentIndex(max(0, self.sync_mode.findData(values.sync_mode)))
        form.addRow(t("setting_label_sync_mode", lang), self.sync_mode)
        self.volunteer = QLineEdit(values.volunteer)
        form.addRow(t("volunteer", lang), self.volunteer)
        self.lang = lang
        self.error = QLabel()
        self.error.setObjectName("settings_error")
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        form.addRow(self.error)
        form.addRow(_buttons(self, lang))

    def accept(self) -> None:
        """Close only when every value is within its declared limits (the camera must open)."""
        try:
            for name, value in vars(self.values()).items():
                spec_for(name).parse(value)
        except KnownError as exc:
            self.error.setText(exc.message(self.lang))
            return
        super().accept()

    def _browse(self) -> None:
        path = choose_camera_source(self, t("setup_camera_file", self.lang))
        if path:
            self.camera.setCurrentText(path)

    def values(self) -> SettingsValues:
        return SettingsValues(
            self.camera.currentText().strip() or "auto",
            round(self.threshold.value(), 1),
            self.rest.value(),
            self.debounce.value(),
            self.checkpoint_name.text().strip(),
            self.checkpoint_id.text().strip() or "gate-1",
            self.volunteer.text().strip(),
            self.compound_name.text().strip(),
            str(self.sync_mode.currentData()),
        )


class Asker:
    """The real questions, as modal dialogs. Tests replace this with scripted answers."""

    def __init__(self, parent: QWidget) -> None:
        self.parent = parent

    def choose(
        self,
        title: str,
        choices: list[tuple[str, str]],
        lang: str,
        note_for: set[str] | None = None,
    ) -> tuple[str, str] | None:
        dlg = ChoiceDialog(title, choices, lang, self.parent, note_for)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        return dlg.choice(), dlg.note.text().strip()

    def text(self, title: str, lang: str) -> str | None:
        dlg = TemperatureDialog(title, lang, self.parent, reading=False)
        return dlg.field.text().strip() if dlg.exec() == QDialog.DialogCode.Accepted else None

    def temperature(self, title: str, lang: str) -> str | None:
        dlg = TemperatureDialog(title, lang, self.parent)
        return dlg.field.text().strip() if dlg.exec() == QDialog.DialogCode.Accepted else None

    def manual_identity(self, lang: str) -> Identity | None:
        dlg = ManualEntryDialog(lang, self.parent)
        return dlg.identity if dlg.exec() == QDialog.DialogCode.Accepted else None

    def settings(self, values: SettingsValues, lang: str) -> SettingsValues | None:
        dlg = SettingsDialog(values, lang, self.parent)
        return dlg.values() if dlg.exec() == QDialog.DialogCode.Accepted else None

    def confirm(self, title: str, lang: str) -> bool:
        """Yes / no, with 否 the default so a stray Enter changes nothing."""
        box = QMessageBox(
            QMessageBox.Icon.Question, t("app_title", lang), title, parent=self.parent
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        yes = box.addButton(t("ok", lang), QMessageBox.ButtonRole.YesRole)
        box.setDefaultButton(box.addButton(t("cancel", lang), QMessageBox.ButtonRole.NoRole))
        box.exec()
        return box.clickedButton() is yes
