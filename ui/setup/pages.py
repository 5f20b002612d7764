"""The wizard's five pages (#16). Each reads the state in (load), writes the volunteer's
choices back (store) and names the widget the keyboard starts in; the rules are app/setup."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.gate.training import is_training
from app.i18n import t
from app.setup.steps import SetupState
from app.sync.identity import parse_enrolment
from ui.common.files import choose_camera_source
from ui.common.style import ERROR_TEXT

RED = ERROR_TEXT


def _note(text: str = "", style: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(style)
    return label


def _preview_label() -> QLabel:
    label = QLabel()
    label.setMinimumSize(400, 300)
    label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setStyleSheet("background: #263238; color: #ffffff;")
    return label


class Page(QWidget):
    title = ""  # i18n code

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def load(self, state: SetupState) -> None: ...

    def store(self, state: SetupState) -> None: ...

    def first_focus(self) -> QWidget:
        return self


class PlacePage(Page):
    title = "setup_place_title"

    def __init__(self, lang: str) -> None:
        super().__init__(lang)
        form = QFormLayout(self)
        self.compound, self.checkpoint = QLineEdit(), QLineEdit()
        self.compound.setObjectName("setup_compound")
        self.checkpoint.setObjectName("setup_checkpoint")
        form.addRow(t("setup_compound", lang), self.compound)
        form.addRow(t("setup_checkpoint", lang), self.checkpoint)
        form.addRow(_note(t("setup_place_hint", lang)))

    def load(self, state: SetupState) -> None:
        self.compound.setText(state.compound_name)
        self.checkpoint.setText(state.checkpoint_name)

    def store(self, state: SetupState) -> None:
        state.compound_name = self.compound.text().strip()
        state.checkpoint_name = self.checkpoint.text().strip()

    def first_focus(self) -> QWidget:
        return self.compound


class PinPage(Page):
    title = "setup_pin_title"

    def __init__(self, lang: str) -> None:
        super().__init__(lang)
        layout = QVBoxLayout(self)
        self.rule = _note(t("pin_rule", lang))  # the rule, before the first try
        self.first, self.second = QLineEdit(), QLineEdit()
        form = QFormLayout()
        for name, box, label in (
            ("new", self.first, "pin_new_prompt"),
            ("repeat", self.second, "pin_repeat_prompt"),
        ):
            box.setObjectName(f"setup_pin_{name}")
            box.setEchoMode(QLineEdit.EchoMode.Password)
            box.setMaxLength(12)
            form.addRow(t(label, lang), box)
        self.later = QCheckBox(t("setup_pin_later", lang))
        self.later.setObjectName("setup_pin_later")
        self.later.toggled.connect(self._later_toggled)
        self.later_note = _note(t("setup_pin_later_note", lang), RED)
        self.later_note.hide()
        self.exists = _note(t("setup_pin_exists", lang))
        self.exists.hide()
        layout.addWidget(self.rule)
        layout.addLayout(form)
        for w in (self.later, self.later_note, self.exists):
            layout.addWidget(w)
        layout.addStretch(1)

    def _later_toggled(self, on: bool) -> None:
        for box in (self.first, self.second):
            box.setEnabled(not on)
            if on:
                box.clear()
        self.later_note.setVisible(on)

    def load(self, state: SetupState) -> None:
        for w in (self.rule, self.first, self.second, self.later):
            w.setEnabled(not state.pin_exists)
        self.exists.setVisible(state.pin_exists)
        self.later.setChecked(state.pin_later)

    def store(self, state: SetupState) -> None:
        if self.later.isChecked():
            state.put_off_pin()
            return
        state.pin_later = False
        state.pin, state.pin_repeat = self.first.text().strip(), self.second.text().strip()

    def first_focus(self) -> QWidget:
        return self.first if self.first.isEnabled() else self.later


class CameraPage(Page):
    """The sources found (each webcam, the demo = 练习模式, a file or folder) and the live
    picture of the one selected."""

    title = "setup_camera_title"

    def __init__(self, lang: str, webcams: list[str], show: Callable[[str], None]) -> None:
        super().__init__(lang)
        self.show_source = show
        self.sources = QListWidget()
        self.sources.setObjectName("setup_camera_list")
        self.sources.setMinimumWidth(380)
        for index, name in enumerate(webcams):
            self._add(t("setup_camera_webcam", lang, index=index, name=name), str(index))
        self._add(t("setup_camera_demo", lang), "demo")
        self.sources.currentItemChanged.connect(self._picked)
        self.preview = _preview_label()
        self.preview.setObjectName("setup_camera_preview")
        browse = QPushButton(t("setup_camera_file", lang))
        browse.clicked.connect(self.browse)
        self.demo_note = _note(t("setup_camera_demo_note", lang), "color: #6a1b9a;")
        self.demo_note.hide()
        left = QVBoxLayout()
        left.addWidget(_note(t("setup_camera_hint", lang)))
        if not webcams:
            left.addWidget(_note(t("setup_camera_no_webcam", lang), RED))
        left.addWidget(self.sources, 1)
        left.addWidget(self.demo_note)
        left.addWidget(browse)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 2)
        layout.addWidget(self.preview, 3)

    def _add(self, text: str, spec: str) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, spec)
        item.setSizeHint(QSize(0, 52))  # a row a finger can hit
        self.sources.addItem(item)
        return item

    def _picked(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            spec = str(item.data(Qt.ItemDataRole.UserRole))
            self.demo_note.setVisible(is_training(spec))
            self.show_source(spec)

    def browse(self) -> None:
        path = choose_camera_source(self, t("setup_camera_file", self.lang))
        if path:
            self.select(path)

    def select(self, spec: str) -> None:
        """Pick a source by its spec (a file or folder not listed yet is added)."""
        for row in range(self.sources.count()):
            if self.sources.item(row).data(Qt.ItemDataRole.UserRole) == spec:
                self.sources.setCurrentRow(row)
                return
        self.sources.setCurrentItem(self._add(spec, spec))

    def load(self, state: SetupState) -> None:
        if state.camera_source:
            self.select(state.camera_source)
        elif self.sources.currentItem() is None:
            self.sources.setCurrentRow(0)

    def store(self, state: SetupState) -> None:
        item = self.sources.currentItem()
        state.camera_source = str(item.data(Qt.ItemDataRole.UserRole)) if item else ""

    def first_focus(self) -> QWidget:
        return self.sources


class SyncPage(Page):
    """The server's pairing QR read by the camera, or pasted; or no network (USB)."""

    title = "setup_sync_title"

    def __init__(self, lang: str) -> None:
        super().__init__(lang)
        self.group = QButtonGroup(self)
        self.choices: dict[str, QRadioButton] = {}
        left = QVBoxLayout()
        for name in ("scan", "paste", "usb"):
            radio = QRadioButton(
                t("sync_mode_usb" if name == "usb" else f"setup_sync_{name}", lang)
            )
            radio.setObjectName(f"setup_sync_{name}")
            self.group.addButton(radio)
            self.choices[name] = radio
            left.addWidget(radio)
            radio.toggled.connect(self._changed)
        self.code = QLineEdit()
        self.code.setObjectName("setup_sync_code")
        self.code.setPlaceholderText("gatepost://enrol?…")
        self.status = _note()
        left.addWidget(self.code)
        left.addWidget(self.status)
        left.addStretch(1)
        self.preview = _preview_label()
        self.preview.setObjectName("setup_sync_preview")
        layout = QHBoxLayout(self)
        layout.addLayout(left, 2)
        layout.addWidget(self.preview, 3)
        self._changed()

    def chosen(self) -> str:
        return next((name for name, r in self.choices.items() if r.isChecked()), "")

    def _changed(self, _on: bool = True) -> None:
        choice = self.chosen()
        self.preview.setVisible(choice == "scan")
        self.code.setVisible(choice in ("scan", "paste"))
        self.code.setReadOnly(choice == "scan")
        if choice == "scan" and not self.code.text():
            self.status.setText(t("setup_sync_wait", self.lang))
        elif choice != "scan":
            self.status.setText("")
        if choice == "paste":
            self.code.setFocus()

    def read(self, text: str) -> None:
        """The camera read a pairing QR: it fills the code and says which server."""
        if self.chosen() != "scan":
            return
        self.code.setText(text)
        self.status.setText(
            t("setup_sync_read", self.lang, server=parse_enrolment(text).server_url)
        )

    def load(self, state: SetupState) -> None:
        if state.sync in self.choices:
            self.choices[state.sync].setChecked(True)
        self.code.setText(state.pairing_code)

    def store(self, state: SetupState) -> None:
        state.sync = self.chosen()
        state.pairing_code = self.code.text().strip() if state.sync != "usb" else ""

    def first_focus(self) -> QWidget:
        return self.choices[self.chosen() or "scan"]


