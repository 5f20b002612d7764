"""Domain settings: one declarative schema (type, limits, default, help), stored in the database.

Every writer (Settings.set, `main.py settings`, the settings dialog) goes through Setting.parse,
so a value outside the declared range or choices is refused with a KnownError in both languages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import KnownError
from app.i18n import t
from db import settings_store

QUICK_TEMP_LOW, QUICK_TEMP_HIGH, QUICK_TEMPS_MAX = 35.0, 42.0, 9
WEBCAM_INDEX_MAX = 63
SYNC_MODES = ("server", "usb")  # 联网（配对服务器） / 不联网（用U盘）
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class SettingError(KnownError):
    """A refused setting value; its message names the setting in the message's language."""

    def message(self, lang: str = "zh") -> str:
        name = str(self.params.get("name", ""))
        label = t(f"setting_label_{name}", lang) if name else ""
        return t(self.code, lang, **{**self.params, "label": label})


@dataclass(frozen=True)
class Setting:
    """One setting: its type and declared limits (range for numbers, choices, text length)."""

    name: str
    type: Callable[[str], Any]
    default: Any
    help: str
    low: float | None = None  # numbers: inclusive range; text: length range
    high: float | None = None
    choices: tuple[str, ...] = ()
    validate: Callable[[str], None] | None = None  # a further check of the text, no I/O
    probe: Callable[[str], None] | None = None  # on write only: may do I/O (a camera opens)

    def coerce(self, raw: Any) -> Any:
        """Type and declared limits, no I/O; raises KnownError (setting_*) with the reason."""
        text = str(raw).strip()
        if self.type is str:
            return self._text(text)
        try:
            value = self.type(text)
        except (TypeError, ValueError):
            code = "setting_not_int" if self.type is int else "setting_not_number"
            raise SettingError(code, name=self.name, value=text) from None
        if value != value or value in (float("inf"), float("-inf")):  # NaN, infinities
            raise SettingError("setting_not_number", name=self.name, value=text)
        low, high = self.low, self.high
        if (low is not None and value < low) or (high is not None and value > high):
            params = {
                "name": self.name,
                "value": text,
                "low": self._fmt(low),
                "high": self._fmt(high),
            }
            hint = self._decimal_hint(text)
            if hint is not None:
                raise SettingError("setting_range_hint", hint=hint, **params)
            raise SettingError("setting_range", **params)
        return value

    def parse(self, raw: Any) -> Any:
        """What a writer stores: coerce, then the probe (a camera source must open)."""
        value = self.coerce(raw)
        if self.probe is not None:
            self.probe(str(value))
        return value

    def _text(self, text: str) -> str:
        if self.choices:
            if text not in self.choices:
                raise SettingError(
                    "setting_choices", name=self.name, value=text, choices=", ".join(self.choices)
                )
            return text
        if _CONTROL.search(text):
            raise SettingError("setting_text_control", name=self.name)
        low, high = int(self.low or 0), int(self.high or 10_000)
        if not low <= len(text) <= high:
            raise SettingError("setting_text_length", name=self.name, low=low, high=high)
        if self.validate is not None:
            self.validate(text)
        return text

    def _fmt(self, x: float | None) -> str:
        if x is None:
            return ""
        return f"{x:.1f}" if self.type is float else str(int(x))

    def _decimal_hint(self, text: str) -> str | None:
        """373 for a threshold of 37.0–38.5: the point was forgotten, suggest 37.3."""
        if self.type is not float or not text.isdigit() or len(text) < 2:
            return None
        guess = int(text) / 10
        if self.low is not None and self.high is not None and self.low <= guess <= self.high:
            return f"{guess:.1f}"
        return None


def parse_quick_temps(text: str) -> list[float]:
    """'36.2,36.5': 1–9 temperatures in 35.0–42.0; anything else is refused with the reason."""
    parts = [p.strip() for p in text.split(",")]
    values: list[float] = []
    for part in parts:
        try:
            value = float(part)
        except ValueError:
            value = float("nan")
        if not QUICK_TEMP_LOW <= value <= QUICK_TEMP_HIGH:
            raise SettingError(
                "setting_quick_temps",
                value=part,
                low=f"{QUICK_TEMP_LOW:.1f}",
                high=f"{QUICK_TEMP_HIGH:.1f}",
                n=QUICK_TEMPS_MAX,
            )
        values.append(value)
    if len(values) > QUICK_TEMPS_MAX:
        raise SettingError(
            "setting_quick_temps",
            value=text,
            low=f"{QUICK_TEMP_LOW:.1f}",
            high=f"{QUICK_TEMP_HIGH:.1f}",
            n=QUICK_TEMPS_MAX,
        )
    return values


