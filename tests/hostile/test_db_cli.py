"""`main.py db check` / `db salvage` on damaged files (#13 item 3)."""

from __future__ import annotations

import json
import os

import pytest

import main as gatepost_main
from app.database import check_database, open_database
from app.officer import OfficerAuth
from app.salvage import seq_ranges
from tests.fakes.damage import (
    PIN,
    change_outbox_body,
    corrupt_pages,
    damage_index_page,
    gate_with_records,
    snapshot,
)


def _closed_gate(tmp_path, clock, passages: int) -> tuple:
    data = tmp_path / "data"
    gdb = gate_with_records(data, clock, passages)
    before = snapshot(gdb.conn, "outbox")
    device_id = gdb.device.device_id
    gdb.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    gdb.close()
    return data, data / "gatepost.db", before, device_id


def _db(data, *args: str) -> int:
    return gatepost_main.main(["--data-dir", str(data), "--lang", "en", "db", *args])


def test_check_says_sound_with_exit_0(tmp_path, clock, capsys):
    data, _path, _before, _dev = _closed_gate(tmp_path, clock, 30)
    assert _db(data, "check", "--full") == 0
    assert "sound" in capsys.readouterr().out
    assert gatepost_main.main(["--data-dir", str(data), "--lang", "zh", "db", "check"]) == 0
    assert "完好" in capsys.readouterr().out


def test_check_full_finds_index_damage_quick_check_does_not(tmp_path, clock, capsys):
    data, path, _before, _dev = _closed_gate(tmp_path, clock, 400)
    damage_index_page(path)
    assert _db(data, "check", "--full") == 2
    err = capsys.readouterr().err
    assert "damaged (full integrity_check)" in err and "db salvage" in err


def test_check_finds_a_changed_outbox_body_by_its_sequence_number(tmp_path, clock, capsys):
    data, path, _before, _dev = _closed_gate(tmp_path, clock, 30)
    change_outbox_body(path, 17)
    # SQLite's own checks see nothing: only the hash chain can
    assert _db(data, "check") == 2
    err = capsys.readouterr().err
    assert "off the hash chain: 17." in err


def test_salvage_keeps_the_gate_and_prints_what_was_lost(tmp_path, clock, capsys):
    data, path, before, device_id = _closed_gate(tmp_path, clock, 1500)
    corrupt_pages(path, seed=2)
    damaged = path.read_bytes()
    assert _db(data, "salvage") == 0
    captured = capsys.readouterr()
    assert "salvage [" in captured.err and "100%" in captured.err  # the progress bar
    kept = list(data.glob("gatepost.db.damaged-*[0-9]"))
    assert len(kept) == 1 and kept[0].read_bytes() == damaged
    report = json.loads(kept[0].with_name(kept[0].name + ".report.json").read_text())
    assert f"{report['rows_lost']} lost" in captured.out
    again = open_database(data)
    assert again.device.device_id == device_id and OfficerAuth(again, clock).verify(PIN)
    lost = sorted(set(before) - set(snapshot(again.conn, "outbox")))
    again.close()
    for table, n in report["lost_by_table"].items():
        assert f"{table}: {n} rows lost" in captured.out
    if lost:  # the sequence numbers the server will show as gaps are printed
        assert report["outbox_lost_seqs"].split(",")[0] in captured.out
    health = check_database(data)
    assert health.problems == []  # SQLite finds nothing wrong in the salvaged file
    # bodies changed on disk stay off the chain (the server will get them as gaps)
    assert seq_ranges(health.outbox_bad_seqs) == report["outbox_bad_seqs"]
    assert not list(data.glob(".gatepost.db.salvage-*"))


def test_salvage_of_a_sound_file_does_nothing_unless_forced(tmp_path, clock, capsys):
    data, path, _before, _dev = _closed_gate(tmp_path, clock, 5)
    assert _db(data, "salvage") == 0
    assert "nothing to salvage" in capsys.readouterr().out
    assert not list(data.glob("gatepost.db.damaged-*"))
    assert _db(data, "salvage", "--force") == 0
    assert "0 lost" in capsys.readouterr().out and list(data.glob("gatepost.db.damaged-*"))


def test_salvage_refuses_while_the_gate_has_the_file_open(tmp_path, clock, capsys):
    gdb = gate_with_records(tmp_path / "data", clock, 3)
    # as if another, living process (our parent) had it open
    gdb.marker = gdb.marker.rename(gdb.marker.with_name(f".gatepost.db.open-{os.getppid()}"))
    try:
        assert _db(tmp_path / "data", "salvage", "--force") == 1
        assert "close it" in capsys.readouterr().err
    finally:
        gdb.close()


@pytest.mark.parametrize("after_rows", [1, 900])
def test_a_cancelled_salvage_leaves_the_file_as_it_was_and_no_half_file(
    tmp_path, clock, after_rows
):
    from app.database import salvage_database
    from app.salvage import SalvageCancelled

    data, path, _before, _dev = _closed_gate(tmp_path, clock, 1500)
    corrupt_pages(path, seed=3)
    damaged = path.read_bytes()
    seen: list[int] = []

    def cancelled() -> bool:
        return bool(seen) and seen[-1] >= after_rows

    with pytest.raises(SalvageCancelled):
        salvage_database(data, progress=lambda done, total: seen.append(done), cancelled=cancelled)
    assert path.read_bytes() == damaged
    assert sorted(p.name for p in data.iterdir() if "gatepost.db" in p.name) == ["gatepost.db"]
