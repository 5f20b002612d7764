"""What the officer's pages read: gates with their gaps, a day's numbers per gate, the export
rows (personal data masked), and the officer's local time."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from server.export_rows import (  # noqa: F401  (the officer's names for them)
    BODY_COLUMNS,
    EXPORT_COLUMNS,
    MASKS,
    CsvLine,
    export_fields,
    raw_row,
    voided_cell,
)
from server.rollups import KIND_PREFIX, NUMBERS
from server.store import Store, Tx

DEFAULT_TZ = "Asia/Shanghai"
TZ_ENV = "GATEPOST_SERVER_TZ"


def server_tz(name: str | None = None) -> ZoneInfo:
    """The officer's local time zone: the argument, $GATEPOST_SERVER_TZ, else Asia/Shanghai.
    An unknown name is a ValueError naming it (the server refuses to start with it)."""
    name = name or os.environ.get(TZ_ENV) or DEFAULT_TZ
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone: {name}") from None


def parse_utc(utc_text: Any) -> datetime | None:
    """A stored UTC instant (ISO, 'Z' or an offset; naive is UTC), or None if unreadable."""
    if not utc_text:
        return None
    try:
        when = datetime.fromisoformat(str(utc_text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def local_time(utc_text: str | None, tz: ZoneInfo) -> str:
    """A stored UTC instant as the officer's wall-clock time (unchanged if unreadable)."""
    if not utc_text:
        return ""
    when = parse_utc(utc_text)
    if when is None:
        return str(utc_text)
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def gaps(store: Store, device_id: str, limit: int = 5) -> list[tuple[int, int]]:
    """Missing sequence ranges below the highest one received (events or quarantine), as
    ingest keeps them (server/rollups.py)."""
    with store.tx() as tx:
        rows = tx.execute(
            "SELECT lo, hi FROM gate_gaps WHERE device_id = ? ORDER BY lo LIMIT ?",
            (device_id, limit),
        )
    return [(int(r["lo"]), int(r["hi"])) for r in rows]


DAY_KEYS = NUMBERS  # a gate's numbers of a day, as the roll-ups keep them


def zero_day() -> dict[str, int]:
    """A gate's numbers on a day with nothing recorded."""
    return dict.fromkeys(DAY_KEYS, 0)


def _first_gaps(tx: Tx, limit: int) -> dict[str, list[tuple[int, int]]]:
    """Every gate's first missing ranges, in one query."""
    out: dict[str, list[tuple[int, int]]] = {}
    for r in tx.execute(
        "SELECT device_id, lo, hi FROM (SELECT device_id, lo, hi, ROW_NUMBER() OVER "
        "(PARTITION BY device_id ORDER BY lo) AS k FROM gate_gaps) g WHERE k <= ? "
        "ORDER BY device_id, lo",
        (limit,),
    ):
        out.setdefault(r["device_id"], []).append((int(r["lo"]), int(r["hi"])))
    return out


