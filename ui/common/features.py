"""The one way a feature attaches to the gate window (#11).

A feature (roster, shifts, sync, …) declares what it adds: actions (a button in the status
bar with its key, relabelled when the language changes), hooks (codes from the camera, language
changes, guards on an action) and widgets for the status bar; the window builds them. It never
sets attributes on the window: `window.features[name]` is where the feature object lives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from app.i18n import t


@dataclass(frozen=True)
class Action:
    """A button in the window's tool row plus its key; the label is an i18n code."""

    name: str  # the button's object name, e.g. "roster"
    label: str  # i18n code
    slot: Callable[[], Any]
    key: str | None = None  # "F6": the shortcut, and shown on the button


class FeatureHost(Protocol):
    """What a feature may use of the window (ui/gate/window.py implements it)."""

    lang: str
    payload_hooks: list[Callable[[str], bool]]
    retranslate_hooks: list[Callable[[str], None]]
    guards: dict[str, Callable[[], bool]]
    features: dict[str, object]

    def add_action(self, action: Action) -> QPushButton: ...

    def add_tool_widget(self, widget: QWidget) -> None: ...

    def show_message(self, text: str, error: bool = False) -> None: ...


class ActionBar:
    """The tool row: buttons in the order features add them, each with its shortcut."""

    def __init__(self, window: QWidget, layout: QHBoxLayout) -> None:
        self.window = window
        self.layout = layout  # ends with a stretch: new items go before it
        self.buttons: dict[str, tuple[Action, QPushButton, QShortcut | None]] = {}

    def add(self, action: Action, lang: str) -> QPushButton:
        button = QPushButton()
        button.setObjectName(action.name)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the temperature field keeps the keys
        button.clicked.connect(lambda _=False: action.slot())
        shortcut = None
        if action.key:
            shortcut = QShortcut(QKeySequence(action.key), self.window)
            shortcut.activated.connect(action.slot)
        self.insert(button)
        self.buttons[action.name] = (action, button, shortcut)
        self.retranslate(lang)
        return button

    def insert(self, widget: QWidget) -> None:
        self.layout.insertWidget(max(0, self.layout.count() - 1), widget)

    def set_enabled(self, name: str, enabled: bool, why: str = "") -> None:
        """Turn an action off (button and key), saying why on hover."""
        _action, button, shortcut = self.buttons[name]
        button.setEnabled(enabled)
        button.setToolTip(why)
        if shortcut is not None:
            shortcut.setEnabled(enabled)

    def retranslate(self, lang: str) -> None:
        for action, button, _shortcut in self.buttons.values():
            label = t(action.label, lang)
            button.setText(f"{label} {action.key}" if action.key else label)
