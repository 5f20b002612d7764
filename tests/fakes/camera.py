"""A camera the tests control: what it shows, and whether its cable is in."""

from __future__ import annotations

import threading

import numpy as np

from app.scan.sources import SourceError


class FakeCameraRig:
    def __init__(self, frame: np.ndarray | None = None) -> None:
        self._lock = threading.Lock()
        self._frame = frame if frame is not None else blank()
        self.unplugged = False
        self.opened: list[str] = []

    @property
    def frame(self) -> np.ndarray:
        with self._lock:
            return self._frame

    def show(self, frame: np.ndarray) -> None:
        with self._lock:
            self._frame = frame

    def factory(self, spec: str) -> FakeSource:
        return FakeSource(self, spec)


class FakeSource:
    fps = 60.0

    def __init__(self, rig: FakeCameraRig, spec: str) -> None:
        self.rig = rig
        self.name = f"fake:{spec}"

    def open(self) -> None:
        if self.rig.unplugged:
            raise SourceError("unplugged")
        self.rig.opened.append(self.name)

    def read(self) -> np.ndarray:
        if self.rig.unplugged:
            raise SourceError("unplugged")
        return self.rig.frame.copy()

    def close(self) -> None:
        pass


def blank(w: int = 640, h: int = 480) -> np.ndarray:
    return np.full((h, w, 3), 90, dtype=np.uint8)


class FakeAsker:
    """Scripted answers to the window's questions, in order; records what was asked."""

    def __init__(self) -> None:
        self.answers: list[object] = []
        self.asked: list[str] = []
        self.titles: list[str] = []

    def _next(self, what: str) -> object:
        self.asked.append(what)
        return self.answers.pop(0) if self.answers else None

    def choose(self, title, choices, lang, note_for=None):
        self.titles.append(title)
        return self._next("choose")

    def text(self, title, lang):
        return self._next("text")

    def temperature(self, title, lang):
        return self._next("temperature")

    def manual_identity(self, lang):
        return self._next("manual_identity")

    def settings(self, values, lang):
        return self._next("settings")

    def confirm(self, title, lang):
        """Yes unless an answer says otherwise (closing the window in teardown asks too)."""
        self.titles.append(title)
        answer = self._next("confirm") if self.answers else True
        return bool(answer)
