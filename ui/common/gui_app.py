"""One Qt application to draw with, for the PDF writers that also run from the command line."""

from __future__ import annotations

import os

from PySide6.QtGui import QGuiApplication

_APP: QGuiApplication | None = None  # held here so Python never collects the one we made


def ensure_gui_app() -> QGuiApplication:
    """The running Qt application, or a new one: offscreen when there is no display (CLI, CI)."""
    global _APP
    app = QGuiApplication.instance()
    if isinstance(app, QGuiApplication):
        return app
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _APP = QGuiApplication(["gatepost"])
    return _APP
