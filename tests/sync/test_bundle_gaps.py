"""Damaged outbox events never block a USB bundle: they are left out and declared as gaps,
which the server shows as gaps (#13 item 3, finding 10: a never-online gate could send
nothing at all)."""

from __future__ import annotations

import json
import sqlite3
import zipfile

import pytest

from app.sync.bundle import BundleRefused, export_bundle, verify_bundle
from server.bundles import import_bundle
from server.officer.queries import gaps

from .conftest import add_events, enrol_offline_gate


def _change_body(conn: sqlite3.Connection, seq: int) -> None:
    """What a flipped byte on disk does: the body changes, its stored hash does not."""
    conn.execute("UPDATE outbox SET body = replace(body, '\"n\":', '\"N\":') WHERE seq = ?", (seq,))


def test_bodies_off_the_chain_are_left_out_as_gaps_and_the_rest_arrives(store, gate, tmp_path):
    add_events(gate.conn, 40)
    _change_body(gate.conn, 7)
    _change_body(gate.conn, 30)
    _change_body(gate.conn, 31)
    path = export_bundle(gate.conn, tmp_path)  # was: bundle_write_failed (bad_hash)
    bundle = verify_bundle(path)
    assert bundle.manifest["gaps"] == [7, 30, 31]
    assert [e["seq"] for e in bundle.events] == [s for s in range(1, 41) if s not in (7, 30, 31)]
    assert bundle.manifest["count"] == 37 and bundle.manifest["last_seq"] == 40
    enrol_offline_gate(store, gate.conn)
    result = import_bundle(store, path).counts()
    assert result == {"accepted": 37, "duplicate": 0, "rejected": 0}
    assert gaps(store, gate.device.device_id) == [(7, 7), (30, 31)]
    # the next bundle starts after them: they never block a bundle again
    add_events(gate.conn, 3)
    (tmp_path / "next").mkdir()
    nxt = verify_bundle(export_bundle(gate.conn, tmp_path / "next"))
    assert nxt.manifest["first_seq"] == 41 and "gaps" not in nxt.manifest


def test_unreadable_outbox_rows_are_read_around(gate, tmp_path, monkeypatch):
    """A page SQLite cannot read: the export goes on row by row and declares the lost ones."""
    add_events(gate.conn, 12)
    real = gate.conn

    class Damaged:
        """The gate's connection, with rows 5 and 6 on an unreadable page."""

        def execute(self, sql: str, params: tuple = ()):
            if sql.startswith("SELECT * FROM outbox WHERE seq >= ?"):
                return _fail_after(real.execute(sql, params), 4)
            if sql.startswith("SELECT * FROM outbox WHERE seq = ?") and params[0] in (5, 6):
                raise sqlite3.DatabaseError("database disk image is malformed")
            return real.execute(sql, params)

        def __getattr__(self, name: str):
            return getattr(real, name)

    path = export_bundle(Damaged(), tmp_path)  # type: ignore[arg-type]
    bundle = verify_bundle(path)
    assert bundle.manifest["gaps"] == [5, 6]
    assert [e["seq"] for e in bundle.events] == [1, 2, 3, 4, *range(7, 13)]


def _fail_after(rows, n: int):
    for i, row in enumerate(rows):
        if i == n:
            raise sqlite3.DatabaseError("database disk image is malformed")
        yield row


def test_events_a_salvage_lost_are_declared_as_gaps(gate, tmp_path):
    """After a salvage the outbox has holes where rows were unreadable: the bundle declares
    them instead of failing its own read-back check (chain_broken_inside)."""
    add_events(gate.conn, 20)
    gate.conn.execute("DELETE FROM outbox WHERE seq IN (8, 9, 15)")  # what the salvage lost
    bundle = verify_bundle(export_bundle(gate.conn, tmp_path))
    assert bundle.manifest["gaps"] == [8, 9, 15] and bundle.manifest["count"] == 17


def test_a_gap_must_be_declared_in_the_signed_manifest(gate, tmp_path):
    """Events missing from the middle without being declared still break the bundle."""
    add_events(gate.conn, 10)
    _change_body(gate.conn, 4)
    path = export_bundle(gate.conn, tmp_path)
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    manifest = json.loads(members["manifest.json"])
    assert manifest["gaps"] == [4]
    manifest["gaps"] = "4"
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(forged, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, json.dumps(manifest) if name == "manifest.json" else data)
    with pytest.raises(BundleRefused):
        verify_bundle(forged)
