"""The district exports' fast path (#15 item 2, 6): bodies read with msgspec (only the fields an
export shows) and cells neutralised a row at a time give the same bytes as reading each body
with json.loads and neutralising cell by cell, on both stores, edge cases included."""

from __future__ import annotations

import csv
import io
import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from app.cells import FORMULA_STARTS, csv_safe, csv_safe_row
from server.officer import exports as ex
from server.officer import queries as q
from server.officer.xlsx import write_xlsx
from server.rollups import BACKFILL_KIND, PASSAGE_KINDS, body_of

DAY = "2026-11-29"
FIELDS = (*q.BODY_COLUMNS, "backfill_page", "clock_suspect")

# bodies msgspec reads as json does, and bodies it refuses or reads otherwise (json decides)
BODIES = [
    {
        "local_date": DAY,
        "direction": "in",
        "decision": "pass",
        "person_name": "张三丰",
        "id_number": "350203199001011234",
        "phone": "13800001234",
        "temperature": 36.5,
        "building": "3",
        "unit": "1",
        "room": "101",
        "volunteer": "李四",
        "extra": [1, {"a": 2}],
    },
    {
        "local_date": DAY,
        "category": "=cmd|' /C calc'!A0",
        "reason": "@SUM(A1)",
        "room": "-",
        "unit": "+1",
        "volunteer": "\t=1",
        "building": "\r=1",
        "direction": "-2+3",
    },
    {
        "local_date": DAY,
        "temperature": 1e300,
        "building": 12345678901234567890123,
        "unit": -0.0,
        "room": True,
        "clock_suspect": 1,
        "backfill_page": 7,
    },
    {"local_date": DAY, "volunteer": {"nested": ["x"]}, "person_name": "", "phone": None},
]
RAW = [
    '{"volunteer": "a", "volunteer": "b", "local_date": "' + DAY + '"}',  # the last wins
    '{"vol\\u0075nteer": "escaped key", "person_name": "\\u5f20\\u4e09"}',
    '{"temperature": NaN, "room": Infinity}',  # json only
    '{"temperature": 1e400}',  # out of msgspec's range: json's inf
    "[1, 2, 3]",  # not an object
    "not json at all",
    '{"room": "101"} trailing',
    "",
]
LONE = '{"volunteer": "\\ud800 lone"}'  # a lone surrogate: json keeps it, UTF-8 cannot


def _bodies() -> list[tuple[str, str]]:
    out = [(k, json.dumps(b, ensure_ascii=False)) for b in BODIES for k in PASSAGE_KINDS]
    out += [("fever_check", t) for t in RAW]
    out += [(BACKFILL_KIND, t) for t in RAW[:2]]
    return out


def _fill(store) -> None:
    with store.tx() as tx:
        tx.execute(
            "INSERT INTO devices(device_id, name, public_key, key_id, enrolled_via, enrolled_utc) "
            "VALUES ('g1', '=卡口1', 'k', 'k1', 't', 't')"
        )
        rows = [
            (f"{dev}e{i}", dev, i, kind, text, DAY)
            for dev in ("g1", "g2")  # g2 has no devices row: an empty gate name
            for i, (kind, text) in enumerate(_bodies(), 1)
        ]
        tx.executemany(
            "INSERT INTO events(event_id, device_id, seq, kind, body, created_utc, prev_hash, "
            "hash, local_date, received_utc) VALUES (?, ?, ?, ?, ?, 't', 'p', 'h', ?, 't')",
            rows,
        )
        tx.execute(
            "INSERT INTO voided(device_id, target_id, received_utc) VALUES ('g1', 'g1e1', 't'), "
            "('g1', 'g1e2', 't'), ('g2', 'g2e9', 't')"
        )


