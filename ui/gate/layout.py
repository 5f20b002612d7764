"""The gate window's widgets and where they sit, sized for a 1366×690 booth screen."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app import gate_code
from app.gate.rules import CATEGORIES
from app.gate.training import is_training
from app.i18n import t
from ui.common.features import ActionBar
from ui.gate.temperature_field import TemperatureField
from ui.gate.widgets import Banner, Counters, FeverList, Keypad, RecentTable

if TYPE_CHECKING:
    from ui.gate.window import MainWindow

# the top bar and the status bar (the features' buttons) are slimmer than the desk's own
# buttons, so the whole window fits a 1366×690 or 1280×680 client area (#10 item 6)
COMPACT = """
QStatusBar QPushButton, QPushButton[compact="true"] { min-height: 28px; padding: 2px 4px; }
QStatusBar QLabel { padding: 0 4px; }
"""
PREVIEW_MIN = (480, 200)  # the camera picture grows into whatever height is left


def button(
    text: str, slot: Callable[[], Any], checkable: bool = False, name: str | None = None
) -> QPushButton:
    """A desk button: it never takes the keyboard from the temperature field."""
    b = QPushButton(text)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    b.setCheckable(checkable)
    if name:
        b.setObjectName(name)
    b.clicked.connect(lambda _=False: slot())
    return b


def build(win: MainWindow) -> None:
    """Top bar, then camera + banner + actions | temperature + keypad | today, then status bar."""
    central = QWidget()
    win.setCentralWidget(central)
    win.setStyleSheet(COMPACT)
    outer = QVBoxLayout(central)
    outer.setContentsMargins(8, 4, 8, 4)
    outer.setSpacing(4)
    _build_top(win, outer)
    # the features' buttons (roster F5/F6, shifts F7-F10, …) sit on the left of the status
    # bar (sync owns its right side), so the window still fits a 1366×768 booth screen
    tools = QWidget()
    win.tool_bar = QHBoxLayout(tools)
    win.tool_bar.setContentsMargins(0, 0, 0, 0)
    win.tool_bar.addStretch(1)
    win.statusBar().addWidget(tools)  # no stretch: the sync status (right) keeps its room
    win.action_bar = ActionBar(win, win.tool_bar)  # the features' row (ui/common/features.py)

    body = QHBoxLayout()
    outer.addLayout(body, 1)
    body.addLayout(_build_left(win), 5)
    body.addLayout(_build_middle(win), 4)
    body.addLayout(_build_right(win), 5)


def _build_top(win: MainWindow, outer: QVBoxLayout) -> None:
    top = QHBoxLayout()
    win.title = QLabel()
    win.title.setStyleSheet("font-size: 26px; font-weight: bold;")
    win.volunteer_label = QLabel()
    win.gate_code_label = QLabel()  # the short code the officer page and the CLI know it by
    win.gate_code_label.setObjectName("gate_code")
    for label in (win.title, win.volunteer_label):
        label.setTextFormat(Qt.TextFormat.PlainText)  # checkpoint and volunteer names as typed
    win.change_volunteer = button("", win.ask_volunteer)
    win.clock_label = QLabel()
    win.camera_label = QLabel()
    win.lang_button = button("", win.toggle_language)
    win.settings_button = button("", win.open_settings)
    for b in (win.change_volunteer, win.lang_button, win.settings_button):
        b.setProperty("compact", True)
    top.addWidget(win.title)
    top.addSpacing(8)
    top.addWidget(win.gate_code_label)
    top.addSpacing(16)
    top.addWidget(win.volunteer_label)
    top.addWidget(win.change_volunteer)
    top.addStretch(1)
    top.addWidget(win.camera_label)
    top.addSpacing(12)
    top.addWidget(win.clock_label)
    top.addWidget(win.lang_button)
    top.addWidget(win.settings_button)
    win.top_bar = top
    outer.addLayout(top)


def _build_left(win: MainWindow) -> QVBoxLayout:
    """Camera, result banner, 下一位, message, and the six action buttons."""
    left = QVBoxLayout()
    left.setSpacing(4)
    win.preview = QLabel()
    win.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
    win.preview.setMinimumSize(*PREVIEW_MIN)
    win.preview.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    win.preview.setStyleSheet("background: #263238; color: #eceff1; border-radius: 8px;")
    left.addWidget(win.preview, 1)
    win.banner = Banner()
    left.addWidget(win.banner)
    # 下一位: a code read while someone is at the desk waits here, never replaces them
    win.next_label = QLabel()
    win.next_label.setObjectName("nextUp")
    win.next_label.setTextFormat(Qt.TextFormat.PlainText)
    win.next_label.setStyleSheet(
        "font-size: 20px; font-weight: bold; background: #fff3e0; color: #e65100;"
        " border: 2px dashed #e65100; border-radius: 6px; padding: 4px 10px;"
    )
    win.next_label.hide()
    left.addWidget(win.next_label)
    win.message = QLabel()
    win.message.setTextFormat(Qt.TextFormat.PlainText)
    win.message.setObjectName("message")
    win.message.setWordWrap(True)
    left.addWidget(win.message)
    actions = QGridLayout()
    win.record_button = button("", win.on_enter, name="primary")
    win.clear_button = button("", win.reset_person)
    win.manual_button = button("", win.manual_entry)
    win.undo_button = button("", win.undo)
    win.refuse_button = button("", win.refuse, name="danger")
    win.override_button = button("", win.override_yellow)
    order = (
        win.record_button,
        win.manual_button,
        win.refuse_button,
        win.clear_button,
        win.undo_button,
        win.override_button,
    )
    for i, b in enumerate(order):
        actions.addWidget(b, i // 3, i % 3)
    left.addLayout(actions)
    return left


def _build_middle(win: MainWindow) -> QVBoxLayout:
    """Temperature field, quick temperatures, keypad, direction and category."""
    mid = QVBoxLayout()
    mid.setSpacing(4)
    win.temp_label = QLabel()
    mid.addWidget(win.temp_label)
    win.temperature = TemperatureField()
    win.temperature.returnPressed.connect(win.on_enter)
    win.temperature.inputRejected.connect(win.on_refused_keys)
    win.temperature.textChanged.connect(lambda text: win.desk.set_typed(text))
    mid.addWidget(win.temperature)
    quick = QHBoxLayout()
    win.quick_buttons = []
    for value in win.settings.quick_temps():
        # a single digit d then Enter is 36.d: the button shows its key
        key = f"  [{int(round((value - 36.0) * 10))}]" if 36.0 <= value < 36.95 else ""
        b = button(f"{value:.1f}{key}", functools.partial(win.quick_temp, value))
        quick.addWidget(b)
        win.quick_buttons.append(b)
    mid.addLayout(quick)
    win.keypad = Keypad()
    win.keypad.key.connect(win.on_keypad)
    mid.addWidget(win.keypad)

    dirs = QHBoxLayout()
    win.dir_group = QButtonGroup(win)
    win.dir_buttons = {}
    for key in ("in", "out"):
        b = button("", functools.partial(win.set_direction, key), checkable=True)
        b.setMinimumHeight(48)
        win.dir_group.addButton(b)
        win.dir_buttons[key] = b
        dirs.addWidget(b)
    mid.addLayout(dirs)
    cats = QGridLayout()
    win.cat_group = QButtonGroup(win)
    win.cat_buttons = {}
    for i, key in enumerate(CATEGORIES):
        b = button("", functools.partial(win.set_category, key), checkable=True)
        win.cat_group.addButton(b)
        win.cat_buttons[key] = b
        cats.addWidget(b, i // 3, i % 3)
    mid.addLayout(cats)
    mid.addStretch(1)
    return mid


def _build_right(win: MainWindow) -> QVBoxLayout:
    """Today at a glance: counters, people resting with a fever, the recent records."""
    right = QVBoxLayout()
    win.counters = Counters()
    right.addWidget(win.counters)
    win.fever_box = QGroupBox()
    fl = QVBoxLayout(win.fever_box)
    win.fevers = FeverList()
    win.fevers.retest.connect(win.retest)
    fl.addWidget(win.fevers)
    right.addWidget(win.fever_box)
    win.recent_box = QGroupBox()
    rl = QVBoxLayout(win.recent_box)
    win.recent = RecentTable()
    rl.addWidget(win.recent)
    right.addWidget(win.recent_box, 1)
    return right


# the desk's widgets that show one word each: attribute -> i18n code
WORDS = {
    "change_volunteer": "volunteer_change",
    "lang_button": "language",
    "settings_button": "settings",
    "temp_label": "temperature",
    "record_button": "record",
    "clear_button": "clear",
    "manual_button": "manual",
    "undo_button": "undo",
}


def relabel(win: MainWindow, lang: str) -> None:
    """The words on the window's own widgets, in lang (features relabel theirs by hook)."""
    name = str(win.settings.get("checkpoint_name"))
    compound = str(win.settings.get("compound_name"))  # #16: set in the first-run wizard
    name = f"{compound} {name}" if compound else name
    win.title.setText(f"{t('app_title', lang)} · {name}")
    win.setWindowTitle(f"{t('app_title', lang)} · {name}")
    win.gate_code_label.setText(t("gate_code_shown", lang, gate=gate_code.shown(win.own_code)))
    for attr, code in WORDS.items():
        getattr(win, attr).setText(t(code, lang))
    win.dir_buttons["in"].setText(f"{t('dir_in', lang)}  F1")
    win.dir_buttons["out"].setText(f"{t('dir_out', lang)}  F2")
    for i, (key, b) in enumerate(win.cat_buttons.items()):
        b.setText(f"{t('cat_' + key, lang)} ^{i + 1}")
    win.refuse_button.setText(f"{t('refuse', lang)} ^R")
    win.override_button.setText(f"{t('yellow_override_short', lang)} ^Y")


