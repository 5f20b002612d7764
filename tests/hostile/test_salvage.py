"""Damage found and survived (#13 items 3, 10, 11) and a fast start (#12 item 5)."""

from __future__ import annotations

import json
import shutil

import pytest

from app import database
from app.database import check_health, open_database, salvage_database
from app.gate.service import GateService, PassageDraft
from app.officer import OfficerAuth
from app.reports.service import ReportService
from app.sync.bundle import export_bundle, verify_bundle
from app.sync.identity import load_identity
from db import connection
from tests.fakes.damage import (
    PIN,
    close_for_damage,
    corrupt_pages,
    damage_index_page,
    garble_schema,
    gate_with_records,
    readable_rows,
    snapshot,
)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_salvage_keeps_identity_pin_pairing_and_every_readable_record(tmp_path, clock, seed):
    data = tmp_path / "data"
    gdb = gate_with_records(data, clock)
    device_id = gdb.device.device_id
    before = {t: snapshot(gdb.conn, t) for t in ("passages", "outbox")}
    keep = {t: snapshot(gdb.conn, t) for t in ("device", "officer_pin", "sync_identity")}
    settings = snapshot(gdb.conn, "settings")
    path = close_for_damage(gdb)
    corrupt_pages(path, seed)
    damaged_copy = tmp_path / "damaged-copy.db"
    shutil.copyfile(path, damaged_copy)
    readable = {t: readable_rows(damaged_copy, t, before[t]) for t in before}

    report = salvage_database(data, now=clock.now())

    assert report.moved.exists() and report.moved.read_bytes() == damaged_copy.read_bytes()
    again = open_database(data)
    for table, rows in keep.items():
        assert snapshot(again.conn, table) == rows, table
    assert again.device.device_id == device_id
    assert snapshot(again.conn, "settings") == settings
    assert OfficerAuth(again, clock).verify(PIN)
    assert load_identity(again.conn).token == "token-abc"
    for table in ("passages", "outbox"):
        salvaged = snapshot(again.conn, table)
        # garbage a damaged page still yields (breaking the schema's checks) is set aside
        aside = {row[0]: tuple(row) for row in report.tables[table].quarantined}
        missing = set(readable[table]) - set(salvaged) - set(aside)
        assert not missing, f"{table}: readable rows not salvaged: {sorted(missing)[:10]}"
        for rid, row in readable[table].items():
            assert salvaged.get(rid, aside.get(rid)) == row
        assert len(salvaged) >= len(before[table]) - 40  # six damaged pages lose few rows
    aside = {row[0] for row in report.tables["outbox"].quarantined}
    lost_seqs = sorted(set(before["outbox"]) - set(snapshot(again.conn, "outbox")) - aside)
    assert report.outbox_lost_seqs == lost_seqs
    assert report.tables["outbox"].lost == len(lost_seqs)
    written = json.loads(report.moved.with_name(report.moved.name + ".report.json").read_text())
    assert written["rows_lost"] == report.rows_lost
    # the gate goes on; a new event never reuses a sequence number the old file handed out
    out = GateService(again, clock).record(
        PassageDraft(code_color="green", payload_text="hc:p", temperature="36.6")
    )
    seq = again.conn.execute("SELECT seq FROM outbox WHERE event_id = ?", (out.record["id"],))
    assert seq.fetchone()[0] > max(before["outbox"])
    message = report.message()
    assert "抢救" in message.message("zh") and "salvaged" not in message.message("zh")
    again.close()


def test_a_damaged_header_is_salvaged_at_start_not_replaced(tmp_path, clock):
    data = tmp_path / "data"
    gdb = gate_with_records(data, clock, passages=50)
    device_id = gdb.device.device_id
    path = close_for_damage(gdb)
    raw = bytearray(path.read_bytes())
    raw[21:24] = b"\x00\x00\x00"  # payload fractions: SQLite reads on, the header check does not
    path.write_bytes(bytes(raw))
    again = open_database(data)
    assert again.salvage is not None and again.moved_aside is not None
    assert again.device.device_id == device_id  # was: a new device, no PIN, no pairing
    assert OfficerAuth(again, clock).verify(PIN)
    assert again.conn.execute("SELECT count(*) FROM passages").fetchone()[0] == 50
    warning = again.warning()
    assert warning is not None and warning.code == "db_salvaged"
    again.close()


