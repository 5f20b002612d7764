"""Domain settings: one declarative schema with defaults and help, stored in the database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from db import settings_store


@dataclass(frozen=True)
class Setting:
    name: str
    type: Callable[[str], Any]
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("checkpoint_id", str, "gate-1", "This checkpoint's id, printed on every record."),
    Setting("checkpoint_name", str, "小区正门", "Name shown in the window and reports."),
    Setting("fever_threshold", float, 37.3, "At or above this temperature (°C) is a fever."),
    Setting("retest_rest_seconds", int, 300, "Rest before a fever re-test, in seconds."),
    Setting("debounce_seconds", float, 10.0, "The same code within this window is one scan."),
    Setting("camera_source", str, "auto", "auto, demo, a webcam index, a video file or a folder."),
    Setting("language", str, "zh", "zh or en."),
    Setting("retention_days", int, 28, "Records older than this are purged."),
    Setting("quick_temps", str, "36.2,36.4,36.5,36.6,36.8", "Quick temperature buttons."),
    Setting("volunteer", str, "", "Volunteer on duty (until shifts exist)."),
    # issue #4: roster, passes, watchlist
    Setting("household_exit_quota", int, 0, "Residents per household out per day (0 = no limit)."),
    Setting("pass_valid_days", int, 90, "Printed resident passes are valid this many days."),
    Setting("overdue_minutes", int, 120, "Visitors/couriers inside longer than this are overdue."),
)
_BY_NAME = {s.name: s for s in SETTINGS}


class Settings:
    """Typed access to the settings table; unknown or malformed values fall back to defaults."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def get(self, name: str) -> Any:
        spec = _BY_NAME[name]
        raw = settings_store.get(self._conn, name)
        if raw is None:
            return spec.default
        try:
            return spec.type(raw)
        except (TypeError, ValueError):
            return spec.default

    def set(self, name: str, value: Any) -> None:
        spec = _BY_NAME[name]
        spec.type(str(value))  # validate: raises ValueError on nonsense
        settings_store.put(self._conn, name, str(value))

    def as_dict(self) -> dict[str, Any]:
        return {s.name: self.get(s.name) for s in SETTINGS}

    def quick_temps(self) -> list[float]:
        out = []
        for part in str(self.get("quick_temps")).split(","):
            try:
                out.append(float(part))
            except ValueError:
                continue
        return out
