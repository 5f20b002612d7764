"""Retention on the server (#15 item 5): events and roll-ups of days older than the period
(default 28 days, like the gates) are deleted a few thousand rows per transaction, so ingest
never waits long; the officer is told beforehand about days that were never exported.

A record is purged only when its day is past the cutoff *and* the server received it before
the cutoff: a passage dated by a clock that lies (2000-01-01) or typed in from paper weeks
later stays its full period from when it arrived (#17). A gate's missing ranges below its
purged sequences are forgotten (its floor), so the check command does not see them as gaps.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from app.errors import KnownError
from app.i18n import t
from server.store import Store, Tx, utc_now

RETENTION_ENV = "GATEPOST_SERVER_RETENTION_DAYS"
DEFAULT_DAYS = 28
MAX_DAYS = 3650
BATCH = 5000  # rows per transaction
WARN_DAYS = 3  # the page names a never-exported day this many days before it goes
EVERY_S = 3600.0  # the server's own purge runs this often
log = logging.getLogger(__name__)


def retention_days(value: int | None = None) -> int:
    """The period: the argument, else $GATEPOST_SERVER_RETENTION_DAYS, else 28."""
    text = str(value) if value is not None else os.environ.get(RETENTION_ENV) or DEFAULT_DAYS
    try:
        days = int(text)
    except ValueError:
        raise KnownError("server_retention_days", value=text, high=MAX_DAYS) from None
    if not 1 <= days <= MAX_DAYS:
        raise KnownError("server_retention_days", value=text, high=MAX_DAYS)
    return days


def cutoff_day(today: date, days: int) -> str:
    """Days before this one are purged."""
    return (today - timedelta(days=days)).isoformat()


def note_export(store: Store, day: str) -> None:
    """An officer downloaded that day's export (CSV or XLSX)."""
    now = utc_now()
    with store.tx() as tx:
        tx.execute(
            "INSERT INTO day_exports(day, first_utc, last_utc, n) VALUES (?, ?, ?, 1) "
            "ON CONFLICT (day) DO UPDATE SET last_utc = excluded.last_utc, "
            "n = day_exports.n + 1",
            (day, now, now),
        )


def unexported_days(store: Store, before: str, since: str = "") -> list[str]:
    """Days in [since, before) the server holds counts for and nobody exported."""
    with store.tx() as tx:
        rows = tx.execute(
            "SELECT DISTINCT day FROM day_rollups WHERE day < ? AND day >= ? AND n <> 0 "
            "AND day NOT IN (SELECT day FROM day_exports) ORDER BY day",
            (before, since),
        )
    return [str(r["day"]) for r in rows]


@dataclass(frozen=True)
class Notice:
    """Days never exported that the purge deletes soon: each with the date it goes."""

    days: list[tuple[str, str]]

    def text(self, lang: str) -> str:
        listed = ", ".join(f"{d} ({t('server_purge_on', lang, when=w)})" for d, w in self.days)
        return t("server_purge_unexported", lang, days=listed)


def notice(store: Store, today: date, days: int, warn: int = WARN_DAYS) -> Notice | None:
    """What the page tells the officer: never-exported days purged within `warn` days
    (None: nothing to say)."""
    soon = unexported_days(store, cutoff_day(today, days - warn), "")
    if not soon:
        return None
    goes = [(d, (date.fromisoformat(d) + timedelta(days=days + 1)).isoformat()) for d in soon]
    return Notice(goes)


@dataclass
class PurgeResult:
    cutoff: str
    unexported: list[str]  # days purged although never exported (said before they went)
    counts: dict[str, int] = field(default_factory=dict)