@pytest.mark.parametrize("in_name", [False, True], ids=["statement", "name"])
@pytest.mark.parametrize("how", ["by hand", "clean start", "after a crash"])
def test_a_garbled_schema_loses_no_row(tmp_path, clock, in_name, how):
    """SQLite refuses every table of a file whose schema it cannot parse (and a garbled name
    in its message is not even UTF-8): the check says so, the start salvages, the salvage
    puts the gate's own statements back on its scratch copy and copies everything."""
    data = tmp_path / "data"
    gdb = gate_with_records(data, clock, passages=50)
    device_id = gdb.device.device_id
    gdb.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if how == "after a crash":
        gdb.conn.close()
        gdb.marker.rename(gdb.marker.with_name(".gatepost.db.open-999999999"))
    else:
        gdb.close()
    garble_schema(data / "gatepost.db", in_name=in_name)
    health = check_health(data / "gatepost.db")
    assert not health.ok and health.problems  # was: UnicodeDecodeError, a bug
    (data / ".gatepost.db.salvage-requested").unlink()  # only the start's own checks below
    if how == "by hand":
        report = salvage_database(data, now=clock.now())
        again = open_database(data)
    else:
        again = open_database(data)
        report = again.salvage
    assert report is not None and report.rows_lost == 0 and not report.lost_tables()
    assert again.device.device_id == device_id and OfficerAuth(again, clock).verify(PIN)
    assert again.conn.execute("SELECT count(*) FROM passages").fetchone()[0] == 50
    again.close()


def test_a_clean_start_runs_no_quick_check(tmp_path, clock, monkeypatch):
    gdb = gate_with_records(tmp_path / "data", clock, passages=5)
    gdb.close()
    calls = []
    real = database.salvage_db.check
    monkeypatch.setattr(
        database.salvage_db, "check", lambda *a, **k: calls.append(k) or real(*a, **k)
    )
    open_database(tmp_path / "data").close()
    assert calls == []  # header and schema version only


def test_after_an_unclean_shutdown_start_runs_quick_check(tmp_path, clock, monkeypatch):
    gdb = gate_with_records(tmp_path / "data", clock, passages=5)
    gdb.conn.close()  # killed: no clean close, the marker stays
    marker = gdb.marker
    assert marker is not None and marker.exists()
    dead = marker.with_name(marker.name.rsplit("-", 1)[0] + "-999999999")
    marker.rename(dead)  # as if the pid were gone
    calls = []
    real = database.salvage_db.check
    monkeypatch.setattr(
        database.salvage_db, "check", lambda *a, **k: calls.append(k) or real(*a, **k)
    )
    again = open_database(tmp_path / "data")
    assert calls == [{"full": False}] and not dead.exists()
    assert again.salvage is None
    again.close()


def test_background_check_finds_index_damage_and_the_next_start_salvages(tmp_path, clock):
    data = tmp_path / "data"
    gdb = gate_with_records(data, clock, passages=400)
    device_id = gdb.device.device_id
    path = close_for_damage(gdb)
    damage_index_page(path)
    health = check_health(path)
    assert not health.ok and health.problems and health.full
    assert database.health_warning(health).code == "db_check_damaged"
    again = open_database(data)
    assert again.salvage is not None and again.device.device_id == device_id
    assert again.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert again.conn.execute("SELECT count(*) FROM passages").fetchone()[0] == 400
    again.close()


def test_a_changed_outbox_body_is_found_by_the_chain_check(tmp_path, clock):
    data = tmp_path / "data"
    gdb = gate_with_records(data, clock, passages=20)
    path = close_for_damage(gdb)
    raw = path.read_bytes()
    at = raw.rindex("居民00007".encode())  # the last copy is in an outbox body or a passage
    path.write_bytes(raw[:at] + "居民00009".encode() + raw[at + len("居民00007".encode()) :])
    health = check_health(path)
    body_changed = health.outbox_bad_seqs
    passage_changed = not body_changed
    assert body_changed or passage_changed  # quick_check sees neither: only the chain can


def test_export_and_bundle_survive_undecodable_text(tmp_path, clock):
    data = tmp_path / "data"
    gdb = gate_with_records(data, clock, passages=10)
    day = clock.now().date().isoformat()
    path = close_for_damage(gdb)
    name = "居民00003".encode()
    raw = path.read_bytes()
    assert name in raw
    path.write_bytes(raw.replace(name, b"\xff\xfe" + name[2:]))  # same length, not UTF-8
    gdb = open_database(data)
    out = tmp_path / "day.csv"
    rows = ReportService(gdb, clock).export("csv", out, day, pin=PIN)
    assert rows == 10 and "\ufffd" in out.read_text(encoding="utf-8-sig")
    bundles = tmp_path / "stick"
    bundles.mkdir()
    # the bundle reads the row too (no OperationalError any more); the changed body no longer
    # matches its hash: it is left out and declared as a gap, the rest is sent (#13 item 3)
    bundle = verify_bundle(export_bundle(gdb.conn, bundles))
    events = gdb.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    assert len(bundle.manifest["gaps"]) == 1 and bundle.manifest["count"] == events - 1
    gdb.close()


def test_markers_tell_a_clean_close_from_a_crash(tmp_path, clock):
    gdb = gate_with_records(tmp_path / "data", clock, passages=1)
    path = gdb.path
    assert connection.stale_markers(path) == [] and gdb.marker.exists()
    gdb.close()
    assert list(path.parent.glob(".gatepost.db.open-*")) == []