def _check_quick_temps(text: str) -> None:
    parse_quick_temps(text)


def check_camera_source(spec: str) -> None:
    """auto, demo and a webcam index are accepted as written (the device may be busy with the
    window or plugged in later); a file or folder must open and give a frame, else KnownError."""
    spec = spec.strip()
    if spec in ("auto", "demo"):
        return
    if spec.isdigit():
        if int(spec) > WEBCAM_INDEX_MAX:
            raise SettingError("setting_camera_index", value=spec, high=WEBCAM_INDEX_MAX)
        return
    path = Path(spec).expanduser()
    if not path.exists():
        raise SettingError("setting_camera_missing", value=spec)
    # lazy: OpenCV is heavy and only this check (a writer's, never a reader's) needs it
    from app.scan.sources import SourceError, make_source

    source = make_source(str(path))
    try:
        source.open()
        source.read()
    except SourceError:
        code = "setting_camera_no_images" if path.is_dir() else "setting_camera_not_video"
        raise SettingError(code, value=spec) from None
    finally:
        source.close()


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "checkpoint_id", str, "gate-1", "This checkpoint's id, printed on every record.", 1, 40
    ),
    Setting("checkpoint_name", str, "小区正门", "Name shown in the window and reports.", 1, 40),
    # #16: the first-run wizard asks for both; the window's title shows the compound
    Setting("compound_name", str, "", "The compound (小区) this gate belongs to.", 0, 40),
    Setting(
        "sync_mode",
        str,
        "server",
        "server: send records to the paired server; usb: no network, USB bundles only.",
        choices=SYNC_MODES,
    ),
    Setting(
        "fever_threshold", float, 37.3, "At or above this temperature (°C) is a fever.", 37.0, 38.5
    ),
    Setting("retest_rest_seconds", int, 300, "Rest before a fever re-test, in seconds.", 0, 3600),
    Setting(
        "debounce_seconds", float, 10.0, "The same code within this window is one scan.", 1, 120
    ),
    Setting(
        "camera_source",
        str,
        "auto",
        "auto, demo, a webcam index, a video file or a folder.",
        1,
        1000,
        probe=check_camera_source,
    ),
    Setting("language", str, "zh", "zh or en.", choices=("zh", "en")),
    Setting("retention_days", int, 28, "Records older than this are purged.", 1, 3650),
    Setting(
        "quick_temps",
        str,
        "36.2,36.4,36.5,36.6,36.8",
        "Quick temperature buttons.",
        1,
        200,
        validate=_check_quick_temps,
    ),
    Setting("volunteer", str, "", "Volunteer on duty (until shifts exist).", 0, 40),
    # issue #4: roster, passes, watchlist
    Setting(
        "household_exit_quota", int, 0, "Residents per household out per day (0 = no limit).", 0, 50
    ),
    Setting(
        "pass_valid_days", int, 90, "Printed resident passes are valid this many days.", 1, 366
    ),
    Setting(
        "overdue_minutes",
        int,
        120,
        "Visitors/couriers inside longer than this are overdue.",
        1,
        1440,
    ),
)
_BY_NAME = {s.name: s for s in SETTINGS}


def spec_for(name: str) -> Setting:
    """The declared setting, or KnownError setting_unknown."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KnownError("setting_unknown", name=name) from None


class Settings:
    """Typed access to the settings table; stored values outside the limits read as defaults."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def get(self, name: str) -> Any:
        spec = _BY_NAME[name]
        raw = settings_store.get(self._conn, name)
        if raw is None:
            return spec.default
        try:
            return spec.coerce(raw)
        except KnownError:
            return spec.default

    def set(self, name: str, value: Any) -> None:
        """Store a value after checking it against the declaration; KnownError when refused."""
        spec = spec_for(name)
        parsed = spec.parse(value)
        settings_store.put(self._conn, name, str(parsed))

    def as_dict(self) -> dict[str, Any]:
        return {s.name: self.get(s.name) for s in SETTINGS}

    def quick_temps(self) -> list[float]:
        try:
            return parse_quick_temps(str(self.get("quick_temps")))
        except KnownError:
            return parse_quick_temps(str(_BY_NAME["quick_temps"].default))
