"""An event's CSV cells written at ingest (#15): the district day's CSV joins the stored text
instead of decoding every body, and its bytes are the bytes of reading every body with json,
whether the cells were stored (events synced through ingest) or not (stored before s007: the
other test file's days are written straight into the table)."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ids import uuid7
from db import outbox
from db.connection import transaction
from server import ingest as ingest_mod
from server.export_rows import BODY_FIELDS, CsvLine, raw_row, stored_cells, voided_cell
from server.officer import exports as ex
from server.rollups import PASSAGE_KINDS
from server.store import PostgresStore, Tx
from tests.fakes.sync_fakes import InProcessTransport

from .conftest import enrol_gate
from .test_export_fast_path import BODIES, DAY, _reference_csv


def _append(conn, kind: str, body: dict) -> str:
    body = {"id": uuid7(), "local_date": DAY, **body}
    with transaction(conn):
        outbox.append(conn, body["id"], kind, body, "2026-11-29T00:00:00Z")
    return body["id"]


def _cells(store) -> list[tuple]:
    with store.tx() as tx:
        rows = tx.execute("SELECT seq, export_head, export_tail FROM events ORDER BY seq")
    return [(r["seq"], r["export_head"], r["export_tail"]) for r in rows]


def test_synced_events_carry_their_cells_and_the_csv_is_the_same(store, gate):
    client = enrol_gate(store, gate, InProcessTransport(store), name="=北门")
    ids = [_append(gate.conn, kind, b) for b in BODIES for kind in PASSAGE_KINDS]
    _append(gate.conn, "fever_check", {"temperature": 38.1, "person_name": "王五"})
    _append(gate.conn, "void", {"target_id": ids[0], "reason": "wrong"})
    assert client.run().ok
    # a void of a passage synced in an earlier batch: the stored cells do not change, the
    # export marks it (the cells never hold what can change after ingest)
    _append(gate.conn, "void", {"target_id": ids[3], "reason": "wrong"})
    assert client.run().ok
    cells = _cells(store)
    assert len(cells) == len(ids) + 3 and all(h is not None and t is not None for _, h, t in cells)
    assert any("3502**********1234" in h for _, h, _ in cells)  # masked when stored
    assert not any("350203199001011234" in h for _, h, _ in cells)
    got = ex.csv_bytes(store, DAY)
    assert got == _reference_csv(store, DAY)
    text = got.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sum(r["voided"] == "voided" for r in rows) == 2
    assert rows[0]["gate"] == "'=北门" and "'=cmd|" in text


def _event(seq: int, prev: str, body_text: str) -> dict:
    eid = uuid7()
    digest = outbox.chain_hash(prev, eid, "passage", body_text)
    return {
        "seq": seq,
        "event_id": eid,
        "kind": "passage",
        "body": body_text,
        "created_utc": "2026-11-29T00:00:00Z",
        "prev_hash": prev,
        "hash": digest,
    }


def test_cells_that_cannot_be_stored_are_built_at_export(store):
    with store.tx() as tx:
        tx.execute(
            "INSERT INTO devices(device_id, public_key, key_id, enrolled_via, enrolled_utc) "
            "VALUES ('g1', 'k', 'k1', 't', 't')"
        )
    # JSON text a gate could sign: a NUL (no PostgreSQL text holds it) and a lone surrogate
    nul = _event(1, outbox.GENESIS, '{"local_date":"' + DAY + '","volunteer":"nul\\u0000here"}')
    lone = _event(2, nul["hash"], '{"local_date":"' + DAY + '","volunteer":"\\ud800 lone"}')
    result = ingest_mod.ingest(store, "g1", [nul, lone])
    assert [v.status for v in result.verdicts] == ["accepted", "accepted"]
    (_, h1, t1), (_, h2, _) = _cells(store)
    assert h1 is None and t1 is None  # read from the body at export time
    assert h2 is not None and "? lone" in h2  # the export writes a lone surrogate as "?"
    got = ex.csv_bytes(store, DAY)
    assert got == _reference_csv(store, DAY, errors="replace")
    assert "nul\x00here" in got.decode("utf-8-sig")


def test_personal_data_sent_as_numbers_is_masked_not_a_failed_batch(store, gate):
    client = enrol_gate(store, gate, InProcessTransport(store))
    _append(gate.conn, "passage", {"id_number": 350203199001011234, "phone": 13800001234})
    _append(gate.conn, "passage", {"person_name": True, "phone": [1, 2]})
    assert client.run().accepted == 2
    text = ex.csv_bytes(store, DAY).decode("utf-8-sig")
    assert "3502**********1234" in text and "138****1234" in text
    assert "350203199001011234" not in text and "13800001234" not in text


_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["=1", "+1", "-", "-1", "@x", "\t=1", "\r=1", 'a"b', "a,b", "a\nb", "'"]),
)
_values = st.one_of(_scalar, st.lists(_scalar, max_size=2))


@settings(max_examples=300, deadline=None)
@given(
    body=st.dictionaries(st.sampled_from(BODY_FIELDS), _values),
    kind=st.sampled_from([*PASSAGE_KINDS, "fever_check", "void", "=k", "a,b", ""]),
    voided=st.sampled_from([None, "t"]),
    name=st.text(max_size=6),
)
def test_a_row_joined_from_stored_cells_is_the_row_written_whole(body, kind, voided, name):
    line = CsvLine()
    head, tail = stored_cells(line, kind, body)
    whole = line(raw_row(name, "dev", 7, kind, [body.get(f) for f in BODY_FIELDS], voided))
    if head is None:
        assert "\x00" in whole
        return
    joined = f"{line([name, 'dev'])},7,{line([kind])},{head},{voided_cell(kind, voided)},{tail}"
    assert joined.encode("utf-8", "replace") == whole.encode("utf-8", "replace")


def test_insert_new_inserts_all_or_nothing(store):
    row = ("e1", "g1", 1, "passage", "{}", "t", "p", "h", DAY, "t", "a", "b")
    with store.tx() as tx:
        assert tx.insert_new("events", ingest_mod.EVENT_COLUMNS, [row]) is (
            store.dialect == "postgres"
        )
        if store.dialect == "sqlite":
            tx.executemany(ingest_mod._INSERT, [row])
    with store.tx() as tx:
        # the second row's key is taken: nothing of the batch is inserted, the transaction
        # goes on (a savepoint, not an aborted transaction)
        fresh = ("e2", "g1", 2, *row[3:])
        assert tx.insert_new("events", ingest_mod.EVENT_COLUMNS, [fresh, row]) is False
        assert tx.one("SELECT count(*) AS n FROM events")["n"] == 1


def test_a_race_lost_during_the_fast_insert_is_quarantined(store, gate, monkeypatch):
    if not isinstance(store, PostgresStore):
        pytest.skip("SQLite has one writer: no race between the check and the insert")
    client = enrol_gate(store, gate, InProcessTransport(store))
    ids = [_append(gate.conn, "passage", {"n": i}) for i in range(5)]
    real = Tx.insert_new

    def racing(tx, table, columns, rows):
        # another gate's batch commits an event with our third id after our checks
        with store.tx() as other:
            other.execute(
                "INSERT INTO events(event_id, device_id, seq, kind, body, created_utc, "
                "prev_hash, hash, received_utc) VALUES (?, 'other', 1, 'x', '{}', 't', 'p', "
                "'zz', 't')",
                (ids[2],),
            )
        return real(tx, table, columns, rows)

    monkeypatch.setattr(Tx, "insert_new", racing)
    report = client.run()
    assert report.ok and report.accepted == 4 and report.rejected == 1
    with store.tx() as tx:
        q = tx.execute("SELECT reason FROM quarantine")
        mine = tx.one(
            "SELECT count(*) AS n FROM events WHERE device_id = ?", (gate.device.device_id,)
        )
    assert [r["reason"] for r in q] == ["conflict_same_id"] and mine["n"] == 4
    monkeypatch.setattr(Tx, "insert_new", real)  # the next batch takes the fast way again
    _append(gate.conn, "passage", {"n": 5})
    assert client.run().accepted == 1
    with store.tx() as tx:
        unstored = tx.one(
            "SELECT count(*) AS n FROM events WHERE device_id = ? AND export_head IS NULL",
            (gate.device.device_id,),
        )
    assert unstored["n"] == 0
