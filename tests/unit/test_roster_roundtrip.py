"""Import → export → import of the roster loses nothing (hypothesis), and exports are masked."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.clock import FakeClock
from app.database import open_memory
from app.roster import importer
from db.roster import RESIDENT_FIELDS
from tests.fakes import roster_files as rf

FIELDS = RESIDENT_FIELDS  # the resident columns a round trip must keep
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
TAGS = ["独居老人", "需要帮助", "孕妇", "残疾", "儿童"]


@st.composite
def resident(draw, n):
    birth = draw(st.dates(date(1930, 1, 1), date(2020, 12, 31))).strftime("%Y%m%d")
    status = draw(st.sampled_from(["normal", "observation", "moved_out"]))
    start = end = None
    if status == "observation":
        s = draw(st.dates(date(2026, 11, 1), date(2026, 12, 31)))
        start, end = s.isoformat(), (s + timedelta(days=draw(st.integers(1, 21)))).isoformat()
    building = str(draw(st.integers(1, 40)))
    unit = draw(st.sampled_from(["", "1", "2", "3"]))
    room = str(draw(st.integers(101, 3304)))
    household = draw(
        st.sampled_from(["", f"户{n}", "-".join(p for p in (building, unit, room) if p)])
    )
    return {
        "id_number": rf.make_id(birth, n),
        "name": draw(st.text(CJK, min_size=2, max_size=4)),
        "phone": draw(
            st.sampled_from(["", f"13{draw(st.integers(0, 999_999_999)):09d}", "0592-5551234"])
        ),
        "building": building,
        "unit": unit,
        "room": room,
        "household": household or "-".join(p for p in (building, unit, room) if p),
        "tags": ",".join(draw(st.lists(st.sampled_from(TAGS), unique=True, max_size=3))),
        "status": status,
        "obs_start": start,
        "obs_end": end,
    }


people = st.integers(1, 12).flatmap(lambda k: st.tuples(*[resident(i + 1) for i in range(k)]))


def snapshot(conn):
    rows = conn.execute(f"SELECT {', '.join(FIELDS)} FROM residents ORDER BY id_number")
    return [{k: (r[k] or None) for k in FIELDS} for r in rows]


@pytest.mark.slow
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=people)
def test_import_export_import_loses_nothing(tmp_path_factory, rows):
    tmp = tmp_path_factory.mktemp("rt")
    header = [h for _, h in importer.EXPORT_HEADERS]
    status_words = importer.STATUS_WORDS
    table = [header] + [
        [status_words[r[k]] if k == "status" else (r[k] or "") for k, _ in importer.EXPORT_HEADERS]
        for r in rows
    ]
    source = rf.write_csv(tmp / "in.csv", table, "gbk" if len(rows) % 2 else "utf-8-sig")
    clock = FakeClock()
    first, second = open_memory(), open_memory()
    try:
        plan = importer.plan(first.conn, source, clock.now().date())
        assert plan.rejected == []
        importer.apply(first.conn, plan, clock, "t")
        expected = sorted(
            ({k: (r[k] or None) for k in FIELDS} for r in rows), key=lambda r: r["id_number"]
        )
        assert snapshot(first.conn) == expected
        exported = tmp / "out.csv"
        assert importer.export_csv(first.conn, exported, masked=False) == len(rows)
        result = importer.apply(
            second.conn, importer.plan(second.conn, exported, clock.now().date()), clock, "t"
        )
        assert result.imported == len(rows) and result.rejected == []
        assert snapshot(second.conn) == expected
    finally:
        first.close()
        second.close()


def test_export_is_masked_by_default(tmp_path, gdb, clock):
    source = rf.write_csv(
        tmp_path / "in.csv",
        [["姓名", "身份证号", "手机", "住址"], ["张三", rf.ZHANG, "13812345678", "3-2-501"]],
    )
    importer.apply(gdb.conn, importer.plan(gdb.conn, source, clock.now().date()), clock, "t")
    out = tmp_path / "out.csv"
    importer.export_csv(gdb.conn, out)
    text = out.read_text(encoding="utf-8-sig")
    assert rf.ZHANG not in text and "13812345678" not in text and "张三" not in text
    assert rf.ZHANG[:4] + "**********" + rf.ZHANG[-4:] in text and "138****5678" in text
