"""The retention purge: which rows are old, and deleting them with their synced events (#5)."""

from __future__ import annotations

import sqlite3
from typing import Any


def _collect(conn: sqlite3.Connection, cutoff: str) -> None:
    """Fill temp.purge_ids with the ids of every record older than the cutoff date."""
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS purge_ids (id TEXT PRIMARY KEY, tbl TEXT NOT NULL)"
    )
    conn.execute("DELETE FROM temp.purge_ids")
    conn.execute(
        # a passage dated by a clock in doubt is never purged by that date (#17)
        "INSERT INTO temp.purge_ids SELECT id, 'passages' FROM passages "
        "WHERE local_date < ? AND coalesce(clock_suspect, 0) = 0",
        (cutoff,),
    )
    conn.execute(
        "INSERT INTO temp.purge_ids SELECT v.id, 'voids' FROM voids v "
        "JOIN temp.purge_ids p ON p.id = v.target_id"
    )
    conn.execute(
        "INSERT INTO temp.purge_ids SELECT id, 'fever_checks' FROM fever_checks f "
        "WHERE local_date < ? AND NOT EXISTS (SELECT 1 FROM passages p "
        "WHERE p.fever_check_id = f.id AND (p.local_date >= ? OR p.clock_suspect = 1))",
        (cutoff, cutoff),
    )
    conn.execute(
        "INSERT INTO temp.purge_ids SELECT id, 'shift_events' FROM shift_events WHERE shift_id IN ("
        " SELECT shift_id FROM shift_events GROUP BY shift_id"
        " HAVING max(local_date) < ? AND sum(kind = 'end') > 0)",
        (cutoff,),
    )
    conn.execute(
        "INSERT INTO temp.purge_ids SELECT id, 'shift_log' FROM shift_log WHERE local_date < ?",
        (cutoff,),
    )
    # a volunteer's phone goes when they were added before the period (a day's margin for
    # UTC vs local dates) and have no shift in it, nor one still open
    conn.execute(
        """
        INSERT INTO temp.purge_ids SELECT v.id, 'volunteer_phones' FROM volunteers v
        WHERE v.phone IS NOT NULL AND substr(v.ts_utc, 1, 10) < date(?, '-1 day')
          AND NOT EXISTS (
            SELECT 1 FROM shift_events s WHERE s.volunteer_id = v.id
              AND (s.local_date >= ? OR (s.kind = 'start' AND NOT EXISTS (
                SELECT 1 FROM shift_events e WHERE e.shift_id = s.shift_id AND e.kind = 'end'))))
        """,
        (cutoff, cutoff),
    )


def plan(conn: sqlite3.Connection, cutoff: str) -> dict[str, Any]:
    """What a purge before `cutoff` would remove, and how much of it is not yet synced."""
    _collect(conn, cutoff)
    counts = {
        r[0]: int(r[1])
        for r in conn.execute("SELECT tbl, count(*) FROM temp.purge_ids GROUP BY tbl")
    }
    unsynced = conn.execute(
        "SELECT count(*) FROM outbox o JOIN temp.purge_ids p ON p.id = o.event_id "
        "WHERE o.acked_utc IS NULL AND p.tbl != 'volunteer_phones'"
    ).fetchone()[0]
    days = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT local_date FROM passages "
            "WHERE local_date < ? AND coalesce(clock_suspect, 0) = 0 ORDER BY 1",
            (cutoff,),
        )
    ]
    return {"counts": counts, "unsynced": int(unsynced), "days": days}


def purge(conn: sqlite3.Connection, cutoff: str) -> dict[str, int]:
    """Delete old records (the caller holds the transaction). Outbox rows go only if acked,
    and only as an unbroken oldest-first run, so the remaining hash chain still verifies;
    unacked events of purged records stay until the sync sends them."""
    _collect(conn, cutoff)
    out: dict[str, int] = {}
    for table in ("voids", "passages", "fever_checks", "shift_log", "shift_events"):
        cur = conn.execute(
            f"DELETE FROM {table} WHERE id IN (SELECT id FROM temp.purge_ids WHERE tbl = ?)",
            (table,),
        )
        out[table] = cur.rowcount
    out["volunteer_phones"] = _forget_phones(conn)
    # the first event that must stay: not yet acked, or its record is still held here
    # (audit entries and volunteers are kept forever in their own tables; their acked
    # events may go with the run before it)
    held = " OR ".join(
        f"EXISTS (SELECT 1 FROM {t} r WHERE r.id = o.event_id)"
        for t in ("passages", "voids", "fever_checks", "shift_log", "shift_events")
    )
    row = conn.execute(
        f"SELECT seq FROM outbox o WHERE o.acked_utc IS NULL OR {held} ORDER BY seq LIMIT 1"
    ).fetchone()
    stop = row[0] if row else None
    if stop is None:
        stop = (conn.execute("SELECT max(seq) FROM outbox").fetchone()[0] or 0) + 1
    out["outbox"] = conn.execute("DELETE FROM outbox WHERE seq < ?", (stop,)).rowcount
    conn.execute("DELETE FROM temp.purge_ids")
    return out


def _forget_phones(conn: sqlite3.Connection) -> int:
    """Drop the collected volunteers' phones, keeping their names for the sign-in list.
    volunteers is append-only (no UPDATE), so the purge deletes the row and writes it again
    without the phone; one name-only row per name is enough."""
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS purge_volunteers (id TEXT PRIMARY KEY, ts_utc TEXT, "
        "name TEXT)"
    )
    conn.execute("DELETE FROM temp.purge_volunteers")
    conn.execute(
        "INSERT INTO temp.purge_volunteers SELECT id, ts_utc, name FROM volunteers "
        "WHERE id IN (SELECT id FROM temp.purge_ids WHERE tbl = 'volunteer_phones')"
    )
    gone = conn.execute(
        "DELETE FROM volunteers WHERE id IN (SELECT id FROM temp.purge_volunteers)"
    ).rowcount
    conn.execute(
        """
        INSERT INTO volunteers (id, ts_utc, name, phone)
        SELECT min(p.id), min(p.ts_utc), p.name, NULL FROM temp.purge_volunteers p
        WHERE NOT EXISTS (SELECT 1 FROM volunteers v WHERE v.name = p.name AND v.phone IS NULL)
        GROUP BY p.name
        """
    )
    conn.execute("DELETE FROM temp.purge_volunteers")
    return int(gone)