def show_camera_status(win: Any, state: str, source: str) -> None:
    """The camera's state in the top bar, and in the preview when nothing is scanned."""
    lang = win.lang
    code = {"ok": "camera_ok", "no_camera": "camera_none"}.get(state, "camera_disconnected")
    if state == "ok" and is_training(source):
        code = "camera_demo_chosen"
    text = t(code, lang)
    if state == "no_camera":
        # nothing is scanned: say so where the picture would be, and what to do instead
        win.preview.clear()
        win.preview.setText(f"{text}\n{t('camera_none_hint', lang)}")
        win.camera_label.setStyleSheet("color: white; background: #c62828; padding: 2px 8px;")
        text = f"{text} · {t('camera_none_short', lang)}"
    elif state == "disconnected":
        win.preview.clear()
        win.preview.setText(f"{text}\n{t('camera_manual_hint', lang)}")
        win.camera_label.setStyleSheet("color: white; background: #c62828; padding: 2px 8px;")
    elif code == "camera_demo_chosen":
        win.camera_label.setStyleSheet(
            "color: white; background: #6a1b9a; padding: 2px 8px; font-weight: bold;"
        )
    else:
        win.camera_label.setStyleSheet("color: #1b5e20;")
    win.camera_label.setText(f"● {text}")


def training_banner(win: Any) -> QLabel:
    """练习模式: a wide band over the whole window, in both languages, never hidden."""
    label = QLabel()
    label.setObjectName("trainingBanner")
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setStyleSheet(
        "font-size: 22px; font-weight: bold; color: white; background: #6a1b9a;"
        " border-radius: 6px; padding: 2px 8px;"
    )
    label.setText(f"{t('training_banner', 'zh')}    {t('training_banner', 'en')}")
    layout = win.centralWidget().layout()
    layout.insertWidget(0, label)
    return label
