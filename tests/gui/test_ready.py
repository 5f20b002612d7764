"""The `window ready` marker the cold start bench times to (#12 item 5)."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QWidget

from ui.common import ready


class Painted(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.paints += 1
        super().paintEvent(event)


def test_ready_is_logged_once_after_the_first_paint_and_quits_when_asked(
    qtbot, caplog, monkeypatch
):
    quits: list[int] = []
    freezes: list[int] = []
    monkeypatch.setattr(ready.gc, "freeze", lambda: freezes.append(1))
    monkeypatch.setattr(ready.QCoreApplication, "quit", lambda: quits.append(1))
    monkeypatch.setenv(ready.QUIT_ENV, "1")
    caplog.set_level(logging.INFO, logger="gatepost.ready")
    widget = Painted()
    qtbot.addWidget(widget)
    paints_when_logged: list[int] = []
    real_ready = ready._FirstPaint._ready

    def spy(self) -> None:
        paints_when_logged.append(widget.paints)
        real_ready(self)

    monkeypatch.setattr(ready._FirstPaint, "_ready", spy)
    ready.announce_when_ready(widget)
    assert not [r for r in caplog.records if "window ready" in r.getMessage()]
    widget.show()
    qtbot.waitUntil(lambda: bool(quits), timeout=5000)
    widget.update()
    qtbot.wait(50)
    logged = [r.getMessage() for r in caplog.records if "window ready" in r.getMessage()]
    assert len(logged) == 1 and "cpu" in logged[0]
    assert paints_when_logged and paints_when_logged[0] >= 1  # painted before it says ready
    assert quits == [1]
    assert freezes == [1]  # start-up's objects leave the collector's full passes (#12)


def test_after_the_freeze_a_full_collection_skips_start_ups_objects():
    import gc

    try:
        ready.freeze_startup_heap()
        assert gc.get_freeze_count() > 10_000  # Qt, the app's modules, the test's own
        garbage = [[] for _ in range(10)]
        garbage.append(garbage)  # a cycle made after the freeze is still collected
        del garbage
        assert gc.collect() >= 11
    finally:
        gc.unfreeze()
