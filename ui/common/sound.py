"""Alarm and confirmation sounds; a missing audio device must never stop the gate."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QUrl
from PySide6.QtWidgets import QApplication

from app.paths import RESOURCES

log = logging.getLogger(__name__)
SOUNDS = RESOURCES / "sounds"


class Sounds(QObject):
    def __init__(self, parent: QObject | None = None, enabled: bool = True) -> None:
        super().__init__(parent)
        self.enabled = enabled
        self.played: list[str] = []  # what was asked for, for tests and the log
        self._effects: dict[str, object] = {}

    def _effect(self, name: str) -> object | None:
        if name in self._effects:
            return self._effects[name]
        try:
            from PySide6.QtMultimedia import QSoundEffect

            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(SOUNDS / f"{name}.wav")))
            effect.setVolume(1.0)
        except Exception:  # no QtMultimedia or no audio backend
            log.info("sound %s unavailable", name, exc_info=True)
            effect = None
        self._effects[name] = effect
        return effect

    def play(self, name: str) -> None:
        self.played.append(name)
        if not self.enabled:
            return
        effect = self._effect(name)
        try:
            if effect is not None:
                effect.play()  # type: ignore[attr-defined]
            else:
                QApplication.beep()
        except Exception:
            log.info("could not play %s", name, exc_info=True)
