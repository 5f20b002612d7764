"""Put sync into the gate window without the window knowing about it.

`attach_sync(window, sync_service)` adds the status widget to the status bar, Ctrl+U for the
USB export dialog, Ctrl+Shift+P to pair by pasting the server's QR text, pairing when the
camera reads a pairing QR (through the window's payload_hooks, so the window does not also
show 未识别; kept and used later when the server cannot be reached), and stops the sync
attempts when the window closes.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QInputDialog, QMainWindow

from app.i18n import t
from app.sync.identity import ENROL_SCHEME
from app.sync.service import SyncService
from ui.sync.bundle_dialog import BundleExportDialog
from ui.sync.status import SyncStatusWidget


class SyncAttachment(QObject):
    def __init__(
        self, window: QMainWindow, service: SyncService, lang: str, online_interval_ms: int = 5_000
    ) -> None:
        super().__init__(window)
        self.window = window
        self.service = service
        self.lang = lang
        self.widget = SyncStatusWidget(service, lang=lang, online_interval_ms=online_interval_ms)
        settings = getattr(window, "settings", None)
        if settings is not None:  # #16: the gate's sync mode, read at each use
            self.widget.usb_mode = lambda: settings.get("sync_mode") == "usb"
        window.statusBar().addPermanentWidget(self.widget)
        hooks = getattr(window, "retranslate_hooks", None)
        if hooks is not None:
            hooks.append(self.set_lang)
        self.dialog: BundleExportDialog | None = None
        self.shortcuts = []
        for key, slot in (("Ctrl+U", self.open_usb_export), ("Ctrl+Shift+P", self.pair_by_paste)):
            sc = QShortcut(QKeySequence(key), window)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(slot)
            self.shortcuts.append(sc)
        hooks = getattr(window, "payload_hooks", None)
        if isinstance(hooks, list):
            # the window asks before classifying a code, so a pairing QR is never 未识别
            hooks.append(self.consume_payload)
        else:
            camera = getattr(window, "camera", None)
            if camera is not None and hasattr(camera, "worker"):
                camera.worker.scanned.connect(self.on_scanned)
        window.installEventFilter(self)

    @Slot()
    def set_lang(self, lang: str) -> None:
        self.lang = lang
        self.widget.set_lang(lang)

    def open_usb_export(self) -> BundleExportDialog:
        self.dialog = BundleExportDialog(self.service, self.lang, self.window)
        self.dialog.open()
        return self.dialog

    @Slot()
    def pair_by_paste(self) -> None:
        text, ok = QInputDialog.getText(self.window, t("sync_now", self.lang), "gatepost://enrol?…")
        if ok and text.strip():
            self.widget.enrolRequested.emit(text.strip())

    @Slot(object)
    def on_scanned(self, result: Any) -> None:
        self.consume_payload(str(getattr(result, "text", "")))

    def consume_payload(self, text: str) -> bool:
        """A pairing QR: pair off the GUI thread and tell the window it was taken care of."""
        if not text.strip().startswith(f"{ENROL_SCHEME}://enrol?"):
            return False
        self.widget.enrolRequested.emit(text.strip())
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.widget.shutdown()
        return False


def attach_sync(
    window: QMainWindow, service: SyncService, lang: str = "zh", online_interval_ms: int = 5_000
) -> SyncAttachment:
    """online_interval_ms: the pause between attempts while the server answers (0: only by
    hand, for tests); while it does not, the client's backoff decides."""
    return SyncAttachment(window, service, lang, online_interval_ms)