def _numbers(rows: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per gate, its counters of the day from the roll-up rows (every number, 0 when none)."""
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        n = out.setdefault(r["device_id"], dict.fromkeys(NUMBERS, 0))
        n[r["name"]] = int(r["n"])
    return out


def day_numbers(store: Store, day: str) -> dict[str, dict[str, int]]:
    """Per gate, that day's passages in / out (let through, 补录 included), refused, fever
    checks, and voids applied, 补录 and clock-suspect records; a voided passage counts only
    as a void. Read from the roll-ups kept at ingest: O(gates) rows, never the day's events."""
    with store.tx() as tx:
        rows = tx.execute(
            f"SELECT device_id, name, n FROM day_rollups WHERE day = ? AND n <> 0 AND name IN "
            f"({', '.join('?' for _ in NUMBERS)})",
            (day, *NUMBERS),
        )
    return _numbers(rows)


def gate_rows(store: Store, day: str) -> list[dict[str, Any]]:
    """Every gate with its counts of that day, quarantined events, sync state (head, last
    seen, gap count) and first gaps: a handful of queries, O(gates) rows."""
    with store.tx() as tx:
        gates = tx.execute(
            "SELECT d.*, coalesce(s.gap_count, 0) AS gap_count FROM devices d "
            "LEFT JOIN gate_sync s ON s.device_id = d.device_id ORDER BY d.name, d.device_id"
        )
        rows = tx.execute(
            "SELECT device_id, name, n FROM day_rollups WHERE day = ? AND n <> 0", (day,)
        )
        quarantined = tx.execute(
            "SELECT device_id, count(*) AS n FROM quarantine GROUP BY device_id"
        )
        first_gaps = _first_gaps(tx, 5)
    per: dict[str, dict[str, int]] = {}
    for r in rows:
        if r["name"].startswith(KIND_PREFIX):
            per.setdefault(r["device_id"], {})[r["name"][len(KIND_PREFIX) :]] = int(r["n"])
    numbers = _numbers([r for r in rows if r["name"] in NUMBERS])
    q = {r["device_id"]: int(r["n"]) for r in quarantined}
    for g in gates:
        g["counts"] = per.get(g["device_id"], {})
        g["day"] = numbers.get(g["device_id"], zero_day())
        g["quarantined"] = q.get(g["device_id"], 0)
        g["gaps"] = first_gaps.get(g["device_id"], [])
        g["gap_count"] = int(g["gap_count"])
        g["head"] = int(g["acked_seq"])
        g["last_seen"] = g["last_sync_utc"]
    return gates


def quarantine_rows(store: Store, limit: int = 100) -> list[dict[str, Any]]:
    """The newest quarantined events, for the page."""
    with store.tx() as tx:
        return tx.execute(
            "SELECT device_id, seq, event_id, kind, reason, received_utc "
            "FROM quarantine ORDER BY id DESC LIMIT ?",
            (limit,),
        )


def iter_export_rows(store: Store, day: str) -> Iterator[list[Any]]:
    """One row per event of that day across all gates, personal data masked, streamed from
    the database (memory flat in the number of events); a voided passage is marked in the last
    column (the page's counts leave it out the same way)."""
    for row in iter_raw_export_rows(store, day):
        yield ["" if v is None else v for v in row]


# a day's events for the exports: (device_id, seq, kind, body, voided target or NULL)
EXPORT_SQL = (
    "SELECT e.device_id, e.seq, e.kind, e.body, v.target_id AS voided "
    "FROM events e LEFT JOIN voided v ON v.device_id = e.device_id "
    "AND v.target_id = e.event_id WHERE e.local_date = ? ORDER BY e.device_id, e.seq"
)


def gate_names(store: Store) -> dict[str, str]:
    """Every gate's name by device id."""
    with store.tx() as tx:
        return {
            r["device_id"]: r["name"] for r in tx.execute("SELECT device_id, name FROM devices")
        }


def iter_raw_export_rows(store: Store, day: str) -> Iterator[list[Any]]:
    """iter_export_rows with None where a body has no value (the exports write it empty)."""
    names = gate_names(store)
    for device_id, seq, kind, text, voided in store.stream(EXPORT_SQL, (day,), tuples=True):
        yield raw_row(names.get(device_id, ""), device_id, seq, kind, export_fields(text), voided)


# the CSV's rows: the cells ingest stored, the body only where they were not stored
CSV_SQL = (
    "SELECT e.device_id, e.seq, e.kind, e.export_head, e.export_tail, "
    "CASE WHEN e.export_head IS NULL OR e.export_tail IS NULL THEN e.body END AS body, "
    "v.target_id AS voided FROM events e LEFT JOIN voided v ON v.device_id = e.device_id "
    "AND v.target_id = e.event_id WHERE e.local_date = ? ORDER BY e.device_id, e.seq"
)


class _Cells(dict[str, str]):
    """A value's CSV cell text, made the first time it is asked for (gate names, kinds)."""

    def __init__(self, line: CsvLine, made: Callable[[str], list[Any]]) -> None:
        super().__init__()
        self._line, self._made = line, made

    def __missing__(self, key: str) -> str:
        self[key] = text = self._line(self._made(key))
        return text


def iter_csv_lines(store: Store, day: str) -> Iterator[str]:
    """That day's rows as CSV lines (no line end), in export order: joined from the cells
    ingest stored, or, for an event stored without them, built from its body; the same text
    either way (server/export_rows.py)."""
    names = gate_names(store)
    line = CsvLine()
    gates = _Cells(line, lambda device_id: [names.get(device_id, ""), device_id])
    kinds = _Cells(line, lambda kind: [kind])
    for device_id, seq, kind, head, tail, text, voided in store.stream(
        CSV_SQL, (day,), tuples=True
    ):
        if text is None:
            mark = voided_cell(kind, voided)
            yield f"{gates[device_id]},{seq},{kinds[kind]},{head},{mark},{tail}"
        else:
            values = export_fields(text)
            yield line(raw_row(names.get(device_id, ""), device_id, seq, kind, values, voided))


def export_rows(store: Store, day: str) -> list[list[Any]]:
    """The same rows as a list (small days, tests)."""
    return list(iter_export_rows(store, day))
