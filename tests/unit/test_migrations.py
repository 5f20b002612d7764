"""Migrations: the recorded names and their order are frozen; old files are recognised (#11)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from app.database import open_database
from app.paths import database_path
from app.settings import Settings
from db import migrations
from db.connection import connect

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

# Stored in every gate's database: changing a name or the order breaks the gates in the field.
FROZEN = [
    "m001_gate_desk",
    "m003_shifts_officer_audit",
    "m003_shifts_counter_indexes",
    "m002_roster",
    "m004_sync_state",
    "m004_sync_usb_acks",
]


def _schema(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def test_the_recorded_names_and_their_order_are_frozen() -> None:
    assert migrations.known_names()[: len(FROZEN)] == FROZEN
    conn = connect(":memory:")
    assert migrations.migrate(conn) == len(migrations.STEPS)
    assert migrations.applied_names(conn) == migrations.known_names()


def _old_database(tmp_path: Path) -> Path:
    """A gate database exactly as the sqlite-utils runner left it before #11."""
    path = database_path(tmp_path)
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURES / "gate_db_before_11.sql").read_text(encoding="utf-8"))
    conn.close()
    return path


def test_a_database_migrated_by_the_old_code_is_recognised(tmp_path: Path) -> None:
    path = _old_database(tmp_path)
    conn = connect(path)
    before = _schema(conn)
    assert migrations.applied_names(conn) == FROZEN
    # the steps it knows (later steps, e.g. #17's, run when the app opens it)
    assert migrations.migrate(conn, migrations.STEPS[: len(FROZEN)]) == len(FROZEN)
    assert migrations.applied_names(conn) == FROZEN  # nothing ran twice, nothing new recorded
    assert _schema(conn) == before
    conn.close()
    gdb = open_database(tmp_path)  # the app opens it and keeps its data
    assert Settings(gdb.conn).get("checkpoint_id") == "north-gate"
    gdb.close()


def test_a_fresh_database_has_the_old_code_s_schema(tmp_path: Path) -> None:
    """Same tables, indexes and triggers as a file the old runner made (whitespace aside)."""
    old = connect(_old_database(tmp_path))
    new = connect(":memory:")
    migrations.migrate(new, migrations.STEPS[: len(FROZEN)])  # the old code's steps

    def squeeze(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [
            (name, re.sub(r"\s*([(),])\s*", r"\1", " ".join(sql.replace('"', "").split())))
            for name, sql in rows
        ]

    assert squeeze(_schema(new)) == squeeze(_schema(old))


def test_a_failing_step_leaves_no_table_and_no_record() -> None:
    conn = connect(":memory:")
    migrations.migrate(conn)

    def broken(c: sqlite3.Connection) -> None:
        c.execute("CREATE TABLE half_done (x INTEGER)")
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError):
        migrations.migrate(conn, [*migrations.STEPS, ("m999_broken", broken)])
    assert migrations.applied_names(conn) == migrations.known_names()
    assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'half_done'").fetchone() is None


def test_a_pending_step_runs_once_in_order() -> None:
    conn = connect(":memory:")
    migrations.migrate(conn)
    ran: list[str] = []

    def later(c: sqlite3.Connection) -> None:
        ran.append("m999_later")
        c.execute("CREATE TABLE later_table (x INTEGER)")

    steps = [*migrations.STEPS, ("m999_later", later)]
    assert migrations.migrate(conn, steps) == len(steps)
    assert migrations.migrate(conn, steps) == len(steps)
    assert ran == ["m999_later"]
    assert migrations.applied_names(conn)[-1] == "m999_later"
    with pytest.raises(migrations.NewerDatabase):  # and the build without it refuses the file
        migrations.migrate(conn)
