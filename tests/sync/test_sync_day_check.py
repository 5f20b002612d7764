"""#17: backfilled passages reach the server as their own kind, in their paper day; the server
says whether a gate's signed day matches the events it holds."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone

import pytest

from app.errors import KnownError
from app.gate.backfill import PaperEntry, open_session
from app.gate.service import PassageDraft
from server import devices
from server.day_check import check_signed_day
from tests.fakes.sync_fakes import InProcessTransport

from .conftest import desk_day, make_client

CST = timezone(timedelta(hours=8))


def test_backfill_to_server_and_the_signed_day_checked_there(store, gate, tmp_path):
    _, desk, ident, reports = desk_day(gate, 3)
    desk.void_last("录入错误")
    session = open_session(desk, "246810")
    session.add(
        PaperEntry(
            datetime(2026, 11, 29, 5, 40, tzinfo=CST),
            page=2,
            identity=ident,
            temperature=36.6,
            code_color="green",
        )
    )
    client = make_client(gate.conn, InProcessTransport(store))
    client.enrol(devices.new_enrolment(store, "http://127.0.0.1:1"))
    assert client.run().ok
    with store.tx() as tx:
        held = tx.execute(
            "SELECT local_date FROM events WHERE device_id = ? AND kind = 'passage_backfill'",
            (gate.device.device_id,),
        )
    assert [e["local_date"] for e in held] == ["2026-11-29"]  # its paper day
    out = tmp_path / "d.csv"
    assert reports.export("csv", out, "2026-11-29", pin="246810") == 3  # 2 desk + 1 补录
    with open(out, encoding="utf-8-sig", newline="") as fh:
        digest_text = list(csv.reader(fh))[-1][3]
    (check,) = check_signed_day(store, digest_text)
    assert check.ok and (check.signed, check.held) == (3, 3) and check.head_held
    # a digest made before a passage reached the server: the counts differ, said so
    desk.record(PassageDraft(code_color="green", temperature="36.5", identity=ident))
    reports.export("csv", out, "2026-11-29", pin="246810")
    with open(out, encoding="utf-8-sig", newline="") as fh:
        later = list(csv.reader(fh))[-1][3]
    (check,) = check_signed_day(store, later)
    assert not check.ok and (check.signed, check.held) == (4, 3) and not check.head_held


def test_a_day_signed_by_a_key_the_server_does_not_know_is_refused(store, gate, tmp_path):
    reports = desk_day(gate, 0)[3]
    out = tmp_path / "d.csv"
    reports.export("csv", out, "2026-11-29", pin="246810")  # this gate never enrolled here
    with open(out, encoding="utf-8-sig", newline="") as fh:
        digest_text = list(csv.reader(fh))[-1][3]
    with pytest.raises(KnownError) as err:
        check_signed_day(store, digest_text)
    assert err.value.code == "verify_other_gate"
