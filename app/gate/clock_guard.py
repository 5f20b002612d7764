"""Is the PC's clock telling the truth? (#17)

A booth PC with a dead CMOS battery starts in 2000; a volunteer "fixes" the time; a time zone
is wrong. The guard compares the wall clock with what it cannot fake: the newest record
written while the clock was trusted (the clock may not be earlier), a trusted time heard from
the server or a USB ack, and the monotonic clock since the last trusted moment (a jump of more
than two minutes, either way, is noticed). While the clock is in doubt, passages carry
`clock_suspect` and the monotonic seconds since the last trusted time, so the real time can be
worked out afterwards; the purge takes no date from a clock in doubt.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.clock import Clock, utc_iso
from app.i18n import t

TOLERANCE_S = 120.0


@dataclass(frozen=True)
class ClockStatus:
    suspect: bool
    reason: str | None = None  # behind_records | jumped | off_reference
    drift_s: float = 0.0  # the wall clock minus what it should say (negative: behind)


def describe(status: ClockStatus, lang: str) -> str:
    """系统时间异常 with why and what to do, for the window."""
    why = t(f"clock_why_{status.reason}", lang, minutes=round(abs(status.drift_s) / 60))
    return t("clock_alarm", lang, why=why)


def _utc(text: str) -> datetime | None:
    """An aware UTC time from ISO text; None for anything else (never stops a passage)."""
    try:
        dt = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo is not None else None


def _last_mark(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT coalesce(max(id), 0) FROM clock_marks").fetchone()[0])


def newest_trusted(conn: sqlite3.Connection) -> datetime | None:
    """What the clock may not be earlier than: the newest passage written while the clock was
    trusted, and the newest USB ack's time (the server signed it; it was made before now)."""
    row = conn.execute(
        "SELECT max(ts_utc) FROM passages "
        "WHERE coalesce(clock_suspect, 0) = 0 AND backfill_page IS NULL"  # paper times: no
    ).fetchone()
    ack = conn.execute("SELECT max(created_utc) FROM sync_ack_imports").fetchone()
    times = [dt for dt in (_utc(v) for v in (row[0], ack[0]) if v) if dt is not None]
    return max(times) if times else None


class ClockGuard:
    """Checked on start, every minute (the window's timer) and before each passage is written."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock) -> None:
        self.conn, self.clock = conn, clock
        # seconds that never jump; with the system clock, counting while the PC sleeps
        self._elapsed = getattr(clock, "boottime", clock.monotonic)
        self.anchor: tuple[datetime, float] | None = None  # last trusted (time, monotonic)
        self.referenced = False  # the anchor is a time heard from the server / a USB ack
        self.lower_bound = False  # the anchor is only the newest record's time (not a clock)
        self.seen_mark = _last_mark(conn)  # server times heard before this start are old news
        self.status = ClockStatus(False)

    def observe(self, trusted: datetime) -> ClockStatus:
        """A time that can be trusted (the server's, in a sync reply or a USB ack) becomes the
        reference the clock is measured against from now on."""
        self.anchor = (trusted, self._elapsed())
        self.referenced, self.lower_bound = True, False
        return self.check()

    def _heard(self) -> None:
        """A server time stored by the sync client since the last look becomes the reference
        (shifted by how long ago, by this clock, it was heard: under a minute)."""
        row = self.conn.execute(
            "SELECT id, their_utc, our_utc FROM clock_marks WHERE source = 'server' AND id > ? "
            "ORDER BY id DESC LIMIT 1",
            (self.seen_mark,),
        ).fetchone()
        if row is None:
            return
        self.seen_mark = int(row[0])
        theirs, ours = _utc(row[1]), _utc(row[2])
        if theirs is None or ours is None:
            return
        self.anchor = (theirs + (self.clock.now() - ours), self._elapsed())
        self.referenced, self.lower_bound = True, False

    def check(self) -> ClockStatus:
        self._heard()
        now, mono = self.clock.now(), self._elapsed()
        status = ClockStatus(False)
        if self.anchor is not None and not self.lower_bound:
            at, at_mono = self.anchor
            drift = (now - (at + timedelta(seconds=mono - at_mono))).total_seconds()
            if abs(drift) > TOLERANCE_S:
                status = ClockStatus(True, "off_reference" if self.referenced else "jumped", drift)
        if not status.suspect:
            newest = newest_trusted(self.conn)
            if newest is not None and (now - newest).total_seconds() < -TOLERANCE_S:
                status = ClockStatus(True, "behind_records", (now - newest).total_seconds())
                if self.anchor is None:  # at least as late as that record: count from here
                    self.anchor, self.lower_bound = (newest, mono), True
        if not status.suspect and (self.anchor is None or self.lower_bound):
            self.anchor, self.lower_bound = (now, mono), False  # trusted from here on
        self.status = status
        return status

    def marks(self) -> dict[str, Any]:
        """The columns a passage carries: nothing while trusted; the flag, the last trusted
        time and the monotonic seconds since then while in doubt."""
        status = self.check()
        if not status.suspect:
            return {}
        assert self.anchor is not None  # check() leaves one whenever it doubts the clock
        at, at_mono = self.anchor
        return {
            "clock_suspect": 1,
            "clock_trusted_utc": utc_iso(at),
            "clock_offset_s": round(self._elapsed() - at_mono, 1),
        }
