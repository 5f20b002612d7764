"""Time behind an interface, so the rules and the tests agree on what 'now' is."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware local time now."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary start; never jumps back."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC).astimezone()

    def monotonic(self) -> float:
        return time.monotonic()

    def boottime(self) -> float:
        """Like monotonic, but counting while the PC sleeps (Linux CLOCK_BOOTTIME; on Windows
        time.monotonic already does): the clock guard's yardstick (#17)."""
        if hasattr(time, "CLOCK_BOOTTIME"):
            return time.clock_gettime(time.CLOCK_BOOTTIME)
        return time.monotonic()


class FakeClock:
    """A clock the tests move by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 29, 8, 0, tzinfo=timezone(timedelta(hours=8)))
        self._mono = 1000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._mono += seconds

    def jump(self, seconds: float) -> None:
        """The wall clock is set (a dead CMOS battery, a volunteer "fixing" it); time itself,
        the monotonic clock, does not move (#17)."""
        self._now += timedelta(seconds=seconds)


def utc_iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def local_iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


def stamp(dt: datetime) -> dict[str, str]:
    """The three time columns every record carries: UTC, local with offset, local date."""
    return {"ts_utc": utc_iso(dt), "ts_local": local_iso(dt), "local_date": dt.date().isoformat()}
