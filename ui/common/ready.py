"""The moment the window is ready: shown and painted once. Logged as `window ready` with the
wall-clock time and the process's CPU time so far, so bench/cold_start_bench.py can time
process start → ready (#12 item 5). With GATEPOST_QUIT_WHEN_READY=1 the application quits
right after (for that bench)."""

from __future__ import annotations

import gc
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
        freeze_startup_heap()
        log.info(
            "window ready (shown and painted) at %.3f, cpu %.3f s",
            time.time(),
            time.process_time(),  # CPU time to here: what a busy machine does not inflate
        )
        if os.environ.get(QUIT_ENV) == "1":
            QCoreApplication.quit()


def freeze_startup_heap() -> None:
    """Leave what start-up made (modules, classes, Qt wrappers: ~45,000 objects) out of the
    cyclic garbage collector's full passes from now on. A full pass holds the GIL throughout,
    whichever thread's allocations set it off: 25-50 ms with the GUI thread waiting, mostly
    re-checking these objects, which live as long as the program (bench/gui_stall_bench.py
    --why, #12). They are still freed as usual when nothing refers to them."""
    gc.freeze()


def announce_when_ready(window: QWidget) -> None:
    """Call before showing the window."""
    window.installEventFilter(_FirstPaint(window))
