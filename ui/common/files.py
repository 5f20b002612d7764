"""The file choosers our dialogs share: the path picked, or None when the volunteer cancels."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QWidget

PDF = "PDF (*.pdf)"


def choose_open(parent: QWidget, title: str, start: str = "", kinds: str = "") -> str | None:
    """An existing file to read (kinds: a Qt name filter, e.g. "Excel / CSV (*.xlsx *.csv)")."""
    path, _ = QFileDialog.getOpenFileName(parent, title, start, kinds)
    return path or None


def choose_save(parent: QWidget, title: str, start: str = "", kinds: str = "") -> str | None:
    """Where to write a file (start: the name or path offered)."""
    path, _ = QFileDialog.getSaveFileName(parent, title, start, kinds)
    return path or None


def choose_pdf(parent: QWidget, title: str, name: str = "passes.pdf") -> str | None:
    """Where to write a PDF (pass cards, a visitor's card)."""
    return choose_save(parent, title, name, PDF)


def choose_folder(parent: QWidget, title: str) -> str | None:
    return QFileDialog.getExistingDirectory(parent, title) or None


def choose_camera_source(parent: QWidget, title: str) -> str | None:
    """A folder of images, or else (cancelled) a video file: the camera settings' 'file' choice."""
    return choose_folder(parent, title) or choose_open(parent, title)
