"""The desk's temperature field: it takes only what a temperature is typed as (the rule is
app.gate.rules.typed_temperature), and keeps aside the keys of a code a scanner types."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QValidator
from PySide6.QtWidgets import QLineEdit, QWidget

from app.gate import rules


class TemperatureValidator(QValidator):
    """Keys, pastes and input-method commits alike: refused, or made what the parser reads."""

    def validate(self, text: str, pos: int) -> Any:  # noqa: D102 - Qt API
        fixed = rules.typed_temperature(text)
        if fixed is None:
            return QValidator.State.Invalid, text, pos
        # the rule only drops spaces: the cursor stays after the same character
        pos -= sum(ch.isspace() for ch in text[:pos])
        # Acceptable, never Intermediate: Enter always reaches the desk, which says what is wrong
        return QValidator.State.Acceptable, fixed, max(0, min(pos, len(fixed)))


class TemperatureField(QLineEdit):
    """A keyboard-wedge scanner types a code into the field the camera missed: its letters are
    refused here like a volunteer's, but the keys are kept so Enter can hand the code over."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("temperature")
        self.setValidator(TemperatureValidator(self))
        # no pinyin composing here: a Chinese input method left on types digits as digits
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.setInputMethodHints(Qt.InputMethodHint.ImhFormattedNumbersOnly)
        self._keys = ""  # what the keyboard typed since the field was last emptied
        self._refused = ""  # the keys of those the field did not take
        self._rejected = False
        self.inputRejected.connect(self._note_rejected)
        self._held = ""  # the text before the last change (a refused key "changes" it too)
        self.textChanged.connect(self._forget_when_emptied)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        text = event.text()
        self._rejected = False
        super().keyPressEvent(event)
        if text.isprintable():
            self._keys += text
            self._refused += text if self._rejected else ""

    def _note_rejected(self) -> None:
        self._rejected = True

    def _forget_when_emptied(self, text: str) -> None:
        if self._held and not text:  # backspaced away, recorded, Esc: a fresh start
            self.forget_keys()
        self._held = text

    def forget_keys(self) -> None:
        self._keys = self._refused = ""

    def take_typed(self) -> str:
        """What Enter hands the desk: the keys as typed when they were a code, or when none of
        them stayed in the field (the desk says they are no temperature); else the field."""
        keys, refused = self._keys, self._refused
        self.forget_keys()
        if rules.keyed_code(keys, refused) or (keys.strip() and not self.text()):
            return keys
        return self.text()
