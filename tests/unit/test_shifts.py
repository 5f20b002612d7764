"""Shifts: sign in, the volunteer on every record, handover, shift log, midnight."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from app.errors import KnownError
from app.gate.service import GateService, PassageDraft
from app.shifts.service import ShiftService

CST = timezone(timedelta(hours=8))


def green(temp="36.5", **kw):
    return PassageDraft(code_color="green", payload_text="hc", temperature=temp, **kw)


@pytest.fixture
def gate(gdb, clock):
    return GateService(gdb, clock)


@pytest.fixture
def shifts(gdb, clock):
    return ShiftService(gdb, clock)


def test_no_one_signed_in_is_said_plainly_and_records_fall_back(gate, shifts):
    assert shifts.current() is None
    assert shifts.status() == ("gate_unstaffed", {})
    assert gate.record(green()).record["volunteer"] == "-"
    gate.settings.set("volunteer", "老设置")
    assert gate.record(green()).record["volunteer"] == "老设置"


def test_after_a_handover_the_old_setting_no_longer_names_anyone(gate, shifts):
    gate.settings.set("volunteer", "老设置")
    shifts.start(shifts.add_volunteer("甲")["id"])
    assert gate.record(green()).record["volunteer"] == "甲"
    shifts.end()
    assert gate.record(green()).record["volunteer"] == "-"


def test_signed_in_volunteer_is_on_every_record(gate, shifts, clock):
    vol = shifts.add_volunteer("王阿姨", "13812345678")
    assert shifts.add_volunteer("王阿姨", "13812345678")["id"] == vol["id"]  # no duplicate
    shift = shifts.start(vol["id"])
    assert shifts.status() == ("on_duty_since", {"name": "王阿姨", "since": "08:00"})
    out = gate.record(green())
    assert out.record["volunteer"] == "王阿姨"
    fever = gate.record(green("37.8"))
    assert fever.record["volunteer"] == "王阿姨"
    row = gate.conn.execute(
        "SELECT kind FROM outbox WHERE event_id = ?", (shift.shift_id,)
    ).fetchone()
    assert row["kind"] == "shift_event"


def test_volunteer_input_is_checked(shifts):
    with pytest.raises(KnownError) as err:
        shifts.add_volunteer("  ")
    assert err.value.code == "volunteer_name_required"
    with pytest.raises(KnownError) as err:
        shifts.add_volunteer("李四", "138-abc")
    assert err.value.code == "phone_invalid"
    with pytest.raises(KnownError):
        shifts.start("no-such-id")
    assert shifts.volunteers() == []


def test_second_sign_in_needs_a_handover_or_a_take_over(shifts):
    a = shifts.add_volunteer("甲")
    b = shifts.add_volunteer("乙")
    shifts.start(a["id"])
    with pytest.raises(KnownError) as err:
        shifts.start(b["id"])
    assert err.value.code == "shift_still_open" and err.value.params == {"name": "甲"}
    shifts.start(b["id"], take_over=True)
    assert shifts.current().volunteer == "乙"
    ended = shifts.conn.execute("SELECT confirmed FROM shift_events WHERE kind = 'end'").fetchone()
    assert ended["confirmed"] == 0


def test_handover_summary_confirm_and_acknowledge(gate, shifts, clock):
    a = shifts.add_volunteer("甲", "13900000001")
    b = shifts.add_volunteer("乙")
    shifts.start(a["id"])
    gate.record(green(direction="in"))
    gate.record(green(direction="out"))
    gate.record(green(category="visitor"))
    gate.record(PassageDraft(code_color="red", payload_text="r"))
    gate.record(PassageDraft(code_color="green", refuse_reason="watchlist", payload_text="w"))
    gate.record(green("38.0"))
    clock.advance(60)
    shifts.log("检查组来访，查看了登记")
    clock.advance(3600)
    summary = shifts.end("体温枪电池快没了")
    assert summary.counts == {
        "in": 2,
        "out": 1,
        "refused": 2,
        "watchlist": 1,
        "fever": 1,
        "visitors_inside": 1,
    }
    assert [e["text"] for e in summary.log] == ["检查组来访，查看了登记"]
    assert summary.note == "体温枪电池快没了"
    assert shifts.current() is None and shifts.status()[0] == "gate_unstaffed"
    # the record made while nobody is signed in says so
    assert gate.record(green()).record["volunteer"] == "-"
    pending = shifts.pending_handover()
    assert pending is not None and pending.shift_id == summary.shift_id
    with pytest.raises(KnownError):
        shifts.acknowledge(summary.shift_id)  # nobody signed in to acknowledge
    clock.advance(60)
    shifts.start(b["id"])
    shifts.acknowledge(summary.shift_id)
    assert shifts.pending_handover() is None
    with pytest.raises(KnownError) as err:
        shifts.acknowledge(summary.shift_id)
    assert err.value.code == "handover_already_acknowledged"
    # the stored summary is the confirmed one, even after more passages
    gate.record(green())
    assert shifts.summary(shifts.current()).counts["in"] == 1
    from app.shifts.service import Shift

    old = Shift(summary.shift_id, "甲", a["id"], None, summary.start_local, "")
    assert shifts.summary(old).counts["in"] == 2


def test_a_night_shift_across_midnight_is_counted_whole(gdb):
    from app.clock import FakeClock

    clock = FakeClock(datetime(2026, 11, 28, 20, 0, tzinfo=CST))
    gate, shifts = GateService(gdb, clock), ShiftService(gdb, clock)
    shifts.start(shifts.add_volunteer("夜班老李")["id"])
    for _ in range(3):  # 20:00, 22:00, 00:00 (next day), 02:00, 04:00, 06:00
        gate.record(green())
        clock.advance(2 * 3600)
    for _ in range(3):
        gate.record(green(direction="out"))
        clock.advance(2 * 3600)
    days = [r[0] for r in gdb.conn.execute("SELECT DISTINCT local_date FROM passages ORDER BY 1")]
    assert days == ["2026-11-28", "2026-11-29"]
    assert shifts.on_duty_at(datetime(2026, 11, 29, 6, 0, tzinfo=CST)) == "夜班老李"
    assert shifts.on_duty_at(datetime(2026, 11, 28, 19, 0, tzinfo=CST)) is None
    summary = shifts.end()
    assert summary.counts["in"] == 3 and summary.counts["out"] == 3
    assert summary.start_local.startswith("2026-11-28T20:00")
    assert summary.end_local.startswith("2026-11-29T08:00")
    from db.shifts import shifts_between

    for day in ("2026-11-28", "2026-11-29"):
        listed = shifts_between(gdb.conn, day, day)
        assert [s["volunteer"] for s in listed] == ["夜班老李"]
    assert shifts_between(gdb.conn, "2026-11-30", "2026-11-30") == []


def test_shift_log_needs_text_and_is_append_only(shifts, gdb):
    with pytest.raises(KnownError):
        shifts.log("   ")
    entry = shifts.log("口罩送到 200 个")
    assert entry["volunteer"] == "-" and entry["shift_id"] is None
    import sqlite3

    with pytest.raises(sqlite3.DatabaseError):
        gdb.conn.execute("UPDATE shift_log SET text = 'x'")
    body = json.loads(
        gdb.conn.execute("SELECT body FROM outbox WHERE kind = 'shift_log'").fetchone()[0]
    )
    assert body["text"] == "口罩送到 200 个"
