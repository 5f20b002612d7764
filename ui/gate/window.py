"""The gate desk window: it forwards scans, keys and answers to the desk (app/gate/desk.py)
and paints what the desk says. It keeps no desk logic of its own."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import QLabel, QMainWindow, QPushButton, QWidget

from app import gate_code
from app.gate.desk import CATEGORY_KEYS, Desk, Dialog, Step
from app.gate.desk_view import render
from app.gate.people import Person
from app.gate.rules import CATEGORIES
from app.gate.service import GateService
from app.gate.training import is_training
from app.i18n import t
from app.scan.types import ScanResult
from ui.common.features import Action
from ui.common.qt_language import use_qt_language
from ui.common.runner import run_guarded
from ui.common.sound import Sounds
from ui.common.style import ERROR_TEXT
from ui.gate.dialogs import Asker, SettingsValues
from ui.gate.layout import build, button, relabel, show_camera_status, training_banner
from ui.gate.questions import question

log = logging.getLogger(__name__)
# keys the desk understands, and the window's shortcut for each
DESK_KEYS = ("F1", "F2", "F3", "F4", "Esc", "Ctrl+R", "Ctrl+Y", *CATEGORY_KEYS)


def guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """Known errors become a message in the window; bugs are logged and the gate goes on."""

    @functools.wraps(method)
    def wrapper(self: MainWindow, *args: Any, **kwargs: Any) -> Any:
        def call() -> Any:
            return method(self, *args, **kwargs)

        call.__qualname__ = method.__qualname__  # the log names the method
        return run_guarded(self, call, self.lang)  # the runner's one error policy (#12)

    return wrapper


class MainWindow(QMainWindow):
    def __init__(
        self,
        service: GateService,
        camera: Any | None = None,
        asker: Any | None = None,
        sounds: Sounds | None = None,
        lang: str | None = None,
        training: bool = False,
        real_settings: Any | None = None,
    ) -> None:
        """training: the desk writes to the training database (练习模式); real_settings: where
        camera_source is kept when this window's own settings are the training database's."""
        super().__init__()
        self.service = service
        self.own_code = gate_code.of_gate(service.conn)  # as the officer page shows it (#15)
        self.settings = service.settings
        self.camera = camera
        self.asker = asker or Asker(self)
        self.sounds = sounds or Sounds(self)
        self.lang = lang or str(self.settings.get("language"))
        self.desk = Desk(service, lang=self.lang)
        # codes meant for another part of the app (a pairing QR #6, another gate's public key #4):
        # the desk asks each hook first; one returning True took it
        self.payload_hooks: list[Callable[[str], bool]] = self.desk.payload_hooks
        # features re-label their own widgets when the language changes (called with the lang)
        self.retranslate_hooks: list[Callable[[str], None]] = []
        # an action a feature guards (officer PIN): name -> check; False stops the action
        self.guards: dict[str, Callable[[], bool]] = {}
        # the features attached through ui/common/features.py, by name (roster, shifts, sync)
        self.features: dict[str, object] = {}
        self._shown_message: object = None
        self.training = training
        self.real_settings = real_settings
        self._build()
        self.training_label: QLabel | None = None
        if training:
            self._build_training_banner()
        self._shortcuts()
        self.retranslate()
        self.refresh()
        self._tick = QTimer(self)
        self._tick.timeout.connect(self._on_tick)
        self._tick.start(1000)
        if camera is not None:
            camera.worker.frame.connect(self.on_frame)
            camera.worker.scanned.connect(self.on_scanned)
            camera.worker.status.connect(self.on_camera_status)
        self.resize(1366, 690)

    # the person at the desk and the sticky choices live in the desk
    @property
    def current(self) -> Person | None:
        return self.desk.current

    @property
    def direction(self) -> str:
        return self.desk.direction

    @property
    def category(self) -> str:
        return self.desk.category

    @property
    def debouncer(self) -> Any:
        return self.desk.debouncer

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        build(self)  # ui/gate/layout.py: the widgets become this window's attributes

    def _button(
        self, text: str, slot: Callable[[], Any], checkable: bool = False, name: str | None = None
    ) -> QPushButton:
        return button(text, slot, checkable, name)

    def _shortcuts(self) -> None:
        self._shortcut_objs = []
        for key in DESK_KEYS:
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(functools.partial(self.press, key))
            self._shortcut_objs.append(sc)

    def retranslate(self) -> None:
        lang = self.lang
        self.desk.lang = lang
        use_qt_language(lang)  # Qt's own OK / Cancel in the window's language
        relabel(self, lang)  # ui/gate/layout.py: the desk's own widgets
        self._update_volunteer()
        self.counters.retranslate(lang)
        self.recent.retranslate(lang)
        self.action_bar.retranslate(lang)
        for hook in self.retranslate_hooks:
            hook(lang)
        self.fever_box.setTitle(f"⚠ {t('fever_waiting', lang)}")
        self.recent_box.setTitle(t("recent", lang))
        self._shown_message = None
        self.render()
        self.refresh()

    # ------------------------------------------------------------------ the extension point
    def add_action(self, action: Action) -> QPushButton:
        """A feature's button (and key) in the tool row, relabelled with the language."""
        return self.action_bar.add(action, self.lang)

    def add_tool_widget(self, widget: QWidget) -> None:
        """A feature's indicator in the tool row (e.g. visitors overdue)."""
        self.action_bar.insert(widget)

    def _update_volunteer(self) -> None:
        name = self.service.volunteer
        shown = name if name and name != "-" else t("no_volunteer", self.lang)
        self.volunteer_label.setText(f"{t('volunteer', self.lang)}：{shown}")
        self.volunteer_label.setStyleSheet("" if name not in ("", "-") else "color: #c62828;")

    # ------------------------------------------------------------------ camera
    @Slot(QImage)
    def on_frame(self, image: QImage) -> None:
        pix = QPixmap.fromImage(image).scaled(
            self.preview.size(),
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.FastTransformation,
        )
        self.preview.setPixmap(pix)

    @Slot(str, str)
    def on_camera_status(self, state: str, source: str) -> None:
        self.camera_state = state
        show_camera_status(self, state, source)

    @Slot(object)
    @guarded
    def on_scanned(self, result: ScanResult) -> None:
        self._apply(self.desk.scan(result.text, result.color, source="camera"))

    @guarded
    def handle_payload(self, text: str, color: str) -> None:
        """A code handed over whole (a keyboard-wedge scanner's text, a test): no debounce."""
        self._apply(self.desk.scan(text, color, source="wedge", debounce=False))

    # ------------------------------------------------------------------ events to the desk
    @guarded
    def press(self, key: str) -> None:
        """A desk key (F1–F4, Esc, Enter, Ctrl+R, Ctrl+Y, Ctrl+1…5) from keyboard or button."""
        field = self.temperature
        self.desk.set_typed(field.take_typed() if key == "Enter" else field.text())
        if key == "Esc":
            field.forget_keys()
        self._apply(self.desk.key(key))

    @guarded
    def on_refused_keys(self) -> None:
        """The field refused a key, a paste or an input-method commit: the desk says why."""
        self._apply(self.desk.refuse_keys())

    def on_enter(self) -> None:
        self.press("Enter")

    def reset_person(self) -> None:
        self.press("Esc")

    def manual_entry(self) -> None:
        self.press("F3")

    def undo(self) -> None:
        self.press("F4")

    def refuse(self) -> None:
        self.press("Ctrl+R")

    def override_yellow(self) -> None:
        self.press("Ctrl+Y")

    def set_direction(self, direction: str) -> None:
        self.press("F1" if direction == "in" else "F2")

    def set_category(self, category: str) -> None:
        self.press(f"Ctrl+{CATEGORIES.index(category) + 1}")

    @Slot(str)
    @guarded
    def retest(self, fever_id: str) -> None:
        self._apply(self.desk.retest(fever_id))

    def _apply(self, step: Step) -> None:
        """Play what the step says, ask its question (answers are steps too), then paint."""
        if step.sound:
            self.sounds.play(step.sound)
        if step.ask is not None:
            answer = self._question(step.ask)
            self._apply(self.desk.answer(step.ask.id, answer))
            return
        if step.record is not None or step.outcome in ("recorded", "fever", "voided"):
            self.refresh()
        self.render()

    def _question(self, dialog: Dialog) -> Any:
        return question(self, dialog)  # ui/gate/questions.py

    def quick_temp(self, value: float) -> None:
        self.temperature.setText(f"{value:.1f}")
        self.temperature.setFocus()

    @Slot(str)
    def on_keypad(self, key: str) -> None:
        if key == "back":
            self.temperature.backspace()
        else:
            self.temperature.insert(key)
        self.temperature.setFocus()

    @guarded
    def ask_volunteer(self) -> None:
        name = self.asker.text(t("volunteer_prompt", self.lang), self.lang)
        if name:
            self.settings.set("volunteer", name)
            self._update_volunteer()

    @guarded
    def open_settings(self) -> None:
        guard = self.guards.get("settings")
        if guard is not None and not guard():
            return
        s = self.settings
        values = SettingsValues(
            str(s.get("camera_source")),
            float(s.get("fever_threshold")),
            int(s.get("retest_rest_seconds")),
            float(s.get("debounce_seconds")),
            str(s.get("checkpoint_name")),
            str(s.get("checkpoint_id")),
            str(s.get("volunteer")),
            str(s.get("compound_name")),
            str(s.get("sync_mode")),
        )
        new = self.asker.settings(values, self.lang)
        if new is None:
            return
        for key, value in vars(new).items():
            s.set(key, value)
        if self.real_settings is not None:
            self.real_settings.set("camera_source", new.camera_source)
        self.desk.debouncer.window_seconds = new.debounce_seconds
        self.retranslate()
        if new.camera_source != values.camera_source:
            self._switch_camera(new.camera_source)

    def _switch_camera(self, spec: str) -> None:
        """Another webcam or file at once; into or out of 练习模式 only on the next start, as
        the two modes write to different databases (demo codes never reach the real one)."""
        if is_training(spec) != self.training:
            code = "training_restart_off" if self.training else "training_restart_on"
            self.show_message(t(code, self.lang, camera=spec), error=True)
            return
        if self.camera is not None:
            self.camera.set_source(spec)

    def toggle_language(self) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"
        self.settings.set("language", self.lang)
        self.retranslate()

    def _build_training_banner(self) -> None:
        """练习模式: a wide band over the whole window, in both languages, never hidden."""
        self.training_label = training_banner(self)
        self.retranslate_hooks.append(self._retitle_training)

    def _retitle_training(self, lang: str) -> None:
        self.setWindowTitle(f"【{t('training_mode', lang)}】{self.windowTitle()}")

    # ------------------------------------------------------------------ display
    def render(self) -> None:
        """Paint the desk: banner, 下一位, the typed temperature, sticky choices, message."""
        desk = self.desk
        rest = int(self.settings.get("retest_rest_seconds"))
        view = render(desk, self.lang, rest)
        if (self.banner.state, self.banner.title.text(), self.banner.detail.text()) != (
            view.banner,
            view.title,
            view.detail,
        ):
            self.banner.show_state(view.banner, view.title, view.detail)
        self.next_label.setText(view.next_up)
        self.next_label.setVisible(bool(view.next_up))
        if self.temperature.text() != desk.typed:
            self.temperature.setText(desk.typed)
        self.dir_buttons[desk.direction].setChecked(True)
        self.cat_buttons[desk.category].setChecked(True)
        if desk.message is not self._shown_message:
            self._shown_message = desk.message
            self.show_message(view.message, view.error)
        self.temperature.setFocus()

    def show_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_TEXT if error else "color: #1b5e20;")

    @guarded
    def refresh(self) -> None:
        self.counters.set_counts(self.service.today())
        self.recent.set_rows(self.service.recent(50), self.service.clock.now().date())
        self._refresh_fevers()

    def _refresh_fevers(self) -> None:
        fevers = self.service.pending_fevers()
        due = {f["id"]: self.service.retest_due_at(f) for f in fevers}
        self.fevers.set_fevers(fevers, due, self.service.clock.now(), self.lang)
        self.fever_box.setVisible(bool(fevers))

    @guarded
    def _on_tick(self) -> None:
        self.clock_label.setText(self.service.clock.now().strftime("%H:%M:%S"))
        if self.fevers.count():
            self._refresh_fevers()
        if self.desk.flash is not None:
            self.render()  # the last outcome gives way to 请出示健康码
        if self.service.clock.now().second == 0:
            self.refresh()  # midnight rolls the counters over

    def busy(self) -> bool:
        """Someone is still being handled: at the desk, waiting, or resting for a re-test."""
        return self.desk.current is not None or bool(self.service.pending_fevers())

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        if (
            self.isVisible()
            and self.busy()
            and not self.asker.confirm(t("close_confirm", self.lang), self.lang)
        ):
            event.ignore()
            return
        self._tick.stop()
        if self.camera is not None:
            self.camera.stop()
        super().closeEvent(event)
