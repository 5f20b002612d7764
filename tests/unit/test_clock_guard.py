"""#17: a clock set back a year or forward a day is noticed; passages written meanwhile say so
(with the monotonic seconds since the clock was last trusted), exports show it, and the purge
takes no date from that clock."""

import csv
from datetime import datetime, timedelta, timezone

import pytest

from app.clock import FakeClock
from app.errors import KnownError
from app.gate.clock_guard import ClockGuard, describe
from app.gate.service import GateService, Identity, PassageDraft
from app.reports.service import ReportService
from app.retention import RetentionService
from app.settings import Settings

CST = timezone(timedelta(hours=8))
YEAR, DAY = 365 * 86400, 86400


def passage(gate, n):
    ident = Identity(method="name_room", person_name=f"住户{n}", building="1", room="101")
    return gate.record(
        PassageDraft(code_color="green", payload_text=f"p{n}", temperature="36.5", identity=ident)
    ).record


@pytest.fixture
def clock():
    return FakeClock(datetime(2026, 11, 29, 8, 0, tzinfo=CST))


def test_a_clock_set_back_a_year_is_noticed_and_its_passages_marked(gdb, clock):
    gate = GateService(gdb, clock)
    assert "clock_suspect" not in passage(gate, 1)  # trusted: nothing added to the record
    clock.advance(600)
    clock.jump(-YEAR)  # the CMOS battery dies: 2025
    clock.advance(30)
    row = passage(gate, 2)
    assert gate.clock_guard.status.reason == "jumped"
    assert row["clock_suspect"] == 1 and row["local_date"] == "2025-11-29"
    assert row["clock_trusted_utc"] == "2026-11-29T00:00:00.000Z" and row["clock_offset_s"] == 630
    assert "跳变" in describe(gate.clock_guard.status, "zh")
    # the PC restarts with the wrong date: the newest record is later than the clock
    restarted = GateService(gdb, clock)
    status = restarted.clock_guard.check()
    assert status.suspect and status.reason == "behind_records"
    assert "比最新记录早" in describe(status, "zh")
    assert passage(restarted, 3)["clock_trusted_utc"] == "2026-11-29T00:00:00.000Z"
    # the officer sets the time right: trusted again, nothing added
    clock.jump(YEAR)
    assert "clock_suspect" not in passage(restarted, 4)
    stored = gdb.conn.execute(
        "SELECT count(*) FROM passages WHERE clock_suspect = 1 AND local_date = '2025-11-29'"
    )
    assert stored.fetchone()[0] == 2


def test_a_clock_put_forward_a_day_is_noticed_and_shown_in_the_export(gdb, clock, tmp_path):
    gate = GateService(gdb, clock)
    passage(gate, 1)
    clock.advance(60)
    clock.jump(DAY)
    row = passage(gate, 2)
    assert row["clock_suspect"] == 1 and row["local_date"] == "2026-11-30"
    assert gate.clock_guard.status.drift_s == pytest.approx(DAY)
    reports = ReportService(gdb, clock)
    reports.officer.set_pin("246810")
    out = tmp_path / "d.csv"
    reports.export("csv", out, "2026-11-29", "2026-11-30", pin="246810", summary=False)
    with open(out, encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0][16] == "系统时间"
    assert table[1][16] == ""
    assert table[2][16] == "时间存疑：上次可信 2026-11-29 00:00:00 UTC，其后 60.0 秒"


def test_a_server_time_more_than_two_minutes_away_raises_the_alarm(gdb, clock):
    guard = ClockGuard(gdb.conn, clock)
    assert not guard.check().suspect
    status = guard.observe(clock.now() - timedelta(minutes=3))  # the server says: 3 min earlier
    assert status.suspect and status.reason == "off_reference"
    assert "与服务器时间相差 3 分钟" in describe(status, "zh")
    assert not guard.observe(clock.now() - timedelta(seconds=90)).suspect  # within 2 minutes


def test_the_purge_takes_no_date_from_a_clock_in_doubt(gdb, clock):
    Settings(gdb.conn).set("retention_days", 30)
    gate = GateService(gdb, clock)
    passage(gate, 1)
    clock.jump(-YEAR)
    passage(gate, 2)  # dated 2025: a purge by date would take it at once
    clock.jump(YEAR + 40 * DAY)  # and now the clock is 40 days ahead
    retention = RetentionService(gdb, clock, guard=gate.clock_guard)
    with pytest.raises(KnownError) as err:
        retention.run_daily()
    assert err.value.code == "purge_clock_suspect"
    assert "不按日期清理" in err.value.message("zh")
    # a trusted clock purges by date, but not the passage dated by the wrong clock
    clock.jump(-40 * DAY)
    clock.advance(40 * DAY)  # 40 days really passed
    retention = RetentionService(gdb, clock, guard=gate.clock_guard)
    retention.officer.set_pin("246810")
    result = retention.run_daily(pin="246810")  # nothing was synced or exported: the officer
    assert result is not None
    left = gdb.conn.execute("SELECT local_date, clock_suspect FROM passages").fetchall()
    assert [tuple(r) for r in left] == [("2025-11-29", 1)]


def test_the_system_clock_guard_counts_while_the_pc_sleeps(gdb):
    """A booth PC that sleeps overnight must not wake up to a false alarm: the guard measures
    with CLOCK_BOOTTIME where there is one (Windows' monotonic clock counts sleep already)."""
    import time

    from app.clock import SystemClock

    guard = ClockGuard(gdb.conn, SystemClock())
    if hasattr(time, "CLOCK_BOOTTIME"):
        assert abs(guard._elapsed() - time.clock_gettime(time.CLOCK_BOOTTIME)) < 1
    assert not guard.check().suspect and not guard.check().suspect
