"""The OK / Cancel row every dialog of ours has, in the window's language."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox

from app.i18n import t


def ok_cancel(dialog: QDialog, lang: str, accept: bool = True) -> QDialogButtonBox:
    """OK accepts the dialog (unless accept=False: the dialog checks its fields first)."""
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    box.button(QDialogButtonBox.StandardButton.Ok).setText(t("ok", lang))
    box.button(QDialogButtonBox.StandardButton.Cancel).setText(t("cancel", lang))
    if accept:
        box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box