class RosterPage(Page):
    """Import a file now (the roster's own import dialog), or later from F6."""

    title = "setup_roster_title"

    def __init__(self, lang: str, open_import: Callable[[], object]) -> None:
        super().__init__(lang)
        self.group = QButtonGroup(self)
        self.now = QRadioButton(t("setup_roster_now", lang))
        self.now.setObjectName("setup_roster_now")
        self.later = QRadioButton(t("setup_roster_later", lang))
        self.later.setObjectName("setup_roster_later")
        self.import_button = QPushButton(t("import_start", lang))
        self.import_button.setObjectName("setup_roster_import")
        self.import_button.clicked.connect(lambda _=False: open_import())
        self.now.toggled.connect(self.import_button.setEnabled)
        self.import_button.setEnabled(False)
        self.done = _note()
        self.done.setObjectName("setup_roster_done")
        self.group.addButton(self.now)
        self.group.addButton(self.later)
        layout = QVBoxLayout(self)
        for w in (self.now, self.import_button, self.later, self.done):
            layout.addWidget(w)
        layout.addStretch(1)

    def imported(self, count: int) -> None:
        self.done.setText(t("setup_roster_done", self.lang, count=count))

    def load(self, state: SetupState) -> None:
        (self.now if state.roster == "now" else self.later).setChecked(True)

    def store(self, state: SetupState) -> None:
        state.roster = "now" if self.now.isChecked() else "later"

    def first_focus(self) -> QWidget:
        return self.now if self.now.isChecked() else self.later
