"""Passes for everyone or one building, from the window (#16; `main.py print-passes`).

The cards are signed on the GUI thread (the one writer), the PDF is drawn on a worker
thread so the desk keeps scanning while a building's sheets are made.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QVBoxLayout, QWidget

from app.errors import KnownError
from app.i18n import t
from app.roster.printing import pass_cards
from app.roster.service import RosterService
from app.settings import Settings
from ui.admin.dialogs import _ok_cancel


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
        buttons = _ok_cancel(self, lang)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        for w in (QLabel(t("admin_print_which", lang)), self.combo, buttons):
            layout.addWidget(w)

    def building(self) -> str | None:
        data = self.combo.currentData()
        return None if data is None else str(data)


class PassPrinter(QObject):
    """Signs the cards now, writes the PDF on its own thread; `finished` says how it went."""

    finished = Signal(str)  # the message for the window
    failed = Signal(str)

    def __init__(self, gdb: Any, clock: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.gdb, self.clock = gdb, clock
        self.thread: QThread | None = None
        self.task: Any = None

    def buildings(self) -> list[str]:
        rows = RosterService(self.gdb, self.clock).all()
        return sorted({str(r["building"]) for r in rows if r.get("building")})

    def start(self, building: str | None, out: str, lang: str) -> None:
        from ui.roster.importing import Task
        from ui.roster.pass_print import write_pdf

        if self.thread is not None:
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
        thread = QThread(self)
        task = Task(lambda progress, cancelled: write_pdf(cards, out, lang=lang, progress=progress))
        task.moveToThread(thread)
        thread.started.connect(task.run)
        task.done.connect(self._done)
        task.failed.connect(self._failed)
        self.thread, self.task = thread, task
        thread.start()

    def stop(self) -> None:
        self._stop_thread()

    def _stop_thread(self) -> None:
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait(10_000)
        self.thread, self.task = None, None

    @Slot(object)
    def _done(self, pages: object) -> None:
        self._stop_thread()
        text = t("print_done", self.lang, cards=self.count, pages=pages, path=self.out)
        self.finished.emit(text)

    @Slot(object)
    def _failed(self, exc: object) -> None:
        self._stop_thread()
        if isinstance(exc, KnownError):
            self.failed.emit(exc.message(self.lang))
        else:
            self.failed.emit(t("bug", self.lang))
