"""One record writer (#12): a full disk is the known db_write_failed, for every writer, and
nothing of the record or its event is left behind."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

import pytest

from app.errors import KnownError
from app.roster import passes
from app.roster.service import RosterService
from tests.fakes import roster_files as rf


class FullDisk:
    """The gate's connection, except that the disk fills up once `full` is set."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.full = False

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if self.full and sql.lstrip().upper().startswith(("INSERT", "UPDATE")):
            raise sqlite3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def counts(conn: sqlite3.Connection) -> tuple[int, ...]:
    return tuple(
        conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("residents", "roster_changes", "visitor_passes", "outbox")
    )


@pytest.fixture
def disk(gdb):
    return FullDisk(gdb.conn)


def test_a_resident_added_on_a_full_disk_is_a_known_message(gdb, clock, disk):
    roster = RosterService(gdb, clock)
    roster.conn = disk  # type: ignore[assignment]
    before = counts(gdb.conn)
    disk.full = True
    with pytest.raises(KnownError) as err:
        roster.add({"name": "张三", "id_number": rf.ZHANG, "building": "3", "room": "501"})
    assert err.value.code == "db_write_failed"
    assert "database or disk is full" not in err.value.message("zh")  # SQLite's words: log only
    assert err.value.message("zh").startswith("保存失败") and "未保存" in err.value.message("zh")
    assert counts(gdb.conn) == before and not gdb.conn.in_transaction


def test_issuing_a_pass_on_a_full_disk_is_a_known_message(gdb, clock, disk):
    roster = RosterService(gdb, clock)
    zhang = roster.add({"name": "张三", "id_number": rf.ZHANG, "building": "3", "room": "501"})
    passes.ensure_signing_key(gdb.conn, clock)
    before = counts(gdb.conn)
    disk.full = True
    today = date(2026, 11, 29)
    with pytest.raises(KnownError) as err:
        passes.resident_pass(disk, clock, zhang["id"], today, today)  # type: ignore[arg-type]
    assert err.value.code == "db_write_failed"
    assert counts(gdb.conn) == before
    assert roster.get(zhang["id"])["pass_serial"] == 0  # not issued, so not half issued


def test_a_visitor_pass_on_a_full_disk_is_a_known_message(gdb, clock, disk):
    passes.ensure_signing_key(gdb.conn, clock)
    before = counts(gdb.conn)
    disk.full = True
    with pytest.raises(KnownError) as err:
        passes.visitor_pass(disk, clock, "3-2-501", "王小明")  # type: ignore[arg-type]
    assert err.value.code == "db_write_failed"
    assert counts(gdb.conn) == before


def test_a_visitor_pass_still_writes_its_record_and_event_together(gdb, clock):
    pass_id, text = passes.visitor_pass(gdb.conn, clock, "3-2-501", "王小明")
    row = gdb.conn.execute("SELECT kind, body FROM outbox ORDER BY seq DESC LIMIT 1").fetchone()
    assert row["kind"] == "visitor_pass" and f'"id":{pass_id}' in row["body"].replace(" ", "")
    assert passes.resolve_pass(gdb.conn, text, clock.now()).ok
