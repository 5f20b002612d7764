"""Queries for residents, their change log, pass keys and visitor passes. No rules here."""

from __future__ import annotations

import sqlite3
from typing import Any

RESIDENT_FIELDS = (
    "id_number",
    "name",
    "phone",
    "building",
    "unit",
    "room",
    "household",
    "tags",
    "status",
    "obs_start",
    "obs_end",
)
CHANGE_COLUMNS = ("id", "ts_utc", "ts_local", "resident_id", "action", "who", "source", "state")


def _dict(row: sqlite3.Row | None) -> dict[str, Any] | None:
    return dict(row) if row is not None else None


def insert_resident(conn: sqlite3.Connection, row: dict[str, Any]) -> int:
    cols = (*RESIDENT_FIELDS, "pass_serial", "updated_utc", "updated_by")
    cur = conn.execute(
        f"INSERT INTO residents ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
        [row.get(c) if c != "pass_serial" else row.get(c, 0) for c in cols],
    )
    return int(cur.lastrowid or 0)


def update_resident(conn: sqlite3.Connection, resident_id: int, fields: dict[str, Any]) -> None:
    allowed = set(RESIDENT_FIELDS) | {"pass_serial", "updated_utc", "updated_by"}
    bad = set(fields) - allowed
    if bad:
        raise ValueError(f"not resident fields: {sorted(bad)}")
    sets = ", ".join(f"{k} = ?" for k in fields)
    conn.execute(f"UPDATE residents SET {sets} WHERE id = ?", [*fields.values(), resident_id])


def insert_change(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    marks = ", ".join("?" for _ in CHANGE_COLUMNS)
    conn.execute(
        f"INSERT INTO roster_changes ({', '.join(CHANGE_COLUMNS)}) VALUES ({marks})",
        [row.get(c) for c in CHANGE_COLUMNS],
    )


def get_resident(conn: sqlite3.Connection, resident_id: int) -> dict[str, Any] | None:
    return _dict(conn.execute("SELECT * FROM residents WHERE id = ?", (resident_id,)).fetchone())


def get_by_id_number(conn: sqlite3.Connection, id_number: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM residents WHERE id_number = ?", (id_number,)).fetchone()
    return _dict(row)


def all_residents(conn: sqlite3.Connection, building: str | None = None) -> list[dict[str, Any]]:
    order = "ORDER BY building, unit, room, name, id"
    if building is None:
        rows = conn.execute(f"SELECT * FROM residents {order}").fetchall()
    else:
        rows = conn.execute(
            f"SELECT * FROM residents WHERE building = ? {order}", (building,)
        ).fetchall()
    return [dict(r) for r in rows]


def residents_by_id_number(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    rows = conn.execute("SELECT * FROM residents WHERE id_number IS NOT NULL")
    return {r["id_number"]: dict(r) for r in rows}


def search(conn: sqlite3.Connection, text: str, limit: int = 200) -> list[dict[str, Any]]:
    """By name, room (501 or 3-2-501), or the last 4 digits of a phone or ID number."""
    q = text.strip()
    if not q:
        return all_residents(conn)[:limit]
    like = f"%{q}%"
    suffix = f"%{q}" if len(q) == 4 else "\x00"  # only 4 characters search phone/ID tails
    rows = conn.execute(
        """
        SELECT * FROM residents
        WHERE name LIKE ? OR room = ? OR (building || '-' || unit || '-' || room) = ?
           OR (building || '-' || room) = ? OR household = ?
           OR phone LIKE ? OR id_number LIKE ?
        ORDER BY building, unit, room, name, id LIMIT ?
        """,
        (like, q, q, q, q, suffix, suffix, limit),
    ).fetchall()
    return [dict(r) for r in rows]


def household_members(conn: sqlite3.Connection, household: str) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT * FROM residents WHERE household = ? ORDER BY id", (household,))
    return [dict(r) for r in rows]


def changes_of(conn: sqlite3.Connection, resident_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT * FROM roster_changes WHERE resident_id = ? ORDER BY ts_utc, rowid", (resident_id,)
    )
    return [dict(r) for r in rows]


# ----- gate look-ups
def household_out_today(
    conn: sqlite3.Connection, household: str, local_date: str
) -> list[dict[str, Any]]:
    """Residents of a household who went out (passed) on a day; voided passages excluded."""
    rows = conn.execute(
        """
        SELECT DISTINCT r.id, r.name FROM passages p
        JOIN residents r ON r.id = p.resident_id
        LEFT JOIN voids v ON v.target_id = p.id
        WHERE v.id IS NULL AND p.local_date = ? AND p.direction = 'out'
          AND p.decision = 'pass' AND r.household = ?
        ORDER BY r.id
        """,
        (local_date, household),
    )
    return [dict(r) for r in rows]


def passages_with_hash(
    conn: sqlite3.Connection, payload_hash: str, local_date: str
) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT p.* FROM passages p LEFT JOIN voids v ON v.target_id = p.id "
        "WHERE v.id IS NULL AND p.payload_hash = ? AND p.local_date = ? ORDER BY p.ts_utc",
        (payload_hash, local_date),
    )
    return [dict(r) for r in rows]


# ----- keys
def pass_keys(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute("SELECT * FROM pass_keys ORDER BY created_utc")]


def signing_key(conn: sqlite3.Connection) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT * FROM pass_keys WHERE private_key IS NOT NULL ORDER BY created_utc LIMIT 1"
    ).fetchone()
    return _dict(row)


def insert_key(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO pass_keys(key_id, public_key, private_key, label, created_utc) "
        "VALUES (?, ?, ?, ?, ?)",
        (
            row["key_id"],
            row["public_key"],
            row.get("private_key"),
            row.get("label", ""),
            row["created_utc"],
        ),
    )


# ----- visitor passes
def insert_visitor_pass(conn: sqlite3.Connection, row: dict[str, Any]) -> int:
    cols = (
        "event_id",
        "ts_utc",
        "host_household",
        "visitor_name",
        "valid_from",
        "valid_until",
        "issued_by",
    )
    cur = conn.execute(
        f"INSERT INTO visitor_passes ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
        [row[c] for c in cols],
    )
    return int(cur.lastrowid or 0)


def get_visitor_pass(conn: sqlite3.Connection, pass_id: int) -> dict[str, Any] | None:
    return _dict(conn.execute("SELECT * FROM visitor_passes WHERE id = ?", (pass_id,)).fetchone())
