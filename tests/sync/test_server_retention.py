"""The roll-ups check command and the server's retention (#15 items 1 and 5): a mismatch is
named and exits 1, --fix rebuilds; old days go in batches with their counts, a record dated by
a lying clock stays its period from arrival, and the officer is told before a day never
exported goes (page and command line). SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import main
from server import retention, rollups
from server.ingest import ingest
from server.officer import day_numbers, gaps, gate_rows, server_tz
from server.run import store_for
from server.store import Store

from .conftest import fresh_pg_schema
from .test_server_rollups import add_gate, chain, page, passages


@pytest.fixture(params=["sqlite", "postgres"])
def data_dir(request, tmp_path: Path, monkeypatch):
    """A server data dir the commands open (with $DATABASE_URL on PostgreSQL)."""
    with contextlib.ExitStack() as stack:
        if request.param == "postgres":
            monkeypatch.setenv("DATABASE_URL", stack.enter_context(fresh_pg_schema()))
        yield tmp_path


def test_the_check_names_a_mismatch_and_fix_rebuilds(data_dir, capsys):
    store = store_for(data_dir)
    try:
        ingest(store, "g", chain("g", passages("p", "2026-11-29", 4)))
        with store.tx() as tx:
            tx.execute("UPDATE day_rollups SET n = n + 5 WHERE name = 'in'")
    finally:
        store.close()
    base = ["--data-dir", str(data_dir), "--lang", "en"]
    assert main.main([*base, "server-rollups-check"]) == 1
    out = capsys.readouterr()
    assert "Mismatch: count g/2026-11-29/in: kept 9, the events say 4" in out.out
    assert "1 mismatches" in out.err
    assert main.main([*base, "server-rollups-check", "--fix"]) == 0
    assert "Counts rebuilt from the events (1 mismatches)" in capsys.readouterr().out
    assert main.main([*base, "server-rollups-check"]) == 0
    assert "The counts match the events (1 days, 1 gates)" in capsys.readouterr().out


def test_an_existing_database_gets_its_rollups_when_migrated(tmp_path):
    """Events stored before roll-ups were kept are counted by the migration that adds them."""
    from server.store import MIGRATIONS, SqliteStore

    old = SqliteStore(tmp_path / "server.db")
    names = [n for n, _ in MIGRATIONS]
    before = MIGRATIONS[: names.index("s006_rollups")]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("server.store.MIGRATIONS", before)
        old.migrate()
    rows = chain("g", passages("p", "2026-11-29", 3))
    with old.tx() as tx:
        tx.executemany(
            "INSERT INTO events(event_id, device_id, seq, kind, body, created_utc, prev_hash, "
            "hash, local_date, received_utc) VALUES (?, 'g', ?, ?, ?, 't', ?, ?, "
            "'2026-11-29', 't')",
            [
                (e["event_id"], e["seq"], e["kind"], e["body"], e["prev_hash"], e["hash"])
                for e in rows
                if e["seq"] != 2
            ],
        )
    old.migrate()
    assert day_numbers(old, "2026-11-29")["g"]["in"] == 2
    assert gaps(old, "g") == [(2, 2)]
    assert rollups.differences(old) == []
    old.close()


def _received_day(store: Store) -> date:
    with store.tx() as tx:
        text = tx.one("SELECT min(received_utc) AS r FROM events")["r"]
    return date.fromisoformat(text[:10])


def test_old_days_go_in_batches_with_their_counts_and_gaps(store):
    add_gate(store, "g")
    now = datetime.now(UTC).date()
    old, new = (now - timedelta(days=60)).isoformat(), (now + timedelta(days=10)).isoformat()
    specs = passages("o", old, 6) + passages("n", new, 3)
    specs[2] = {"kind": "void", "id": "v", "target_id": "o0", "reason": "r"}  # no day
    events = chain("g", specs)
    ingest(store, "g", [e for e in events if e["seq"] != 4])  # seq 4 never arrives: a gap
    assert gate_rows(store, new)[0]["gap_count"] == 1
    today = _received_day(store) + timedelta(days=30)  # received more than 28 days ago
    soon = retention.notice(store, today - timedelta(days=1), 28)
    assert soon is not None and [d for d, _ in soon.days] == [old]
    result = retention.purge(store, today, 28, batch=2)
    assert result.unexported == [old]
    assert result.counts["events"] == 5  # 4 old passages and the void (it has no day)
    assert day_numbers(store, old) == {}
    assert day_numbers(store, new)["g"]["in"] == 3
    row = gate_rows(store, new)[0]
    assert (row["gaps"], row["gap_count"]) == ([], 0)  # the gap was below what went
    assert rollups.differences(store) == []
    assert retention.notice(store, today, 28) is None


def test_a_day_from_a_lying_clock_stays_its_period_from_arrival(store):
    ingest(store, "g", chain("g", passages("p", "2000-01-01", 2, clock_suspect=1)))
    received = _received_day(store)
    kept = retention.purge(store, received, 28)
    assert kept.counts["events"] == 0 and day_numbers(store, "2000-01-01")["g"]["in"] == 2
    gone = retention.purge(store, received + timedelta(days=29), 28)
    assert gone.counts["events"] == 2 and day_numbers(store, "2000-01-01") == {}


def test_exporting_a_day_silences_the_notice(store):
    ingest(store, "g", chain("g", passages("p", "2026-11-01", 1)))
    today = date(2026, 11, 27)  # 2026-11-01 goes on 11-30
    soon = retention.notice(store, today, 28)
    assert soon is not None and soon.days == [("2026-11-01", "2026-11-30")]
    assert "2026-11-01 (2026-11-30 删除)" in soon.text("zh")
    assert retention.notice(store, date(2026, 11, 20), 28) is None  # not soon yet
    retention.note_export(store, "2026-11-01")
    assert retention.notice(store, today, 28) is None


def test_the_page_warns_until_the_day_is_exported(store, monkeypatch):
    monkeypatch.setenv(retention.RETENTION_ENV, "28")
    day = (datetime.now(server_tz()).date() - timedelta(days=27)).isoformat()
    ingest(store, "g", chain("g", passages("p", day, 1)))
    html = page(store, "/?lang=en")
    assert "<p id='retention' class='bad'>Never exported" in html and day in html
    assert page(store, f"/export.csv?date={day}").startswith("\ufeff")
    assert "id='retention'" not in page(store, "/?lang=en")


def test_the_purge_command_and_the_servers_own_run(data_dir, capsys):
    store = store_for(data_dir)
    try:
        ingest(store, "g", chain("g", passages("p", "2000-01-01", 3)))
        with store.tx() as tx:  # received long ago as well
            tx.execute("UPDATE events SET received_utc = '2000-01-02T00:00:00.000Z'")
    finally:
        store.close()
    base = ["--data-dir", str(data_dir), "--lang", "en"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(retention.RETENTION_ENV, "four weeks")
        assert main.main([*base, "server-purge"]) == 1
        assert "from 1 to 3650, not four weeks" in capsys.readouterr().err
        assert main.main([*base, "server", "--port", "1"]) == 1  # refused before it starts
        assert "not four weeks" in capsys.readouterr().err
    assert main.main([*base, "server-purge", "--retention-days", "30"]) == 0
    out = capsys.readouterr()
    assert "never exported and have been deleted: 2000-01-01" in out.err
    assert "3 events, 2 count rows" in out.out
    store = store_for(data_dir)
    try:
        ingest(store, "g", chain("g", passages("p", "2000-01-01", 4))[3:])
        with store.tx() as tx:
            tx.execute("UPDATE events SET received_utc = '2000-01-02T00:00:00.000Z'")
        timer = retention.PurgeTimer(
            store, lambda: datetime.now(UTC).date(), days=30, every=0.05
        ).start()
        try:
            deadline = datetime.now(UTC) + timedelta(seconds=10)
            while timer.runs < 1 and datetime.now(UTC) < deadline:
                timer._stop.wait(0.02)
        finally:
            timer.stop()
        with store.tx() as tx:
            assert tx.one("SELECT count(*) AS n FROM events")["n"] == 0
    finally:
        store.close()
