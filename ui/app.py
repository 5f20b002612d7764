"""Start the GUI: application, fonts, crash hook, database, camera, window."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from app.database import open_database
from app.errors import KnownError
from app.gate.service import GateService
from app.i18n import t

from .camera import CameraController
from .main_window import MainWindow
from .shift_wiring import install_shift_features
from .style import apply_style

log = logging.getLogger(__name__)


def install_excepthook(window_ref: list[MainWindow]) -> None:
    """An uncaught exception is logged and told to the volunteer; the gate keeps running."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        log.error("uncaught exception", exc_info=(kind, value, tb))
        if window_ref:
            try:
                window_ref[0].show_message(t("bug", window_ref[0].lang), error=True)
            except Exception:
                pass

    sys.excepthook = hook


def run_gui(data_dir: Path, camera: str | None = None, lang: str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Gatepost")
    app.setApplicationDisplayName("门岗通 Gatepost")
    apply_style(app)  # type: ignore[arg-type]
    try:
        gdb = open_database(data_dir)
    except KnownError as exc:
        QMessageBox.critical(None, "门岗通 Gatepost", exc.message(lang or "zh"))
        return 1
    service = GateService(gdb)
    ui_lang = lang or str(service.settings.get("language"))
    spec = camera or str(service.settings.get("camera_source"))
    from .roster_gate import camera_factory  # issue #4: demo camera shows resident passes

    controller = CameraController(spec, source_factory=camera_factory(spec, gdb, service.clock))
    window = MainWindow(service, controller, lang=ui_lang)
    from .roster_gate import install_roster  # issue #4: passes, watchlist, roster (F6)

    window.roster_hook = install_roster(window, gdb)  # type: ignore[attr-defined]
    install_shift_features(window)  # #5: sign-in/handover, log, stats, export, officer PIN
    install_excepthook([window])
    from app.sync.service import SyncService  # issue #6: status bar, 立即同步, Ctrl+U USB export

    from .sync_wiring import attach_sync

    # max_attempts=0: a run keeps retrying with backoff (2 s … 10 min) on its own thread
    attach_sync(window, SyncService(gdb.path, max_attempts=0), window.lang)
    warning = gdb.warning()
    if warning is not None:
        window.show_message(warning.message(window.lang), error=True)
    window.showMaximized()
    controller.start()
    code = app.exec()
    controller.stop()
    gdb.close()
    return int(code)
