"""The moment the window is ready: shown and painted once. Logged as `window ready` with the
wall-clock time and the process's CPU time so far, so bench/cold_start_bench.py can time
process start → ready (#12 item 5). With GATEPOST_QUIT_WHEN_READY=1 the application quits
right after (for that bench)."""

from __future__ import annotations

import logging
import os
import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

log = logging.getLogger("gatepost.ready")
QUIT_ENV = "GATEPOST_QUIT_WHEN_READY"


class _FirstPaint(QObject):
    """Watches the window for its first paint event, then says so once the event loop is
    back (the paint has finished by then)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if not self.seen and event.type() == QEvent.Type.Paint:
            self.seen = True
            QTimer.singleShot(0, self._ready)
        return False

    def _ready(self) -> None:
        self.window.removeEventFilter(self)
        log.info(
            "window ready (shown and painted) at %.3f, cpu %.3f s",
            time.time(),
            time.process_time(),  # CPU time to here: what a busy machine does not inflate
        )
        if os.environ.get(QUIT_ENV) == "1":
            QCoreApplication.quit()


def announce_when_ready(window: QWidget) -> None:
    """Call before showing the window."""
    window.installEventFilter(_FirstPaint(window))
