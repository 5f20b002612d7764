"""#17 补录: paper-register lines typed in afterwards keep their paper time (counted in that
day), say they were backfilled (page, when, by whom) in every export, go out as their own
event kind, and ask to confirm a future time, a time the gate was recording, or a person twice
in one minute."""

import csv
import json
from datetime import datetime, timedelta, timezone

import pytest

from app.clock import FakeClock
from app.errors import KnownError
from app.gate.backfill import EVENT_KIND, BackfillDoubt, PaperEntry, open_session
from app.gate.service import GateService, Identity, PassageDraft
from app.officer import OfficerAuth
from app.reports.service import ReportService

CST = timezone(timedelta(hours=8))


@pytest.fixture
def setup(gdb):
    """The gate recorded until 08:00 on the 28th, was down until 14:00, and it is now the 29th."""
    clock = FakeClock(datetime(2026, 11, 28, 7, 50, tzinfo=CST))
    gate = GateService(gdb, clock)
    gate.settings.set("volunteer", "李老师")
    ident = Identity(method="name_room", person_name="张三", building="1", room="101")
    for _ in range(2):
        clock.advance(300)
        gate.record(PassageDraft(code_color="green", temperature="36.5", identity=ident))
    clock.advance(6 * 3600)  # 14:00: back up
    gate.record(PassageDraft(code_color="green", temperature="36.6", identity=ident))
    clock.advance(19 * 3600)  # the next morning: the officer types in the paper sheets
    OfficerAuth(gdb, clock).set_pin("246810")
    return gate, clock


def paper(hh, mm, page=1, name="王五", **kw):
    return PaperEntry(
        paper_time=datetime(2026, 11, 28, hh, mm, tzinfo=CST),
        page=page,
        identity=Identity(method="name_room", person_name=name, building="2", room="202"),
        temperature=36.4,
        code_color="green",
        **kw,
    )


def test_backfill_needs_the_officer_pin(setup):
    gate, _ = setup
    with pytest.raises(KnownError) as err:
        open_session(gate, "0000")
    assert err.value.code == "pin_wrong"


def test_a_backfilled_line_keeps_its_paper_time_and_says_so_everywhere(setup, tmp_path):
    gate, clock = setup
    session = open_session(gate, "246810")
    row = session.add(paper(10, 30, page=3))
    assert row["local_date"] == "2026-11-28" and row["ts_local"] == "2026-11-28T10:30:00+08:00"
    assert row["backfill_page"] == 3 and row["entered_by"] == "李老师"
    assert row["entered_utc"] == "2026-11-29T01:00:00.000Z"  # typed in the next morning
    event = gate.conn.execute(
        "SELECT kind, body FROM outbox WHERE event_id = ?", (row["id"],)
    ).fetchone()
    assert event["kind"] == EVENT_KIND and json.loads(event["body"])["backfill_page"] == 3
    reports = ReportService(gate.gdb, clock)
    reports.officer.set_pin("246810", "246810")
    out = tmp_path / "d.csv"
    assert reports.export("csv", out, "2026-11-28", pin="246810") == 4  # counted in its paper day
    with open(out, encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0][17] == "补录"
    line = next(r for r in table[1:] if r[0] == "2026-11-28 10:30:00")
    assert line[17] == "补录：纸质登记第 3 页，2026-11-29 01:00 UTC 由 李老师 录入"
    assert [r[17] for r in table[1:] if r and r[0] != "2026-11-28 10:30:00"] == ["", "", ""]
    with open(tmp_path / "d-summary.csv", encoding="utf-8-sig", newline="") as fh:
        assert ["其中补录", "1"] in list(csv.reader(fh))


def test_guard_rails_ask_to_confirm(setup):
    gate, _ = setup
    session = open_session(gate, "246810")
    assert session.doubts(paper(10, 30)) == []  # inside the down period
    assert session.doubts(paper(7, 57)) == ["backfill_gate_was_up"]  # the gate was recording
    future = paper(10, 0)
    future.paper_time = datetime(2026, 11, 30, 10, 0, tzinfo=CST)
    assert session.doubts(future) == ["backfill_future"]
    session.add(paper(11, 15))
    with pytest.raises(BackfillDoubt) as err:
        session.add(paper(11, 15, page=2))  # the same person, the same minute
    assert err.value.doubts == ["backfill_twice"]
    assert err.value.message("zh") == "请确认这一行：同一人同一分钟已有记录"
    session.add(paper(11, 15, page=2), confirmed=True)  # the officer confirms: written
    n = gate.conn.execute("SELECT count(*) FROM passages WHERE backfill_page IS NOT NULL")
    assert n.fetchone()[0] == 2


def test_a_confirmed_future_paper_time_does_not_make_the_clock_look_wrong(setup):
    gate, _ = setup
    session = open_session(gate, "246810")
    future = paper(10, 0)
    future.paper_time = datetime(2026, 12, 5, 10, 0, tzinfo=CST)  # a slip of the pen
    session.add(future, confirmed=True)
    assert not gate.clock_guard.check().suspect


def test_a_refusal_on_paper_has_words_in_the_export(setup):
    from app.reports.rows import label

    gate, _ = setup
    row = open_session(gate, "246810").add(paper(9, 0, decision="refused"))
    assert row["reason"] == "backfill"
    assert label("reason", row["reason"], "zh") == "纸质登记为禁止通行"
