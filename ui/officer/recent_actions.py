"""The recent-passages list under the officer's guard (#5): a timed unmasked view and voiding
an older record. Both ask the officer PIN (which audits them); the last record stays voidable
by the volunteer without it, as with F4."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtWidgets import QHBoxLayout, QPushButton

from app import officer as roles
from app.errors import KnownError
from app.i18n import t
from ui.common.runner import run_guarded
from ui.common.style import ERROR_TEXT

UNMASK_SECONDS = 60
# (window, officer, action, detail) -> True when authorised (and audited)
PinAsker = Callable[[Any, Any, str, dict[str, Any]], bool]


class RecentActions(QObject):
    """显示全部 (unmask for a limited time) and 撤销此条 (void the selected row)."""

    def __init__(
        self,
        window: Any,
        officer: Any,
        ask_pin: PinAsker,
        seconds: float = UNMASK_SECONDS,
        ensure_pin: Callable[[], bool] | None = None,
    ) -> None:
        super().__init__(window)
        self.window, self.officer, self.ask_pin = window, officer, ask_pin
        self.ensure_pin = ensure_pin or officer.has_pin  # no PIN: the set-PIN dialog first
        self.seconds = seconds
        self.unmask_button = self._button("recent_unmask", self.toggle_unmask)
        self.void_button = self._button("recent_void", self.void_selected)
        row = QHBoxLayout()
        row.addWidget(self.unmask_button)
        row.addWidget(self.void_button)
        row.addStretch(1)
        window.recent_box.layout().addLayout(row)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.mask)
        self.retranslate()

    def _button(self, name: str, slot: Callable[[], Any]) -> QPushButton:
        b = QPushButton()
        b.setObjectName(name)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the temperature field keeps the keyboard
        b.clicked.connect(lambda _=False: self._safe(slot))
        return b

    @property
    def lang(self) -> str:
        return str(self.window.lang)

    def retranslate(self) -> None:
        masked = self.window.recent.masked
        self.unmask_button.setText(
            t("unmask_show", self.lang) if masked else t("unmask_hide", self.lang)
        )
        self.void_button.setText(t("void_selected", self.lang))
        # while names are shown in full, the button that hides them stands out
        self.unmask_button.setStyleSheet("" if masked else ERROR_TEXT)

    def _safe(self, fn: Callable[[], Any]) -> None:
        run_guarded(self.window, fn, self.lang)

    def _officer_ok(self, action: str, detail: dict[str, Any]) -> bool:
        if not self.officer.has_pin() and not self.ensure_pin():
            raise KnownError("pin_not_set")  # no PIN, no unguarded privacy or deletion
        return bool(self.ask_pin(self.window, self.officer, action, detail))

    # ----- the unmasked view
    @Slot()
    def toggle_unmask(self) -> None:
        if not self.window.recent.masked:
            self.mask()
            return
        detail = {"view": "recent_passages", "seconds": self.seconds}
        if not self._officer_ok(roles.UNMASKED_VIEW, detail):
            return
        self.window.recent.set_masked(False)
        self.timer.start(int(self.seconds * 1000))
        self.retranslate()
        self.window.show_message(t("unmask_on", self.lang, seconds=int(self.seconds)))

    @Slot()
    def mask(self) -> None:
        """Mask again: when the time is up, or the officer presses 隐藏."""
        self.timer.stop()
        if self.window.recent.masked:
            return
        self.window.recent.set_masked(True)
        self.retranslate()
        self.window.show_message(t("unmask_off", self.lang))

    # ----- voiding a selected record
    @Slot()
    def void_selected(self) -> None:
        service = self.window.service
        passage_id = self.window.recent.selected_id()
        if passage_id is None:
            raise KnownError("void_select_first")
        target = service.voidable(passage_id)  # unknown or already voided: said at once
        reason = self._ask_reason()
        if reason is None:
            return
        if not service.is_last(passage_id):
            detail = {
                "target_id": passage_id,
                "target_time": target["ts_local"],
                "reason": reason,
            }
            if not self._officer_ok(roles.VOID_OLDER, detail):
                return
        service.void(passage_id, reason)
        when = str(target["ts_local"])[11:19]
        self.window.show_message(t("void_done", self.lang, time=when))
        self.window.refresh()

    def _ask_reason(self) -> str | None:
        lang = self.lang
        choices = [
            ("void_wrong_entry", t("void_wrong_entry", lang)),
            ("void_duplicate", t("void_duplicate", lang)),
            ("other", t("reason_other", lang)),
        ]
        answer = self.window.asker.choose(t("undo_reason", lang), choices, lang, note_for={"other"})
        if not answer:
            return None
        key, note = answer
        if key == "other":
            if not str(note or "").strip():
                raise KnownError("note_required")
            return str(note).strip()
        return t(key, "zh") + (f"：{note}" if note else "")
