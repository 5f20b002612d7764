"""The first-run wizard in the window (#16): the checkpoint and compound, the officer PIN (or
稍后设置), the camera with a live preview, how records reach the server, the roster.

Big type and buttons for a touch screen; keyboard only works too (Tab, arrows, Enter for
下一步). The steps' rules and what is stored are app/setup/steps.py; every choice can be
changed later in 设置 or 管理 F12. ui/app.py calls run_first_start(window) once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
)

from app.errors import KnownError
from app.i18n import t
from app.officer import OfficerAuth
from app.scan.sources import FrameSource, make_source
from app.setup.steps import STEPS, SetupState, apply_setup, needs_setup
from ui.setup.pages import CameraPage, Page, PinPage, PlacePage, RosterPage, SyncPage
from ui.setup.preview import CameraPreview, list_webcams

log = logging.getLogger(__name__)

WIZARD_STYLE = """
QWidget { font-size: 20px; }
QLabel#setup_title { font-size: 30px; font-weight: bold; }
QLabel#setup_step { color: #455a64; }
QLabel#setup_error { color: #c62828; font-weight: bold; }
QPushButton { min-height: 52px; padding: 4px 24px; }
QLineEdit { min-height: 44px; font-size: 24px; }
QRadioButton, QCheckBox { min-height: 48px; }
QRadioButton::indicator, QCheckBox::indicator { width: 28px; height: 28px; }
"""


class SetupWizard(QDialog):
    """One page a step over the gate window; 完成 stores everything (apply_setup) and hands
    the pairing code to the sync feature."""

    def __init__(
        self,
        window: Any,
        webcams: list[str] | None = None,
        source_factory: Callable[[str], FrameSource] = make_source,
    ) -> None:
        super().__init__(window)
        self.gate = window
        self.lang = lang = window.lang
        self.setWindowTitle(t("setup_title", lang))
        self.setStyleSheet(WIZARD_STYLE)
        self.resize(1180, 640)  # inside a 1366×690 client area
        gdb = window.service.gdb
        self.officer = OfficerAuth(gdb, window.service.clock)
        settings = window.settings
        webcams = list_webcams() if webcams is None else webcams
        camera = str(settings.get("camera_source"))
        if camera == "auto":  # 'auto' is webcam 0: name it, or let the volunteer pick
            camera = "0" if webcams else ""
        self.state = SetupState(
            checkpoint_name=str(settings.get("checkpoint_name")),
            compound_name=str(settings.get("compound_name")),
            pin_exists=self.officer.has_pin(),
            camera_source=camera,
            sync="usb" if settings.get("sync_mode") == "usb" else "",
        )
        self.preview = CameraPreview(source_factory, self)
        app = QApplication.instance()
        if app is not None:  # the application quits with the wizard open: its camera first
            app.aboutToQuit.connect(self.preview.stop)
        self.roster_count = 0
        self.importer: Any = None
        self.pages: dict[str, Page] = {
            "place": PlacePage(lang),
            "pin": PinPage(lang),
            "camera": CameraPage(lang, webcams, self.preview.show),
            "sync": SyncPage(lang),
            "roster": RosterPage(lang, self.open_import),
        }
        camera_page, sync_page = self.pages["camera"], self.pages["sync"]
        assert isinstance(camera_page, CameraPage) and isinstance(sync_page, SyncPage)
        self.preview.labels = [camera_page.preview, sync_page.preview]
        self.preview.pairing.connect(sync_page.read)
        self._build()
        self._show()

    def _build(self) -> None:
        self.step_label = QLabel()
        self.step_label.setObjectName("setup_step")
        self.title = QLabel()
        self.title.setObjectName("setup_title")
        self.stack = QStackedWidget()
        for name in STEPS:
            self.stack.addWidget(self.pages[name])
        self.error = QLabel()
        self.error.setObjectName("setup_error")
        self.error.setWordWrap(True)
        self.back_button = QPushButton(t("setup_back", self.lang))
        self.back_button.setObjectName("setup_back")
        self.back_button.setAutoDefault(False)
        self.back_button.clicked.connect(self.go_back)
        self.next_button = QPushButton()
        self.next_button.setObjectName("setup_next")
        self.next_button.setDefault(True)  # Enter moves on, from any field
        self.next_button.clicked.connect(self.go_next)
        row = QHBoxLayout()
        row.addWidget(self.back_button)
        row.addStretch(1)
        row.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.step_label)
        layout.addWidget(self.title)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.error)
        layout.addLayout(row)

    # ------------------------------------------------------------------ navigation
    @property
    def page(self) -> Page:
        return self.pages[self.state.name]

    def _show(self) -> None:
        state, page = self.state, self.page
        self.stack.setCurrentWidget(page)
        page.load(state)
        self.step_label.setText(t("setup_step", self.lang, n=state.step + 1, total=len(STEPS)))
        self.title.setText(t(page.title, self.lang))
        self.back_button.setEnabled(state.step > 0)
        self.next_button.setText(t("setup_finish" if state.last else "setup_next", self.lang))
        self.error.setText("")
        if state.name == "sync" and state.camera_source:
            self.preview.show(state.camera_source)  # the camera chosen reads the pairing QR
        elif state.name not in ("camera", "sync"):
            self.preview.stop()
        page.first_focus().setFocus()

    def go_next(self) -> None:
        self.page.store(self.state)
        try:
            finished = self.state.next()
        except KnownError as exc:
            self._show()  # on the step that failed (a later check may name an earlier one)
            self.error.setText(exc.message(self.lang))
            return
        if finished:
            self.finish()
        else:
            self._show()

    def go_back(self) -> None:
        self.page.store(self.state)
        self.state.back()
        self._show()

    # ------------------------------------------------------------------ the roster now
    def open_import(self, path: str | None = None) -> Any:
        """The roster's own import dialog (preview, import off the GUI thread, cancel)."""
        from ui.roster.importing import start_import

        roster = self.gate.features["roster"].roster
        self.importer = start_import(roster, self.lang, self, self._imported, path)
        return self.importer

    def _imported(self, result: Any) -> None:
        self.roster_count += int(result.imported)
        page = self.pages["roster"]
        assert isinstance(page, RosterPage)
        page.imported(self.roster_count)

    # ------------------------------------------------------------------ done
    def finish(self) -> None:
        state, window = self.state, self.gate
        try:
            apply_setup(state, window.service.gdb, self.officer)
        except KnownError as exc:
            self.error.setText(exc.message(self.lang))
            return
        self.preview.stop()
        shifts = window.features.get("shifts")
        if shifts is not None:
            shifts.update_pin_status()  # the red 未设置干部密码 when the PIN was put off
        sync = window.features.get("sync")
        if state.sync in ("scan", "paste") and sync is not None:
            sync.widget.enrolRequested.emit(state.pairing_code)  # pairs off the GUI thread
        window.retranslate()  # the title names the checkpoint
        window.show_message(t("setup_done", self.lang, name=state.checkpoint_name))
        if window.camera is not None:
            window._switch_camera(state.camera_source)  # 练习模式: says it starts next time
        log.info("first-run wizard done (camera %s, sync %s)", state.camera_source, state.sync)
        self.accept()

    def done(self, code: int) -> None:  # noqa: D401 - Qt API: every way out stops the camera
        self.preview.stop()
        super().done(code)


def run_first_start(
    window: Any, then: Callable[[], Any] = lambda: None, **kwargs: Any
) -> SetupWizard | None:
    """Open the wizard over the window when this database was never set up (not in 练习模式,
    which only borrows the real settings), modal but without a loop of its own: the window's
    loop runs it, so quitting the application ends it too. `then` (the window's camera) runs
    when the wizard is closed, or at once when there is none: one program holds a webcam."""
    if window.training or not needs_setup(window.service.gdb.conn):
        then()
        return None
    wizard = SetupWizard(window, **kwargs)
    wizard.setModal(True)  # the sign-in waits for it (ui/shifts/feature.py)
    wizard.finished.connect(lambda _code: then())
    wizard.show()
    return wizard
