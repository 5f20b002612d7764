"""Wire the roster into the gate window: passes resolve, stops and warnings show, F6 roster."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QPushButton

from app.gate.service import Identity
from app.i18n import t


class RosterHook(QObject):
    """Owns the roster's part of the window; the window only calls two plain hooks."""

    def __init__(self, window: Any, desk: Any) -> None:
        super().__init__(window)
        self.window = window
        self.desk = desk
        self.dialog: Any = None
        window.pass_resolver = self.resolve
        window.gate_checker = self.check
        window.payload_hooks.append(self.offer_key)
        self._asking_key = False
        self.button = QPushButton(f"{t('roster_title', window.lang)} F6")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.clicked.connect(self.open_roster)
        bar = window.tool_bar
        bar.insertWidget(max(0, bar.count() - 1), self.button)  # before the closing stretch
        self.shortcut = QShortcut(QKeySequence("F6"), window)
        self.shortcut.activated.connect(self.open_roster)
        # F5 (next to the roster's F6; Ctrl+V stays paste in the temperature field)
        self.visitor_dialog: Any = None
        self.visitor_button = QPushButton(f"{t('visitor_pass_button', window.lang)} F5")
        self.visitor_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.visitor_button.clicked.connect(self.open_visitor_pass)
        bar.insertWidget(max(0, bar.count() - 1), self.visitor_button)
        self.visitor_shortcut = QShortcut(QKeySequence("F5"), window)
        self.visitor_shortcut.activated.connect(self.open_visitor_pass)
        window.retranslate_hooks.append(self.retranslate)
        self.overdue = QLabel()
        self.overdue.setStyleSheet("color: white; background: #c62828; padding: 2px 8px;")
        bar.insertWidget(max(0, bar.count() - 1), self.overdue)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.update_overdue)
        self.timer.start(30_000)
        self.update_overdue()

    def retranslate(self, lang: str) -> None:
        self.button.setText(f"{t('roster_title', lang)} F6")
        self.visitor_button.setText(f"{t('visitor_pass_button', lang)} F5")
        self.update_overdue()

    def resolve(self, text: str) -> tuple[Identity | None, Any]:
        """A scanned pass → (the person, None), or (whoever it names, PassRefusal) when refused
        (expired, revoked, forged, other key, moved out): the window records it on Enter."""
        from app.roster.desk import refusal_of

        view = self.desk.scan(text, self.window.direction)
        check = view.check
        if check is None:
            return None, "code_unrecognised"
        if not check.ok:
            return view.identity, refusal_of(check, self.window.lang)
        return view.identity, None

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
        if passes.is_trusted(self.desk.gate.conn, kid):
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
            passes.import_public_key(self.desk.gate.conn, text, self.desk.gate.clock, "scanned")
            self.window.show_message(t("key_imported", lang, key_id=kid))
        return True

    def check(self, current: dict[str, Any], direction: str) -> list[Any]:
        return self.desk.alerts(
            current["identity"], direction, current.get("payload_kind"), current.get("payload_text")
        )

    @Slot()
    def update_overdue(self) -> None:
        """Visitors and couriers inside longer than the setting: count, and who in the tip."""
        lang = self.window.lang
        rows = self.desk.overdue()
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
        self.visitor_dialog = VisitorPassDialog(self.desk.roster, self.window.lang, "", self.window)
        self.visitor_dialog.show()
        self.visitor_dialog.raise_()

    @Slot()
    def open_roster(self) -> None:
        from ui.roster.dialog import RosterDialog

        if self.dialog is None:
            self.dialog = RosterDialog(self.desk.roster, self.window.lang, self.window)
        self.dialog.lang = self.window.lang
        self.dialog.refresh()
        self.dialog.show()
        self.dialog.raise_()


def install_roster(window: Any, gdb: Any) -> RosterHook:
    """Called once by ui/app.py after the window is built."""
    from app.roster.desk import RosterDesk
    from app.roster.service import RosterService

    desk = RosterDesk(window.service, RosterService(gdb, window.service.clock))
    return RosterHook(window, desk)


def camera_factory(spec: str, gdb: Any, clock: Any) -> Any:
    """For the demo camera: the default health codes plus resident passes signed here
    (a resident under observation first, so a newcomer sees the watchlist stop)."""
    from app.scan.sources import make_source

    if spec.strip() not in ("", "auto", "demo"):
        return make_source
    from app.roster.demo import demo_cards_with_passes
    from app.scan.demo import DemoSource

    cards = demo_cards_with_passes(gdb.conn, clock)

    def factory(name: str) -> Any:
        return DemoSource(cards) if name.strip() in ("", "demo") else make_source(name)

    return factory