def _reference_csv(store, day: str, errors: str = "strict") -> bytes:
    """The CSV as it was built before the fast path: json.loads of every body, dict.get of
    every column, csv_safe of every cell, a writerow a row (errors="replace": a lone surrogate
    written as "?", as every export writes it)."""
    names = q.gate_names(store)
    with store.tx() as tx:
        events = tx.execute(q.EXPORT_SQL, (day,))
    buf = io.StringIO()
    w = csv.writer(buf)
    buf.write("\ufeff")
    w.writerow(q.EXPORT_COLUMNS)
    for e in events:
        get = body_of(e["body"]).get
        row = [names.get(e["device_id"], ""), e["device_id"], e["seq"], e["kind"]]
        row += [get(c) for c in q.BODY_COLUMNS]
        for c, mask in q.MASKS:
            i = q.EXPORT_COLUMNS.index(c)
            row[i] = mask(row[i])
        row.append("voided" if e["kind"] in PASSAGE_KINDS and e["voided"] is not None else "")
        row.append(f"backfill p.{get('backfill_page')}" if e["kind"] == BACKFILL_KIND else "")
        row.append("clock_suspect" if get("clock_suspect") else "")
        w.writerow([csv_safe("" if v is None else v) for v in row])
    return buf.getvalue().encode("utf-8", errors)


def test_the_days_csv_is_byte_identical_to_reading_every_body_with_json(store):
    _fill(store)
    fast = ex.csv_bytes(store, DAY)
    assert fast == _reference_csv(store, DAY)
    text = fast.decode("utf-8-sig")
    assert "'=cmd|" in text and "'=卡口1" in text
    assert len(list(csv.reader(io.StringIO(text)))) == 1 + 2 * len(_bodies())


def test_a_lone_surrogate_in_a_body_is_written_as_a_question_mark(store):
    with store.tx() as tx:
        tx.execute(
            "INSERT INTO events(event_id, device_id, seq, kind, body, created_utc, prev_hash, "
            "hash, local_date, received_utc) VALUES ('x1', 'g1', 1, 'passage', ?, 't', 'p', "
            "'h', ?, 't')",
            (LONE, DAY),
        )
    rows = list(csv.reader(io.StringIO(ex.csv_bytes(store, DAY).decode("utf-8-sig"))))
    assert rows[1][q.EXPORT_COLUMNS.index("volunteer")] == "? lone"


def test_the_csv_is_the_same_across_chunk_boundaries(store, monkeypatch):
    _fill(store)
    whole = ex.csv_bytes(store, DAY)
    monkeypatch.setattr(ex, "CSV_BATCH", 3)
    chunks = list(ex.csv_chunks(store, DAY))
    assert len(chunks) > 5 and b"".join(chunks) == whole


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
_keys = st.sampled_from(FIELDS) | st.text(max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_keys, _json, max_size=8), st.booleans())
def test_export_fields_reads_any_object_as_json_does(body, ascii_only):
    text = json.dumps(body, ensure_ascii=ascii_only)
    expected = tuple(body_of(text).get(f) for f in FIELDS)
    assert repr(q.export_fields(text)) == repr(expected)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40) | st.sampled_from([*RAW, LONE]))
def test_export_fields_reads_any_text_as_json_does(text):
    expected = tuple(body_of(text).get(f) for f in FIELDS)
    got = q.export_fields(text)
    assert len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        assert a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b))


_cell = (
    st.none()
    | st.integers()
    | st.floats()
    | st.text(max_size=6)
    | st.sampled_from(["-", "", *FORMULA_STARTS, *(c + "x" for c in FORMULA_STARTS)])
)


@given(st.lists(_cell, max_size=25))
def test_csv_safe_row_is_csv_safe_on_every_cell(row):
    got = csv_safe_row(row)
    assert repr(got) == repr([csv_safe("" if v is None else v) for v in row])
    for v in got:  # and no text cell a spreadsheet would run
        assert not (isinstance(v, str) and v.startswith(FORMULA_STARTS) and v != "-")


def _read_xlsx(data: bytes) -> list[list[list[object]]]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    return [[[c.value for c in r] for r in ws.iter_rows()] for ws in wb.worksheets]


