"""Start the GUI: application, fonts, crash hook, database, camera, window."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app.clock import Clock
from app.crashlog import install_thread_hook
from app.database import GateDatabase, open_database
from app.errors import KnownError
from app.gate.journal import DeskJournal
from app.gate.service import GateService
from app.gate.training import is_training, open_training, training_dir
from app.i18n import t
from app.paths import RESOURCES
from app.settings import Settings
from ui.common.qtlog import install_qt_log
from ui.common.ready import announce_when_ready
from ui.common.runner import wait_for_all
from ui.common.style import apply_style
from ui.gate.backfill_dialog import attach_backfill
from ui.gate.clock_alarm import attach_clock_alarm
from ui.gate.window import MainWindow
from ui.scan.camera import CameraController
from ui.setup.wizard import run_first_start
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


SYNC_TIMEOUT_S = 6.0  # per socket operation: a silent server shows as 离线 within 10 s


def install_features(
    window: MainWindow, gdb: Any, sync_transport: Any = None, sync: bool = True
) -> None:
    """Everything built on the gate desk: roster and passes (#4), shifts, officer and
    reports (#5), sync status and USB (#6). The one place the window is assembled.
    sync=False (练习模式): nothing of the training database is ever sent or exported."""
    from app.sync.service import SyncService
    from app.sync.transport import HttpTransport
    from ui.admin.feature import install_admin
    from ui.admin.health import attach_db_health
    from ui.roster.feature import install_roster
    from ui.sync.feature import attach_sync

    install_roster(window, gdb)
    install_shift_features(window)
    attach_clock_alarm(window)  # #17: 系统时间异常
    attach_backfill(window)  # #17: 补录 F11
    if not sync:
        # practice records leave the window on no file either: no export (F10), no USB bundle
        window.action_bar.set_enabled("shift_export", False, t("training_no_export", window.lang))
        return
    # short attempts on a timer (#12): one try each, batches to a deadline, then the backoff
    transport = sync_transport or HttpTransport(timeout=SYNC_TIMEOUT_S)
    window.features["sync"] = attach_sync(
        window, SyncService(gdb.path, transport=transport), window.lang
    )
    attach_db_health(window)  # #13: the full check in the background, salvage from 管理
    install_admin(window)  # #16: pairing, USB, keys, purge, PIN, language: F12 管理


@dataclass
class GateSession:
    """One opened desk: the database it writes to (the training one in 练习模式), the real
    one (read for settings), the camera (not started yet), the window and its journal."""

    gdb: GateDatabase
    real: GateDatabase
    controller: CameraController
    window: MainWindow
    journal: DeskJournal
    training: bool

    def close(self) -> None:
        """After the window has closed (run_gui) or for a test: the sync thread ends with the
        window, the camera thread is stopped and waited for, then the files are closed."""
        self.window.close()
        for timer in self.window.findChildren(QTimer):  # no feature reads a closed database
            timer.stop()
        self.controller.stop()
        wait_for_all(10_000)  # background work ends (cancelled) before its database closes
        self.journal.close()
        if self.gdb is not self.real:
            self.gdb.close()
        self.real.close()


def open_session(
    data_dir: Path,
    camera: str | None = None,
    lang: str | None = None,
    sync_transport: Any = None,
    clock: Clock | None = None,
) -> GateSession:
    """Open the database the camera calls for and build the window on it. The demo camera
    is 练习模式: its desk, journal and demo passes live in <data dir>/training/ and the real
    database is only read. KnownError when a database cannot be opened."""
    real = open_database(data_dir)
    spec = camera or str(Settings(real.conn).get("camera_source"))
    training = is_training(spec)
    try:
        gdb = open_training(data_dir, real) if training else real
    except BaseException:
        real.close()
        raise
    service = GateService(gdb, clock)
    ui_lang = lang or str(service.settings.get("language"))
    from ui.roster.feature import camera_factory  # #4: the demo shows resident passes

    factory = camera_factory(gdb if training else None, service.clock)
    controller = CameraController(spec, source_factory=factory)
    window = MainWindow(
        service,
        controller,
        lang=ui_lang,
        training=training,
        real_settings=Settings(real.conn) if training else None,
    )
    install_features(window, gdb, sync_transport, sync=not training)
    journal = DeskJournal(window.desk, training_dir(data_dir) if training else data_dir)
    return GateSession(gdb, real, controller, window, journal, training)


def run_gui(data_dir: Path, camera: str | None = None, lang: str | None = None) -> int:
    install_thread_hook()  # a thread that dies says so in gatepost.log (#12)
    install_qt_log()  # idempotent: cli/gate.py installs it before Qt loads too
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Gatepost")
    app.setApplicationDisplayName(t("app_name", "zh"))
    app.setWindowIcon(QIcon(str(RESOURCES / "icons" / "gatepost.png")))  # #16
    apply_style(app)  # type: ignore[arg-type]
    try:
        session = open_session(data_dir, camera, lang)
    except KnownError as exc:
        QMessageBox.critical(None, t("app_name", "zh"), exc.message(lang or "zh"))
        return 1
    window = session.window
    install_excepthook([window])
    warning = session.real.warning() or session.gdb.warning()
    if warning is not None:
        window.show_message(warning.message(window.lang), error=True)
    announce_when_ready(window)  # "window ready": the cold start bench times to it (#12)
    window.showMaximized()
    # after the first pass of the event loop: the bundle smoke test times the first frame by it
    QTimer.singleShot(0, lambda: log.info("window shown"))
    # #16: a new database is set up first (the wizard), then the camera starts
    run_first_start(window, then=session.controller.start)
    code = app.exec()
    session.close()
    return int(code)
