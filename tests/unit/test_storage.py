import sqlite3

import pytest

from app.database import open_database
from app.errors import KnownError, NewerDatabaseError
from app.gate.service import GateService, PassageDraft
from db import outbox, records
from db.connection import connect, transaction


def count(conn, table):
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_file_database_is_durable(tmp_path):
    gdb = open_database(tmp_path)
    assert gdb.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert gdb.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert gdb.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    gdb.close()


def test_every_passage_has_its_outbox_event(service):
    service.record(PassageDraft(code_color="green", payload_text="p1", temperature="365"))
    service.record(PassageDraft(code_color="red", payload_text="p2"))
    service.void_last("录入错误")
    conn = service.conn
    ids = {r[0] for r in conn.execute("SELECT id FROM passages UNION SELECT id FROM voids")}
    events = {r[0] for r in conn.execute("SELECT event_id FROM outbox")}
    assert ids == events and len(ids) == 3
    seqs = [r[0] for r in conn.execute("SELECT seq FROM outbox ORDER BY seq")]
    assert seqs == [1, 2, 3]
    assert outbox.verify_chain(conn)


def test_a_transaction_failing_half_way_leaves_nothing(service, monkeypatch, caplog):
    def broken_append(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(outbox, "append", broken_append)
    with pytest.raises(KnownError) as err:
        service.record(PassageDraft(code_color="green", payload_text="p1", temperature="36.5"))
    assert err.value.code == "db_write_failed"
    zh, en = err.value.message("zh"), err.value.message("en")
    assert "未保存" in zh and "NOT saved" in en  # never "nothing was lost" (#13 item 12)
    assert "disk is full" not in zh and "database or" not in zh  # SQLite's English: log only
    assert "database or disk is full" in caplog.text
    assert count(service.conn, "passages") == 0
    assert count(service.conn, "outbox") == 0


def test_a_failed_outbox_insert_rolls_back_the_passage(service):
    # the event id already exists in the outbox: the passage must not be written alone
    conn = service.conn
    with transaction(conn):
        outbox.append(conn, "dup-id", "x", {}, "2026-01-01T00:00:00Z")
    row = service._base_row(PassageDraft(code_color="green"))
    row.update(id="dup-id", decision="pass", temperature=36.5)
    with pytest.raises(sqlite3.IntegrityError):
        with transaction(conn):
            records.insert_passage(conn, row)
            outbox.append(conn, row["id"], "passage", row, row["ts_utc"])
    assert count(conn, "passages") == 0


def test_outbox_append_outside_a_transaction_is_a_bug(gdb):
    with pytest.raises(RuntimeError):
        outbox.append(gdb.conn, "e1", "passage", {}, "t")


def test_records_are_append_only(service):
    service.record(PassageDraft(code_color="green", payload_text="p1", temperature="36.5"))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        service.conn.execute("UPDATE passages SET decision = 'refused'")


def test_raw_payload_is_never_stored(service):
    secret = "https://jkm.example/v?token=SECRET-TOKEN-123"
    service.record(PassageDraft(code_color="green", payload_text=secret, temperature="36.5"))
    dump = "\n".join(service.conn.iterdump())
    assert "SECRET-TOKEN-123" not in dump
    row = service.conn.execute("SELECT payload_hash FROM passages").fetchone()
    assert row[0] == service.hash_payload(secret)


def test_newer_database_is_refused(tmp_path):
    gdb = open_database(tmp_path)
    gdb.conn.execute("PRAGMA user_version = 999")
    gdb.close()
    with pytest.raises(NewerDatabaseError) as err:
        open_database(tmp_path)
    assert "999" in err.value.message("zh")


def test_unknown_migration_is_refused(tmp_path):
    gdb = open_database(tmp_path)
    gdb.conn.execute(
        "INSERT INTO _sqlite_migrations(migration_set, name, applied_at) "
        "VALUES ('gatepost', 'm999_from_the_future', '2030-01-01')"
    )
    gdb.close()
    with pytest.raises(NewerDatabaseError):
        open_database(tmp_path)


def test_damaged_file_is_moved_aside_and_gate_keeps_working(tmp_path, clock):
    gdb = open_database(tmp_path)
    GateService(gdb, clock).record(
        PassageDraft(code_color="green", payload_text="hc:p", temperature="36.5")
    )
    gdb.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    gdb.close()
    path = tmp_path / "gatepost.db"
    raw = bytearray(path.read_bytes())
    raw[100:4096] = b"\xff" * (4096 - 100)  # trash the first page after the header
    raw[0:16] = b"garbage garbage!"
    path.write_bytes(bytes(raw))
    reopened = open_database(tmp_path)
    assert reopened.moved_aside is not None and reopened.moved_aside.exists()
    assert "damaged" in reopened.moved_aside.name
    warning = reopened.warning()
    assert warning is not None and "损坏" in warning.message("zh")
    out = GateService(reopened, clock).record(
        PassageDraft(code_color="green", payload_text="hc:p", temperature="36.6")
    )
    assert out.kind == "passage"
    reopened.close()


def test_records_survive_a_reopen(tmp_path, clock):
    gdb = open_database(tmp_path)
    GateService(gdb, clock).record(
        PassageDraft(code_color="green", payload_text="hc:p", temperature="36.5")
    )
    gdb.conn.close()  # no clean shutdown, no checkpoint
    again = connect(tmp_path / "gatepost.db")
    assert count(again, "passages") == 1 and count(again, "outbox") == 1


def test_a_connection_stays_on_the_thread_that_opened_it(tmp_path):
    """A connection per thread (#12): using one from another thread fails loudly."""
    import sqlite3
    import threading

    from db.connection import connect

    conn = connect(tmp_path / "gate.db")
    errors: list[BaseException] = []

    def other_thread() -> None:
        try:
            conn.execute("SELECT 1")
        except BaseException as exc:  # noqa: BLE001 - the test looks at it
            errors.append(exc)

    t = threading.Thread(target=other_thread)
    t.start()
    t.join()
    conn.close()
    assert len(errors) == 1 and isinstance(errors[0], sqlite3.ProgrammingError)
