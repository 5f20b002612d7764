"""The gate desk: the one window a volunteer uses all shift."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.errors import KnownError
from app.gate.debounce import Debouncer
from app.gate.rules import CATEGORIES, DISPOSITIONS
from app.gate.service import GateService, Identity, PassageDraft
from app.i18n import t
from app.scan.payload import classify_payload
from app.scan.types import COLORS, ScanResult
from ui.common.sound import Sounds
from ui.gate.dialogs import Asker, SettingsValues
from ui.gate.widgets import Banner, Counters, FeverList, Keypad, RecentTable, describe_person

log = logging.getLogger(__name__)
TEMP_LIKE = re.compile(r"^[\d０-９.,．。]{1,5}\s*[℃°Cc]?$")
# a scanned pass resolves to (identity, None), or (identity or None, refusal) where the refusal's
# str() is the message and its .note what the refused passage keeps (issue #4)
PassResolver = Callable[[str], tuple[Identity | None, Any]]


def person(**fields: Any) -> dict[str, Any]:
    """The person at the desk: no code and no identity unless given."""
    return {
        "code_color": "none",
        "payload_kind": None,
        "payload_text": None,
        "identity": fields.pop("identity", None) or Identity(),
        "override_reason": None,
        **fields,
    }


def guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """Known errors become a message in the window; bugs are logged and the gate goes on."""

    @functools.wraps(method)
    def wrapper(self: MainWindow, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except KnownError as exc:
            self.show_message(exc.message(self.lang), error=True)
        except Exception:
            log.exception("bug in %s", method.__name__)
            self.show_message(t("bug", self.lang), error=True)
        return None

    return wrapper


class MainWindow(QMainWindow):
    def __init__(
        self,
        service: GateService,
        camera: Any | None = None,
        asker: Any | None = None,
        sounds: Sounds | None = None,
        lang: str | None = None,
    ) -> None:
        super().__init__()
        self.service = service
        self.settings = service.settings
        self.camera = camera
        self.asker = asker or Asker(self)
        self.sounds = sounds or Sounds(self)
        self.lang = lang or str(self.settings.get("language"))
        self.pass_resolver: PassResolver | None = None
        # stops and warnings for the person at the desk (issue #4: watchlist, quota, replay)
        self.gate_checker: Callable[[dict[str, Any], str], list[Any]] | None = None
        # codes meant for another part of the app (a pairing QR #6, another gate's public key #4):
        # each hook is asked before the code is classified; one returning True took it
        self.payload_hooks: list[Callable[[str], bool]] = []
        # features re-label their own widgets when the language changes (called with the lang)
        self.retranslate_hooks: list[Callable[[str], None]] = []
        self.debouncer = Debouncer(service.clock, float(self.settings.get("debounce_seconds")))
        self.direction = "in"
        self.category = "resident"
        self.current: dict[str, Any] | None = None  # the person in front of the desk
        self._build()
        self._shortcuts()
        self.retranslate()
        self.reset_person()
        self.refresh()
        self._tick = QTimer(self)
        self._tick.timeout.connect(self._on_tick)
        self._tick.start(1000)
        self._idle_timer = QTimer(self)
        self._idle_timer.setSingleShot(True)
        self._idle_timer.timeout.connect(self._back_to_idle)
        if camera is not None:
            camera.worker.frame.connect(self.on_frame)
            camera.worker.scanned.connect(self.on_scanned)
            camera.worker.status.connect(self.on_camera_status)
        self.resize(1366, 720)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        central = QWidget()
        self.setCentralWidget(central)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(8, 6, 8, 6)

        top = QHBoxLayout()
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 26px; font-weight: bold;")
        self.volunteer_label = QLabel()
        self.change_volunteer = self._button("", self.ask_volunteer)
        self.clock_label = QLabel()
        self.camera_label = QLabel()
        self.lang_button = self._button("", self.toggle_language)
        self.settings_button = self._button("", self.open_settings)
        top.addWidget(self.title)
        top.addSpacing(16)
        top.addWidget(self.volunteer_label)
        top.addWidget(self.change_volunteer)
        top.addStretch(1)
        top.addWidget(self.camera_label)
        top.addSpacing(12)
        top.addWidget(self.clock_label)
        top.addWidget(self.lang_button)
        top.addWidget(self.settings_button)
        self.top_bar = top
        outer.addLayout(top)
        # the features' buttons (roster F5/F6, shifts F7-F10, …) sit on the left of the status
        # bar (sync owns its right side), so the window still fits a 1366×768 booth screen
        tools = QWidget()
        self.tool_bar = QHBoxLayout(tools)
        self.tool_bar.setContentsMargins(0, 0, 0, 0)
        self.tool_bar.addStretch(1)
        self.statusBar().addWidget(tools, 1)

        body = QHBoxLayout()
        outer.addLayout(body, 1)

        # left: camera + result
        left = QVBoxLayout()
        self.preview = QLabel()
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(480, 330)
        self.preview.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.preview.setStyleSheet("background: #263238; color: #eceff1; border-radius: 8px;")
        left.addWidget(self.preview, 1)
        self.banner = Banner()
        left.addWidget(self.banner)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        left.addWidget(self.message)
        actions = QGridLayout()
        self.record_button = self._button("", self.on_enter, name="primary")
        self.clear_button = self._button("", self.reset_person)
        self.manual_button = self._button("", self.manual_entry)
        self.undo_button = self._button("", self.undo)
        self.refuse_button = self._button("", self.refuse, name="danger")
        self.override_button = self._button("", self.override_yellow)
        for i, b in enumerate(
            (
                self.record_button,
                self.manual_button,
                self.refuse_button,
                self.clear_button,
                self.undo_button,
                self.override_button,
            )
        ):
            actions.addWidget(b, i // 3, i % 3)
        left.addLayout(actions)
        body.addLayout(left, 5)

        # middle: temperature, keypad, direction, category, actions
        mid = QVBoxLayout()
        self.temp_label = QLabel()
        mid.addWidget(self.temp_label)
        self.temperature = QLineEdit()
        self.temperature.setObjectName("temperature")
        self.temperature.setMaxLength(64)
        self.temperature.returnPressed.connect(self.on_enter)
        mid.addWidget(self.temperature)
        quick = QHBoxLayout()
        self.quick_buttons = []
        for value in self.settings.quick_temps():
            b = self._button(f"{value:.1f}", functools.partial(self.quick_temp, value))
            quick.addWidget(b)
            self.quick_buttons.append(b)
        mid.addLayout(quick)
        self.keypad = Keypad()
        self.keypad.key.connect(self.on_keypad)
        mid.addWidget(self.keypad)

        dirs = QHBoxLayout()
        self.dir_group = QButtonGroup(self)
        self.dir_buttons = {}
        for key in ("in", "out"):
            b = self._button("", functools.partial(self.set_direction, key), checkable=True)
            b.setMinimumHeight(48)
            self.dir_group.addButton(b)
            self.dir_buttons[key] = b
            dirs.addWidget(b)
        mid.addLayout(dirs)
        cats = QGridLayout()
        self.cat_group = QButtonGroup(self)
        self.cat_buttons = {}
        for i, key in enumerate(CATEGORIES):
            b = self._button("", functools.partial(self.set_category, key), checkable=True)
            self.cat_group.addButton(b)
            self.cat_buttons[key] = b
            cats.addWidget(b, i // 3, i % 3)
        mid.addLayout(cats)

        mid.addStretch(1)
        body.addLayout(mid, 4)

        # right: today at a glance
        right = QVBoxLayout()
        self.counters = Counters()
        right.addWidget(self.counters)
        self.fever_box = QGroupBox()
        fl = QVBoxLayout(self.fever_box)
        self.fevers = FeverList()
        self.fevers.retest.connect(self.retest)
        fl.addWidget(self.fevers)
        right.addWidget(self.fever_box)
        self.recent_box = QGroupBox()
        rl = QVBoxLayout(self.recent_box)
        self.recent = RecentTable()
        rl.addWidget(self.recent)
        right.addWidget(self.recent_box, 1)
        body.addLayout(right, 5)

    def _button(
        self, text: str, slot: Callable[[], Any], checkable: bool = False, name: str | None = None
    ) -> QPushButton:
        b = QPushButton(text)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the temperature field keeps the keyboard
        b.setCheckable(checkable)
        if name:
            b.setObjectName(name)
        b.clicked.connect(lambda _=False: slot())
        return b

    def _shortcuts(self) -> None:
        pairs = [
            ("F1", functools.partial(self.set_direction, "in")),
            ("F2", functools.partial(self.set_direction, "out")),
            ("F3", self.manual_entry),
            ("F4", self.undo),
            ("Esc", self.reset_person),
            ("Ctrl+R", self.refuse),
        ]
        pairs += [
            (f"Ctrl+{i + 1}", functools.partial(self.set_category, c))
            for i, c in enumerate(CATEGORIES)
        ]
        self._shortcut_objs = []
        for key, slot in pairs:
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(slot)
            self._shortcut_objs.append(sc)

    def retranslate(self) -> None:
        lang = self.lang
        name = str(self.settings.get("checkpoint_name"))
        self.title.setText(f"{t('app_title', lang)} · {name}")
        self.setWindowTitle(f"{t('app_title', lang)} Gatepost · {name}")
        self.change_volunteer.setText("更换" if lang == "zh" else "Change")
        self._update_volunteer()
        self.lang_button.setText(t("language", lang))
        self.settings_button.setText(t("settings", lang))
        self.temp_label.setText(t("temperature", lang))
        self.dir_buttons["in"].setText(f"{t('dir_in', lang)}  F1")
        self.dir_buttons["out"].setText(f"{t('dir_out', lang)}  F2")
        for i, (key, b) in enumerate(self.cat_buttons.items()):
            b.setText(f"{t('cat_' + key, lang)} ^{i + 1}")
        self.record_button.setText(t("record", lang))
        self.clear_button.setText(t("clear", lang))
        self.manual_button.setText(t("manual", lang))
        self.undo_button.setText(t("undo", lang))
        self.refuse_button.setText(f"{t('refuse', lang)} ^R")
        self.override_button.setText(t("yellow_override", lang))
        self.counters.retranslate(lang)
        self.recent.retranslate(lang)
        for hook in getattr(self, "retranslate_hooks", []):  # empty during __init__
            hook(lang)
        self.fever_box.setTitle(f"⚠ {t('fever_waiting', lang)}")
        self.recent_box.setTitle(t("recent", lang))
        self.set_direction(self.direction)
        self.set_category(self.category)
        if self.current is None:
            self._back_to_idle()
        self.refresh()

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
        code = {
            "ok": "camera_ok",
            "demo_fallback": "camera_demo",
            "disconnected": "camera_disconnected",
        }.get(state, "camera_ok")
        if state == "ok" and source == "demo":
            code = "camera_demo_chosen"
        text = t(code, self.lang)
        if state == "disconnected":
            self.preview.clear()
            self.preview.setText(f"{text}\n{t('camera_manual_hint', self.lang)}")
            self.camera_label.setStyleSheet("color: white; background: #c62828; padding: 2px 8px;")
        elif state == "demo_fallback":
            self.camera_label.setStyleSheet(
                "color: #1a1a1a; background: #ffca28; padding: 2px 8px;"
            )
        else:
            self.camera_label.setStyleSheet("color: #1b5e20;")
        self.camera_label.setText(f"● {text}")

    @Slot(object)
    @guarded
    def on_scanned(self, result: ScanResult) -> None:
        if not self.debouncer.accept(result.text):
            return
        self.handle_payload(result.text, result.color)

    def handle_payload(self, text: str, color: str) -> None:
        """A code was read (camera or a keyboard-wedge scanner): show what it means."""
        if any(hook(text) for hook in self.payload_hooks):
            return
        payload = classify_payload(text)
        self._idle_timer.stop()
        self.show_message("")
        if payload.kind == "refused":
            self.current = None
            self.banner.show_state(
                "unknown", t("code_unrecognised", self.lang), t(payload.reason or "", self.lang)
            )
            self.sounds.play("refused")
            return
        identity = Identity(method="scan")
        if payload.kind == "pass":
            resolved, problem = (
                self.pass_resolver(payload.text or "")
                if self.pass_resolver
                else (None, "code_unrecognised")
            )
            if problem is not None and self.pass_resolver is not None:
                # a refused pass is a refused passage once the volunteer presses Enter (#4)
                self.current = person(
                    payload_kind=payload.kind,
                    payload_text=payload.text,
                    identity=resolved or Identity(method="pass"),
                    refuse_reason="pass_invalid",
                    note=getattr(problem, "note", str(problem)),
                    refusal_text=str(problem),
                )
                self.temperature.clear()
                self.temperature.setFocus()
                self._show_current()
                self.sounds.play("refused")
                return
            if resolved is None:
                self.current = None
                self.banner.show_state(
                    "red",
                    t("code_unrecognised", self.lang),
                    t(problem or "code_unrecognised", self.lang),
                )
                self.sounds.play("refused")
                return
            identity, color = resolved, "green"
            # a resident's pass names the resident; a visitor pass names only the visitor
            self.set_category("resident" if resolved.resident_id is not None else "visitor")
        elif payload.kind == "text":
            self.current = None
            self.banner.show_state("unknown", t("code_unrecognised", self.lang), "")
            self.sounds.play("refused")
            return
        self.current = person(
            code_color=color if color in COLORS else "unknown",
            payload_kind=payload.kind,
            payload_text=payload.text,
            identity=identity,
        )
        self.temperature.clear()
        self.temperature.setFocus()
        self._show_current()
        if self.current["code_color"] in ("red", "yellow"):
            self.sounds.play("refused")

    def _show_current(self) -> None:
        cur = self.current
        if cur is None:
            return
        color = cur["code_color"]
        who = describe_person(vars(cur["identity"]))
        if cur.get("refuse_reason"):
            detail = " · ".join(x for x in (cur.get("refusal_text"), who) if x)
            hint = t("pass_enter_records", self.lang)
            self.banner.show_state("red", t("pass_invalid", self.lang), f"{detail}\n{hint}")
            return
        if color == "green":
            detail = who or (
                "输入体温后按 Enter" if self.lang == "zh" else "Type temperature, Enter"
            )
            self.banner.show_state("green", t("code_green", self.lang), detail)
        elif color == "yellow":
            if cur["override_reason"]:
                self.banner.show_state(
                    "yellow", t("yellow_override", self.lang), cur["override_reason"]
                )
            else:
                self.banner.show_state(
                    "yellow",
                    t("code_yellow", self.lang),
                    "按 Enter 登记拒绝" if self.lang == "zh" else "Enter records the refusal",
                )
        elif color == "red":
            self.banner.show_state(
                "red",
                t("code_red", self.lang),
                "按 Enter 登记拒绝" if self.lang == "zh" else "Enter records the refusal",
            )
        elif color == "none":
            self.banner.show_state("green", t("code_manual", self.lang), who)
        else:
            self.banner.show_state("unknown", t("code_unknown", self.lang), who)
        self._show_alerts(cur)

    def _show_alerts(self, cur: dict[str, Any]) -> None:
        """A stop turns the banner red with the alarm; warnings go under it."""
        if self.gate_checker is None:
            return
        alerts = self.gate_checker(cur, self.direction)
        stops = [a for a in alerts if a.level == "stop"]
        warns = [a.message(self.lang) for a in alerts if a.level != "stop"]
        if stops:
            who = describe_person(vars(cur["identity"]))
            self.banner.show_state("red", stops[0].message(self.lang), who)
            self.sounds.play("alarm")
        self.show_message(" · ".join(warns), error=bool(warns))
        if warns and not stops:
            self.sounds.play("refused")

    # ------------------------------------------------------------------ actions
    @guarded
    def on_enter(self) -> None:
        typed = self.temperature.text().strip()
        if typed and not TEMP_LIKE.match(typed) and len(typed) >= 6:
            # a keyboard-wedge QR scanner typed a payload into the field
            self.temperature.clear()
            if self.debouncer.accept(typed):
                self.handle_payload(typed, "unknown")
            return
        self.record(typed)

    def record(self, typed: str) -> None:
        cur = self.current or person()
        draft = self._draft(
            cur,
            temperature=typed or None,
            override_reason=cur["override_reason"],
            refuse_reason=cur.get("refuse_reason"),
            note=cur.get("note"),
        )
        self._after_record(self.service.record(draft))

    def _draft(self, cur: dict[str, Any], **rest: Any) -> PassageDraft:
        """The person at the desk, with the sticky direction and the chosen category."""
        return PassageDraft(
            direction=self.direction,
            category=self.category,
            code_color=cur["code_color"],
            payload_kind=cur["payload_kind"],
            payload_text=cur["payload_text"],
            identity=cur["identity"],
            **rest,
        )

    def _after_record(self, outcome: Any) -> None:
        row = outcome.record
        if outcome.kind == "fever":
            minutes = max(1, round(int(self.settings.get("retest_rest_seconds")) / 60))
            detail = t("fever_rest", self.lang, minutes=minutes)
            who = describe_person(row)
            self.banner.show_state(
                "fever",
                t("fever_alarm", self.lang, value=f"{row['temperature']:.1f}"),
                f"{who} {detail}" if who else detail,
            )
            self.sounds.play("alarm")
            self._finish_person(hold_ms=8000)
            return
        if row["decision"] == "pass":
            temp = f" · {row['temperature']:.1f} °C" if row.get("temperature") else ""
            self.banner.show_state(
                "done",
                f"{t('decision_pass', self.lang)}{temp}",
                t(
                    "record_ok",
                    self.lang,
                    what=describe_person(row) or t(f"cat_{row['category']}", self.lang),
                ),
            )
            self.sounds.play("ok")
        else:
            reason = t(f"reason_{row['reason']}", self.lang) if row.get("reason") else ""
            self.banner.show_state(
                "refused",
                f"{t('decision_refused', self.lang)} · {reason}",
                t("record_ok", self.lang, what=describe_person(row) or reason),
            )
            self.sounds.play("refused")
        self._finish_person()

    def _finish_person(self, hold_ms: int = 3500) -> None:
        self.current = None
        self.temperature.clear()
        self.temperature.setFocus()
        self.set_category("resident")
        self.refresh()
        self._idle_timer.start(hold_ms)

    def _back_to_idle(self) -> None:
        if self.current is None:
            self.banner.show_state(
                "idle", t("scan_wait", self.lang), t("camera_manual_hint", self.lang)
            )

    @guarded
    def reset_person(self) -> None:
        self.current = None
        self.temperature.clear()
        self.temperature.setFocus()
        self.show_message("")
        self._back_to_idle()

    def set_direction(self, direction: str) -> None:
        changed = direction != self.direction
        self.direction = direction
        self.dir_buttons[direction].setChecked(True)
        if changed and self.current is not None:
            self._show_current()  # the stops depend on the direction

    def set_category(self, category: str) -> None:
        self.category = category
        self.cat_buttons[category].setChecked(True)

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
    def manual_entry(self) -> None:
        identity = self.asker.manual_identity(self.lang)
        if identity is None:
            return
        self._idle_timer.stop()
        self.current = person(identity=identity)
        self._show_current()
        self.temperature.setFocus()

    @guarded
    def override_yellow(self) -> None:
        if not self.current or self.current["code_color"] != "yellow":
            return
        answer = self.asker.choose(
            t("override_reason", self.lang),
            [("other", t("override_reason", self.lang))],
            self.lang,
            note_for={"other"},
        )
        if answer:
            self.current["override_reason"] = answer[1]
            self._show_current()

    @guarded
    def refuse(self) -> None:
        choices = [
            ("no_code", t("reason_no_code", self.lang)),
            ("other", t("reason_other", self.lang)),
        ]
        answer = self.asker.choose(
            t("refuse_reason", self.lang), choices, self.lang, note_for={"other"}
        )
        if not answer:
            return
        cur = self.current or person()
        typed = self.temperature.text().strip()
        draft = self._draft(
            cur,
            temperature=typed if TEMP_LIKE.match(typed or "x") else None,
            refuse_reason=answer[0],
            note=answer[1] or None,
        )
        self._after_record(self.service.record(draft))

    @guarded
    def undo(self) -> None:
        choices = [
            ("void_wrong_entry", t("void_wrong_entry", self.lang)),
            ("void_duplicate", t("void_duplicate", self.lang)),
            ("other", t("reason_other", self.lang)),
        ]
        answer = self.asker.choose(
            t("undo_reason", self.lang), choices, self.lang, note_for={"other"}
        )
        if not answer:
            return
        key, note = answer
        reason = note if key == "other" else t(key, "zh") + (f"：{note}" if note else "")
        done = self.service.void_last(reason)
        self.show_message(t("undo_done" if done else "undo_nothing", self.lang), error=not done)
        self.refresh()

    @Slot(str)
    @guarded
    def retest(self, fever_id: str) -> None:
        temp = self.asker.temperature(t("fever_retest_prompt", self.lang), self.lang)
        if temp is None:
            return
        outcome = self.service.record_retest(fever_id, temp)
        if outcome.kind == "still_fever":
            self.sounds.play("alarm")
            choices = [(d, t(f"disp_{d}", self.lang)) for d in DISPOSITIONS]
            answer = self.asker.choose(
                t("fever_still", self.lang), choices, self.lang, note_for={"other"}
            )
            if not answer:
                self.refresh()
                return
            outcome = self.service.record_retest(fever_id, temp, answer[0], answer[1] or None)
        self._after_record(outcome)

    @guarded
    def ask_volunteer(self) -> None:
        name = self.asker.text(t("volunteer_prompt", self.lang), self.lang)
        if name:
            self.settings.set("volunteer", name)
            self._update_volunteer()

    @guarded
    def open_settings(self) -> None:
        s = self.settings
        values = SettingsValues(
            str(s.get("camera_source")),
            float(s.get("fever_threshold")),
            int(s.get("retest_rest_seconds")),
            float(s.get("debounce_seconds")),
            str(s.get("checkpoint_name")),
            str(s.get("checkpoint_id")),
            str(s.get("volunteer")),
        )
        new = self.asker.settings(values, self.lang)
        if new is None:
            return
        for key, value in vars(new).items():
            s.set(key, value)
        self.debouncer.window_seconds = new.debounce_seconds
        if self.camera is not None and new.camera_source != values.camera_source:
            self.camera.set_source(new.camera_source)
        self.retranslate()

    def toggle_language(self) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"
        self.settings.set("language", self.lang)
        self.retranslate()

    # ------------------------------------------------------------------ display
    def show_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(
            "color: #c62828; font-weight: bold;" if error else "color: #1b5e20;"
        )

    @guarded
    def refresh(self) -> None:
        self.counters.set_counts(self.service.today())
        self.recent.set_rows(self.service.recent(50))
        self._refresh_fevers()

    def _refresh_fevers(self) -> None:
        fevers = self.service.pending_fevers()
        due = {f["id"]: self.service.retest_due_at(f) for f in fevers}
        self.fevers.set_fevers(fevers, due, self.service.clock.now(), self.lang)
        self.fever_box.setVisible(bool(fevers))

    def _on_tick(self) -> None:
        self.clock_label.setText(self.service.clock.now().strftime("%H:%M:%S"))
        if self.fevers.count():
            self._refresh_fevers()
        if self.service.clock.now().second == 0:
            self.refresh()  # midnight rolls the counters over

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self.camera is not None:
            self.camera.stop()
        super().closeEvent(event)
