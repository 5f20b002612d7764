"""Start the GUI: application, fonts, crash hook, database, camera, window."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtWidgets import QApplication, QMessageBox

from app.database import open_database
from app.errors import KnownError
from app.gate.service import GateService
from app.i18n import t
from ui.common.style import apply_style
from ui.gate.backfill_dialog import attach_backfill
from ui.gate.clock_alarm import attach_clock_alarm
from ui.gate.window import MainWindow
from ui.scan.camera import CameraController
from ui.shifts.feature import install_shift_features

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


def install_features(window: MainWindow, gdb: Any, sync_attempts: int = 0) -> None:
    """Everything built on the gate desk: roster and passes (#4), shifts, officer and
    reports (#5), sync status and USB (#6). The one place the window is assembled."""
    from app.sync.service import SyncService
    from ui.roster.feature import install_roster
    from ui.sync.feature import attach_sync

    install_roster(window, gdb)
    install_shift_features(window)
    attach_clock_alarm(window)  # #17: 系统时间异常
    attach_backfill(window)  # #17: 补录 F11
    # max_attempts=0: a run keeps retrying with backoff (2 s … 10 min) on its own thread
    window.features["sync"] = attach_sync(
        window, SyncService(gdb.path, max_attempts=sync_attempts), window.lang
    )


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
    from ui.roster.feature import camera_factory  # issue #4: demo camera shows resident passes

    controller = CameraController(spec, source_factory=camera_factory(spec, gdb, service.clock))
    window = MainWindow(service, controller, lang=ui_lang)
    install_features(window, gdb)
    install_excepthook([window])
    warning = gdb.warning()
    if warning is not None:
        window.show_message(warning.message(window.lang), error=True)
    window.showMaximized()
    controller.start()
    code = app.exec()
    controller.stop()
    gdb.close()
    return int(code)