def _floors(tx: Tx, tops: dict[str, int]) -> None:
    """Raise each gate's floor to its highest purged sequence; forget its gaps below it."""
    for device, top in sorted(tops.items()):
        tx.execute(
            "INSERT INTO gate_sync(device_id, top_seq, gap_count, floor_seq) VALUES (?, ?, 0, ?) "
            "ON CONFLICT (device_id) DO UPDATE SET floor_seq = CASE WHEN "
            "gate_sync.floor_seq < excluded.floor_seq THEN excluded.floor_seq "
            "ELSE gate_sync.floor_seq END",
            (device, top, top),
        )
        tx.execute("DELETE FROM gate_gaps WHERE device_id = ? AND hi <= ?", (device, top))
        tx.execute(
            "UPDATE gate_gaps SET lo = ? WHERE device_id = ? AND lo <= ?", (top + 1, device, top)
        )
        tx.execute(
            "UPDATE gate_sync SET gap_count = (SELECT count(*) FROM gate_gaps g "
            "WHERE g.device_id = gate_sync.device_id) WHERE device_id = ?",
            (device,),
        )


def _in_batches(store: Store, sql: str, params: tuple[object, ...], batch: int) -> int:
    """Run a DELETE ... LIMIT ? RETURNING device_id, seq until it deletes fewer than batch."""
    total = 0
    while True:
        with store.tx() as tx:
            rows = tx.execute(sql, (*params, batch))
            tops: dict[str, int] = {}
            for r in rows:
                if r.get("seq") is not None:
                    tops[r["device_id"]] = max(tops.get(r["device_id"], 0), int(r["seq"]))
            _floors(tx, tops)
        total += len(rows)
        if len(rows) < batch:
            return total


def purge(store: Store, today: date, days: int | None = None, batch: int = BATCH) -> PurgeResult:
    """Delete what is past the period, batch rows per transaction."""
    cutoff = cutoff_day(today, retention_days(days))
    result = PurgeResult(cutoff, unexported_days(store, cutoff))
    result.counts["events"] = _in_batches(
        store,
        "DELETE FROM events WHERE event_id IN (SELECT event_id FROM events WHERE "
        "((local_date < ? AND received_utc < ?) OR (local_date IS NULL AND received_utc < ?)) "
        "LIMIT ?) RETURNING device_id, seq",
        (cutoff, cutoff, cutoff),
        batch,
    )
    result.counts["quarantine"] = _in_batches(
        store,
        "DELETE FROM quarantine WHERE id IN (SELECT q.id FROM quarantine q JOIN gate_sync s "
        "ON s.device_id = q.device_id WHERE q.received_utc < ? AND q.seq <= s.floor_seq "
        "LIMIT ?) RETURNING device_id",
        (cutoff,),
        batch,
    )
    with store.tx() as tx:
        tx.execute(
            "DELETE FROM voided WHERE received_utc < ? AND NOT EXISTS (SELECT 1 FROM events e "
            "WHERE e.event_id = voided.target_id)",
            (cutoff,),
        )
        result.counts["voided"] = tx.rowcount
        tx.execute(
            "DELETE FROM day_rollups WHERE day < ? AND NOT EXISTS (SELECT 1 FROM events e "
            "WHERE e.local_date = day_rollups.day AND e.device_id = day_rollups.device_id)",
            (cutoff,),
        )
        result.counts["rollups"] = tx.rowcount
        tx.execute("DELETE FROM day_exports WHERE day < ?", (cutoff,))
    return result


class PurgeTimer:
    """The server's own purge: once at start, then every `every` seconds, on a thread; an
    error is logged and tried again next time (ingest goes on meanwhile)."""

    def __init__(
        self,
        store: Store,
        today: Callable[[], date],
        days: int | None = None,
        every: float = EVERY_S,
    ) -> None:
        self.store, self.today, self.days, self.every = store, today, days, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gatepost-purge", daemon=True)
        self.runs = 0

    def start(self) -> PurgeTimer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                result = purge(self.store, self.today(), self.days)
                if result.unexported:
                    log.warning("purged days never exported: %s", ", ".join(result.unexported))
                log.info("retention purge before %s: %s", result.cutoff, result.counts)
            except Exception:  # a bug or the database away: log, try again next time
                log.exception("retention purge failed")
            self.runs += 1
            self._stop.wait(self.every)
