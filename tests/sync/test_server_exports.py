"""The officer's exports (#13 items 13, 14; #15 item 2): bad dates are a 400 with a message,
the Content-Disposition names one file, formulas are neutralised, voided passages are marked
as the page counts them, and the XLSX splits into sheets before Excel's row limit."""

from __future__ import annotations

import csv
import http.cookiejar
import io
import urllib.parse
import urllib.request

import pytest

from app.cells import FORMULA_STARTS
from app.ids import uuid7
from app.sync.bundle import export_bundle
from db import outbox
from db.connection import transaction
from server.bundles import import_bundle
from server.officer import day_numbers, set_officer
from server.officer import exports as ex
from server.run import ServerThread

from .conftest import enrol_offline_gate

DAY = "2026-11-29"
EVIL = ["=cmd|' /C calc'!A0", "@SUM(A1:A2)", "+1+1", "-2+3", "\t=1", "\r=1"]


@pytest.fixture
def site(store, gate, tmp_path):
    set_officer(store, "jiedao", "correct horse")
    with transaction(gate.conn):
        ids = []
        for i, name in enumerate(EVIL + ["王五"]):
            body = {
                "id": uuid7(),
                "local_date": DAY,
                "direction": "in",
                "decision": "pass",
                "category": name,
                "volunteer": name,
                "n": i,
            }
            outbox.append(gate.conn, body["id"], "passage", body, "t")
            ids.append(body["id"])
        void = {"id": uuid7(), "target_id": ids[-1], "reason": "wrong_direction"}
        outbox.append(gate.conn, void["id"], "void", void, "t")
    enrol_offline_gate(store, gate.conn)
    import_bundle(store, export_bundle(gate.conn, tmp_path))
    with ServerThread(store) as srv:
        srv.voided_id = ids[-1]  # type: ignore[attr-defined]
        yield srv


def _opener(url: str):
    op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    data = urllib.parse.urlencode({"username": "jiedao", "password": "correct horse"}).encode()
    op.open(f"{url}/login", data=data, timeout=10)
    return op


SQLITE_ONLY = pytest.mark.parametrize("store", ["sqlite"], indirect=True)


@SQLITE_ONLY
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "date",
    ["日", "../x", "x\r\nSet-Cookie: a=b", 'a";filename=evil.exe', "2026-13-45", "2026-1-1"],
)
def test_a_bad_date_is_a_400_with_a_message(site, kind, date):
    op = _opener(site.url)
    query = urllib.parse.urlencode({"date": date})
    with pytest.raises(urllib.error.HTTPError) as err:
        op.open(f"{site.url}/export.{kind}?{query}", timeout=10)
    assert err.value.code == 400
    assert err.value.read().decode() == "日期应为 YYYY-MM-DD 格式"


def test_the_content_disposition_names_exactly_one_file():
    assert ex.attachment("gatepost-2026-11-29.csv") == (
        'attachment; filename="gatepost-2026-11-29.csv"'
    )
    for bad in ('a";filename=evil.exe', "x\r\ny", "日.csv"):
        with pytest.raises(ValueError):
            ex.attachment(bad)


@SQLITE_ONLY
def test_csv_neutralises_formulas_and_marks_the_voided_passage(site, store):
    op = _opener(site.url)
    reply = op.open(f"{site.url}/export.csv?date={DAY}", timeout=10)
    assert reply.headers["Content-Disposition"] == f'attachment; filename="gatepost-{DAY}.csv"'
    rows = list(csv.DictReader(io.StringIO(reply.read().decode("utf-8-sig"))))
    passages = [r for r in rows if r["kind"] == "passage"]
    assert [r["category"] for r in passages[: len(EVIL)]] == ["'" + e for e in EVIL]
    assert [r["voided"] for r in passages] == [""] * len(EVIL) + ["voided"]
    # the same passage the page leaves out of its counts
    assert day_numbers(store, DAY)[next(iter(day_numbers(store, DAY)))]["in"] == len(EVIL)


@SQLITE_ONLY
def test_xlsx_holds_no_formula_and_marks_the_voided_passage(site):
    from openpyxl import load_workbook

    op = _opener(site.url)
    data = op.open(f"{site.url}/export.xlsx?date={DAY}", timeout=10).read()
    ws = load_workbook(io.BytesIO(data)).active
    values = list(ws.values)
    header = values[0]
    cells = [c for row in values[1:] for c in row if isinstance(c, str)]
    assert not any(c.startswith(FORMULA_STARTS) for c in cells)
    assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)
    voided = [row[header.index("voided")] for row in values[1:] if row[3] == "passage"]
    assert voided.count("voided") == 1


def test_xlsx_splits_into_sheets_before_the_row_limit(monkeypatch):
    from openpyxl import load_workbook

    assert ex.SHEET_ROWS < 1_048_576
    monkeypatch.setattr(ex, "SHEET_ROWS", 3)
    rows = iter([[f"g{i}"] + [""] * (len(ex.EXPORT_COLUMNS) - 1) for i in range(7)])
    wb = load_workbook(io.BytesIO(ex.xlsx_from_rows(DAY, rows)))
    assert wb.sheetnames == [DAY, f"{DAY}-2", f"{DAY}-3"]
    counts = [ws.max_row for ws in wb.worksheets]
    assert counts == [4, 4, 2]  # the header on every sheet
    assert [ws.cell(2, 1).value for ws in wb.worksheets] == ["g0", "g3", "g6"]


def _fill(store, n: int, day: str = DAY) -> None:
    """n passages of one day straight into the events table (the read side only)."""
    import json

    body = json.dumps(
        {"local_date": day, "direction": "in", "decision": "pass", "person_name": "张三"},
        ensure_ascii=False,
    )
    with store.tx() as tx:
        tx.executemany(
            "INSERT INTO events(event_id, device_id, seq, kind, body, created_utc, prev_hash, "
            "hash, local_date, received_utc) VALUES (?, 'g1', ?, 'passage', ?, 't', 'p', 'h', "
            "?, 't')",
            [(f"e{i}", i, body, day) for i in range(1, n + 1)],
        )


def _peak(store, day: str) -> tuple[int, int]:
    import tracemalloc

    tracemalloc.start()
    size = sum(len(chunk) for chunk in ex.csv_chunks(store, day))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return size, peak


def test_the_days_csv_streams_with_memory_flat_in_the_number_of_events(store):
    _fill(store, 4_000, "2026-11-01")
    small_size, small_peak = _peak(store, "2026-11-01")
    with store.tx() as tx:
        tx.execute("DELETE FROM events")
    _fill(store, 40_000, "2026-11-02")
    big_size, big_peak = _peak(store, "2026-11-02")
    assert big_size > 9 * small_size  # ten times the rows went out
    assert big_peak < 2 * small_peak + 256 * 1024, (small_peak, big_peak)
    assert big_peak < 8 * 1024 * 1024
