"""Passes for everyone or one building, from the window (#16; `main.py print-passes`).

The cards are signed on the GUI thread (the one writer), the PDF is drawn by the background
runner (ui/common/runner.py) so the desk keeps scanning while a building's sheets are made.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QVBoxLayout, QWidget

from app.errors import KnownError
from app.i18n import t
from app.roster.printing import pass_cards
from app.roster.service import RosterService
from app.settings import Settings
from ui.common.buttons import ok_cancel
from ui.common.runner import Task, pool, run_in_background
from ui.roster.pass_print import write_pdf


class BuildingDialog(QDialog):
    """全部 or one building of the roster."""

    def __init__(self, buildings: list[str], lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(t("admin_print", lang))
        self.combo = QComboBox()
        self.combo.setObjectName("building")
        self.combo.addItem(t("admin_print_all", lang), None)
        for b in buildings:
            self.combo.addItem(t("admin_print_building", lang, building=b), b)
        buttons = ok_cancel(self, lang, accept=False)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        for w in (QLabel(t("admin_print_which", lang)), self.combo, buttons):
            layout.addWidget(w)

    def building(self) -> str | None:
        data = self.combo.currentData()
        return None if data is None else str(data)


class PassPrinter(QObject):
    """Signs the cards now, draws the PDF in the background; `finished` says how it went."""

    finished = Signal(str)  # the message for the window
    failed = Signal(str)

    def __init__(self, gdb: Any, clock: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.gdb, self.clock = gdb, clock
        self.task: Task | None = None

    def buildings(self) -> list[str]:
        rows = RosterService(self.gdb, self.clock).all()
        return sorted({str(r["building"]) for r in rows if r.get("building")})

    def start(self, building: str | None, out: str, lang: str) -> None:
        if self.task is not None:
            raise KnownError("admin_print_busy")
        settings = Settings(self.gdb.conn)
        cards = pass_cards(
            self.gdb.conn,
            self.clock,
            str(settings.get("checkpoint_name")),
            int(settings.get("pass_valid_days")),
            building,
            None,
            who=str(settings.get("volunteer")) or "-",
        )
        if not cards:
            if building is not None:
                raise KnownError("print_no_building", building=building)
            raise KnownError("print_no_residents")
        self.lang, self.out, self.count = lang, out, len(cards)
        self.task = run_in_background(
            lambda ctx: write_pdf(cards, out, lang=lang, progress=ctx.progress),
            on_done=self._done,
            on_error=self._failed,
            lang=lang,
            parent=self,
            name="admin pass PDF",
        )

    def stop(self) -> None:
        """Let a PDF being drawn finish (the window is closing): no half file is left."""
        if self.task is not None:
            pool().waitForDone(30_000)
            self.task = None

    def _done(self, pages: object) -> None:
        self.task = None
        text = t("print_done", self.lang, cards=self.count, pages=pages, path=self.out)
        self.finished.emit(text)

    def _failed(self, text: str, _exc: BaseException) -> None:
        self.task = None
        self.failed.emit(text)
