"""The roster's part of the gate window: F6 roster, F5 visitor pass, another gate's key QR,
visitors overdue. (Passes and watchlist stops at the desk are the desk's: app/gate/desk.py.)"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QLabel

from app.i18n import t
from app.roster.checks import overdue_inside
from app.roster.service import RosterService
from ui.common.features import Action


class RosterHook(QObject):
    """Owns the roster's part of the window: its buttons, shortcuts and the key-QR hook."""

    def __init__(self, window: Any, roster: RosterService) -> None:
        super().__init__(window)
        self.window = window
        self.roster = roster
        self.dialog: Any = None
        window.payload_hooks.append(self.offer_key)
        self._asking_key = False
        self.button = window.add_action(Action("roster", "roster_button", self.open_roster, "F6"))
        # F5 (next to the roster's F6; Ctrl+V stays paste in the temperature field)
        self.visitor_dialog: Any = None
        self.visitor_button = window.add_action(
            Action("visitor_pass", "visitor_button", self.open_visitor_pass, "F5")
        )
        window.retranslate_hooks.append(self.retranslate)
        self.overdue = QLabel()
        self.overdue.setStyleSheet("color: white; background: #c62828; padding: 2px 8px;")
        window.add_tool_widget(self.overdue)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.update_overdue)
        self.timer.start(30_000)
        self.update_overdue()

    def retranslate(self, lang: str) -> None:
        self.update_overdue()

    def offer_key(self, text: str) -> bool:
        """Another gate's public-key QR held to the camera: ask once, then trust it."""
        from app.errors import KnownError
        from app.roster import keyqr, passes

        if not text.strip().startswith(passes.KEY_PREFIX):
            return False
        lang = self.window.lang
        if self._asking_key:
            return True
        try:
            kid = keyqr.key_id_of_text(text)
        except KnownError as exc:
            self.window.show_message(exc.message(lang), error=True)
            return True
        if passes.is_trusted(self.roster.conn, kid):
            self.window.show_message(t("key_already", lang, key_id=kid))
            return True
        self._asking_key = True
        try:
            answer = self.window.asker.choose(
                t("key_trust_ask", lang, key_id=kid), [("trust", t("key_trust_yes", lang))], lang
            )
        finally:
            self._asking_key = False
        if answer and answer[0] == "trust":
            passes.import_public_key(self.roster.conn, text, self.roster.clock, "scanned")
            self.window.show_message(t("key_imported", lang, key_id=kid))
        return True

    @Slot()
    def update_overdue(self) -> None:
        """Visitors and couriers inside longer than the setting: count, and who in the tip."""
        lang = self.window.lang
        minutes = int(self.roster.settings.get("overdue_minutes"))
        rows = overdue_inside(self.roster.conn, self.roster.clock.now(), minutes)
        self.overdue.setVisible(bool(rows))
        self.overdue.setText(t("overdue_count", lang, count=len(rows)))
        lines = [
            t(
                "overdue_line",
                lang,
                who=r["masked_name"] or t(f"cat_{r['category']}", lang),
                minutes=r["minutes_inside"],
                since=str(r["ts_local"])[11:16],
            )
            for r in rows
        ]
        self.overdue.setToolTip("\n".join(lines))

    @Slot()
    def open_visitor_pass(self) -> None:
        """A fresh form each time: the last visitor's QR must not stay on screen."""
        from ui.roster.visitor import VisitorPassDialog

        if self.visitor_dialog is not None:
            self.visitor_dialog.close()
        self.visitor_dialog = VisitorPassDialog(self.roster, self.window.lang, "", self.window)
        self.visitor_dialog.show()
        self.visitor_dialog.raise_()

    @Slot()
    def open_roster(self) -> None:
        from ui.roster.dialog import RosterDialog

        if self.dialog is None:
            self.dialog = RosterDialog(self.roster, self.window.lang, self.window)
        self.dialog.lang = self.window.lang
        self.dialog.refresh()
        self.dialog.show()
        self.dialog.raise_()


def install_roster(window: Any, gdb: Any) -> RosterHook:
    """Called once by ui/app.py after the window is built."""
    hook = RosterHook(window, RosterService(gdb, window.service.clock))
    window.features["roster"] = hook
    return hook


class TrainingOnly:
    """What a real window gets for 'demo': a source that will not open, so made-up codes
    can never be recorded in the real database (练习模式 is chosen at start, ui/app.py)."""

    fps = 1.0

    def __init__(self, spec: str) -> None:
        self.name = spec

    def open(self) -> None:
        from app.scan.sources import SourceError

        raise SourceError("the demo camera is for training mode only")

    def read(self) -> Any:
        from app.scan.sources import SourceError

        raise SourceError("not open")

    def close(self) -> None:
        pass


def camera_factory(training: Any | None, clock: Any) -> Any:
    """Frame sources for the window. Training mode (the demo camera chosen): the default
    health codes plus passes signed in the training database (a resident under observation
    first, so a newcomer sees the watchlist stop), signed here on the GUI thread, the one
    writer. A real window (training None) signs nothing and has no demo."""
    from app.scan.sources import make_source

    if training is None:
        return lambda name: (
            TrainingOnly(name) if name.strip() in ("", "demo") else make_source(name)
        )
    from app.gate.training import training_cards
    from app.scan.demo import DemoSource

    cards = training_cards(training, clock)
    return lambda name: DemoSource(cards) if name.strip() in ("", "demo") else make_source(name)
