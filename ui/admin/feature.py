"""管理 F12 (#16): what the README called command-line only, in the window.

Pairing by paste, the USB bundle (export and the server's ack), passes for everyone or a
building, another gate's public key
from a file, purge now, the officer PIN and the language. The officer PIN is asked where
the command line asks for it: the purge when unsynced or unexported data would go, and the
current PIN before a new one. The command line keeps every one of them for scripts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QDialog, QWidget

from app.errors import KnownError
from app.i18n import t
from app.officer import OfficerAuth
from app.retention import RetentionService
from app.roster import keyqr
from ui.admin.dialogs import AdminDialog, ChangePinDialog, PastePairDialog
from ui.admin.printing import BuildingDialog, PassPrinter
from ui.common import files
from ui.common.features import Action
from ui.common.runner import run_guarded

log = logging.getLogger(__name__)
FileChooser = Callable[[QWidget, str], "str | None"]  # (parent, title) -> path or None
PinVerifier = Callable[[QWidget, Any], "str | None"]


def verify_pin_dialog(parent: QWidget, officer: Any) -> str | None:
    from ui.shifts.feature import verify_pin_dialog as shift_verify

    return shift_verify(parent, officer)


class AdminFeature(QObject):
    """The 管理 button and its tasks; dialogs go through open_dialog so tests can answer."""

    def __init__(
        self,
        window: Any,
        open_dialog: Callable[[QDialog], Any] | None = None,
        choose_file: FileChooser | None = None,
        verify_pin: PinVerifier | None = None,
        choose_pdf: FileChooser | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        gdb, self.clock = window.service.gdb, window.service.clock
        self.conn = gdb.conn
        self.officer = OfficerAuth(gdb, self.clock)
        self.retention = RetentionService(gdb, self.clock)
        self.open_dialog = open_dialog or (lambda dlg: dlg.exec())
        self.choose_file = choose_file or files.choose_open
        self.verify_pin = verify_pin or verify_pin_dialog
        self.choose_pdf = choose_pdf or files.choose_pdf
        self.printer = PassPrinter(gdb, self.clock, self)
        self.printer.finished.connect(lambda text: self.window.show_message(text))
        self.printer.failed.connect(lambda text: self.window.show_message(text, error=True))
        self.button = window.add_action(Action("admin", "admin_title", self.open, "F12"))
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.printer.stop()  # a PDF being drawn is finished before the window goes
        return False

    def tasks(self) -> list[tuple[str, str, Callable[[], Any]]]:
        return [
            ("pair", "admin_pair", self.pair_by_paste),
            ("usb", "admin_usb", self.usb),
            ("print", "admin_print", self.print_passes),
            ("key", "admin_key", self.import_key),
            ("purge", "admin_purge", self.purge_now),
            ("pin", "admin_pin", self.change_pin),
            ("salvage", "admin_salvage", self.salvage),
            ("language", "admin_language", self.window.toggle_language),
        ]

    def open(self) -> AdminDialog:
        dlg = AdminDialog(self.tasks(), self.window.lang, self.window)
        if self.open_dialog(dlg) == QDialog.DialogCode.Accepted and dlg.chosen is not None:
            self._safe(dlg.chosen)
        return dlg

    def _safe(self, fn: Callable[[], Any]) -> Any:
        return run_guarded(self.window, fn, self.window.lang)  # the runner's one error policy

    def _sync(self) -> Any:
        sync = self.window.features.get("sync")
        if sync is None:
            raise KnownError("admin_no_sync")
        return sync

    # ------------------------------------------------------------------ the tasks
    def pair_by_paste(self) -> None:
        """Pair with the server from the pasted text of its QR (off the GUI thread)."""
        sync = self._sync()
        dlg = PastePairDialog(self.window.lang, self.window)
        if self.open_dialog(dlg) != QDialog.DialogCode.Accepted:
            return
        sync.widget.enrolRequested.emit(dlg.text.text().strip())
        self.window.show_message(t("admin_pair_started", self.window.lang))

    def usb(self) -> None:
        """The USB bundle dialog: export to the stick, import the server's ack."""
        self._sync().open_usb_export()

    def print_passes(self) -> None:
        """Pass cards for everyone or one building, as `main.py print-passes [--building]`."""
        lang = self.window.lang
        dlg = BuildingDialog(self.printer.buildings(), lang, self.window)
        if self.open_dialog(dlg) != QDialog.DialogCode.Accepted:
            return
        out = self.choose_pdf(self.window, t("admin_print", lang))
        if out:
            self.printer.start(dlg.building(), out, lang)
            self.window.show_message(t("admin_print_started", lang))

    def import_key(self) -> None:
        """Trust another gate's pass key: its text file or a picture of its QR."""
        path = self.choose_file(self.window, t("admin_key", self.window.lang))
        if not path:
            return
        key_id = keyqr.import_key_file(self.conn, path, self.clock)
        self.window.show_message(t("key_imported", self.window.lang, key_id=key_id))

    def purge_now(self) -> None:
        """As `main.py purge`: the officer PIN only when unsynced or unexported data would go."""
        lang = self.window.lang
        plan = self.retention.plan()
        if plan.empty:
            self.window.show_message(t("purge_nothing", lang))
            return
        pin = None
        if plan.needs_confirmation:
            if not self._pin_set():
                return
            self.window.show_message(plan.warning().message(lang), error=True)
            pin = self.verify_pin(self.window, self.officer)
            if pin is None:
                return
        result = self.retention.run_daily(pin=pin) if pin else self.retention.run_daily()
        if result is None:
            self.window.show_message(t("purge_nothing", lang))
            return
        passages = result["counts"].get("passages", 0)
        self.window.show_message(t("purge_done", lang, cutoff=result["cutoff"], passages=passages))

    def salvage(self) -> None:
        """Salvage a damaged database with the officer PIN (ui/admin/health.py, #13)."""
        health = self.window.features.get("health")
        if health is None:
            raise KnownError("admin_no_health")
        health.salvage(self.verify_pin)

    def change_pin(self) -> None:
        """Set the officer PIN, or change it given the current one (as `main.py set-pin`)."""
        dlg = ChangePinDialog(self.officer, self.window.lang, self.window)
        if self.open_dialog(dlg) == QDialog.DialogCode.Accepted:
            self.window.show_message(t("pin_set_done", self.window.lang))
            shifts = self.window.features.get("shifts")
            if shifts is not None:
                shifts.update_pin_status()  # the red 未设置干部密码 goes

    def _pin_set(self) -> bool:
        """No officer PIN yet: the window's set-PIN dialog first (ui/shifts/feature.py)."""
        guard = self.window.guards.get("pin_set")
        return bool(guard()) if guard is not None else self.officer.has_pin()


def install_admin(window: Any, **kwargs: Any) -> AdminFeature:
    feature = AdminFeature(window, **kwargs)
    window.features["admin"] = feature
    return feature