def test_the_days_xlsx_holds_the_same_cells_as_the_csv(store, tmp_path):
    _fill(store)
    csv_rows = list(csv.reader(io.StringIO(ex.csv_bytes(store, DAY).decode("utf-8-sig"))))
    with open(tmp_path / "day.xlsx", "w+b") as fh:
        assert ex.xlsx_to(store, DAY, fh) == 1
        fh.seek(0)
        (sheet,) = _read_xlsx(fh.read())
    width = len(q.EXPORT_COLUMNS)
    got = [["" if v is None else str(v) for v in r] + [""] * (width - len(r)) for r in sheet]
    assert got == csv_rows
    assert sheet[0] == list(q.EXPORT_COLUMNS)
    assert not any(str(v).startswith("=") for r in sheet for v in r)  # no formula anywhere


def test_xlsx_cells_keep_their_column_type_and_text():
    row = ["a&b<c>\"'", " lead", "trail ", "x\r\ny", "ctl\x01\x1f", "\ud800s", 7, -3, 10**20]
    row += [1.5, -0.0, math.nan, math.inf, True, False, None, "", {"k": [1]}, "'=1", "张三", "-"]
    (sheet,) = _read_xlsx(ex.xlsx_from_rows(DAY, iter([row])))
    assert sheet[1] == [
        "a&b<c>\"'", " lead", "trail ", "x\r\ny", "ctl??", "?s", 7, -3, "100000000000000000000",
        1.5, -0.0, "nan", "inf", True, False, None, None, "{'k': [1]}", "'=1", "张三", "-",
    ]  # fmt: skip


def test_xlsx_of_an_empty_day_is_one_sheet_with_the_header():
    (sheet,) = _read_xlsx(ex.xlsx_from_rows(DAY, iter([])))
    assert sheet == [list(q.EXPORT_COLUMNS)]


def _xlsx_peak(n: int, path) -> int:
    import tracemalloc

    rows = ([f"g{i}", "dev", i, "passage", "2026-11-29 08:00:00"] + ["x"] * 16 for i in range(n))
    tracemalloc.start()
    with open(path, "wb") as fh:
        write_xlsx(fh, ex.sheet_names(DAY), q.EXPORT_COLUMNS, ex._split(rows))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_the_xlsx_is_written_with_memory_flat_in_the_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(ex, "SHEET_ROWS", 9_000)  # and across sheets
    small = _xlsx_peak(2_000, tmp_path / "small.xlsx")
    big = _xlsx_peak(20_000, tmp_path / "big.xlsx")
    assert big < 1.5 * small + 256 * 1024, (small, big)
    assert [len(s) for s in _read_xlsx((tmp_path / "big.xlsx").read_bytes())] == [9001, 9001, 2001]


def test_a_sheet_under_2_gib_is_zipped_without_zip64():
    import zipfile

    data = ex.xlsx_from_rows(DAY, iter([["g1", "dev", 1]] * 100))
    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert len(infos) == 6
    for i in infos:  # the local headers: "version needed" 45 and an extra field mean Zip64
        off = i.header_offset
        needed, extra = data[off + 4] | data[off + 5] << 8, data[off + 28] | data[off + 29] << 8
        assert (needed, extra) == (20, 0), i.filename  # Excel may offer to "repair" Zip64


def test_the_csv_streams_with_each_chunk_pulled_on_another_thread(store, monkeypatch):
    """As Starlette's StreamingResponse does (iterate_in_threadpool): the SQLite stream's own
    connection must not be tied to the thread that opened it."""
    import threading

    _fill(store)
    whole = ex.csv_bytes(store, DAY)
    monkeypatch.setattr(ex, "CSV_BATCH", 4)
    chunks = ex.csv_chunks(store, DAY)
    got: list[bytes] = []
    errors: list[BaseException] = []

    def pull() -> None:
        try:
            got.extend(chunks)  # the rest, on this thread
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    got.append(next(chunks))
    got.append(next(chunks))  # the stream is open: its connection made on this thread
    worker = threading.Thread(target=pull)
    worker.start()
    worker.join()
    assert errors == [] and b"".join(got) == whole
