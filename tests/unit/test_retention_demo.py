"""Retention purge boundaries, its warning and audit; demo data is realistic and fast."""

from datetime import date, datetime, timedelta, timezone

import pytest

from app.clock import FakeClock
from app.errors import KnownError
from app.gate.service import GateService, PassageDraft
from app.reports.demo import generate
from app.reports.service import ReportService
from app.retention import RetentionService
from app.shifts.service import ShiftService
from db import outbox

CST = timezone(timedelta(hours=8))


def green(**kw):
    return PassageDraft(code_color="green", payload_text="x", temperature="36.5", **kw)


@pytest.fixture
def aged(gdb):
    """One passage (and more) on each of the days 2026-10-30 … 2026-11-02, then 'today' moves on."""
    clock = FakeClock(datetime(2026, 10, 30, 23, 0, tzinfo=CST))
    gate, shifts = GateService(gdb, clock), ShiftService(gdb, clock)
    shifts.start(shifts.add_volunteer("甲")["id"])
    for _ in range(4):
        gate.record(green())
        f = gate.record(
            green(temperature="37.9")
            if False
            else PassageDraft(code_color="green", payload_text="f", temperature="37.9")
        )
        clock.advance(60)
        gate.record_retest(f.record["id"], "36.6")
        shifts.log("巡查")
        clock.advance(86400 - 60)
    gate.void_last("录入错误")  # voids the retest on 11-02
    shifts.end("ok")
    clock._now = datetime(2026, 11, 29, 9, 0, tzinfo=CST)  # 28 days after 11-01
    return gdb, clock


def days(gdb, table="passages"):
    return sorted({r[0] for r in gdb.conn.execute(f"SELECT local_date FROM {table}")})


def test_purge_boundary_keeps_exactly_retention_days(aged):
    gdb, clock = aged
    svc = RetentionService(gdb, clock)
    assert svc.cutoff() == "2026-11-01"
    plan = svc.plan()
    assert plan.counts["passages"] == 4  # two a day on 10-30 and 10-31
    assert plan.unsynced == 8  # 4 passages, 2 fevers, 2 log entries: nothing was ever sent
    assert plan.unexported_days == ["2026-10-30", "2026-10-31"]
    with pytest.raises(KnownError) as err:
        svc.run_daily()
    assert err.value.code == "purge_warning" and days(gdb) == [
        "2026-10-30",
        "2026-10-31",
        "2026-11-01",
        "2026-11-02",
    ]
    svc.officer.set_pin("135790")
    with pytest.raises(KnownError):
        svc.run_daily(pin="0000")
    result = svc.run_daily(pin="135790")
    assert result["counts"]["passages"] == 4 and result["counts"]["fever_checks"] == 2
    assert days(gdb) == ["2026-11-01", "2026-11-02"]
    assert days(gdb, "fever_checks") == ["2026-11-01", "2026-11-02"]
    assert days(gdb, "shift_log") == ["2026-11-01", "2026-11-02"]
    # the shift still open into the kept days keeps its events; unsynced events are kept
    assert gdb.conn.execute("SELECT count(*) FROM shift_events").fetchone()[0] == 2
    assert result["counts"]["outbox"] == 0 and outbox.verify_chain(gdb.conn)
    actions = [r["action"] for r in svc.officer.audit_log()]
    assert actions[-2:] == ["delete", "purge"]
    assert not svc.due()
    assert svc.run_daily() is None  # once a day
    assert ReportService(gdb, clock).report("2026-11-02").totals["voided"] == 1


def test_exported_and_synced_data_is_purged_without_asking(aged):
    gdb, clock = aged
    svc = RetentionService(gdb, clock)
    svc.officer.set_pin("135790")
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        ReportService(gdb, clock).export(
            "csv", Path(d) / "a.csv", "2026-10-30", "2026-10-31", pin="135790"
        )
    gdb.conn.execute("UPDATE outbox SET acked_utc = 'x'")  # the sync acknowledged everything
    before = gdb.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    result = svc.run_daily()
    assert result["counts"]["passages"] == 4
    # acked events of purged records go, oldest first, up to the first kept record
    assert result["counts"]["outbox"] > 0
    after = gdb.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    assert after == before - result["counts"]["outbox"] + 1  # + the purge's own audit event
    first = gdb.conn.execute("SELECT event_id FROM outbox ORDER BY seq LIMIT 1").fetchone()[0]
    assert gdb.conn.execute("SELECT count(*) FROM shift_events WHERE id = ?", (first,)).fetchone()[
        0
    ]
    assert outbox.verify_chain(gdb.conn)
    purge = svc.officer.audit_log("purge")[-1]
    assert purge["actor"] == "system" and '"passages": 4' in purge["detail"]


def test_nothing_to_purge_is_logged_once_a_day(gdb, clock):
    svc = RetentionService(gdb, clock)
    assert svc.run_daily() == {"cutoff": "2026-11-01", "counts": {}}
    assert svc.run_daily() is None
    clock.advance(86400)
    assert svc.run_daily() is not None


def test_demo_data_is_realistic(gdb):
    totals = generate(
        gdb.conn, days=3, residents=200, key=b"k", today=date(2026, 11, 29), utc_offset_s=8 * 3600
    )
    assert totals["shifts"] == 9 and 2000 < totals["passages"] < 2600
    report = ReportService(gdb).report("2026-11-26", "2026-11-28")
    assert report.totals["passages"] + report.totals["voided"] == totals["passages"]
    assert report.totals["fever_checks"] == totals["fever_checks"] == len(report.fevers)
    assert report.by_hour[8] > report.by_hour[3] * 5  # a morning peak
    assert len(report.shifts) == 9 and all(s["acknowledged_by"] for s in report.shifts)
    row = gdb.conn.execute("SELECT * FROM passages LIMIT 1").fetchone()
    assert row["ts_local"].startswith("2026-11-26T00:") and row["ts_utc"].startswith(
        "2026-11-25T16:"
    )
    from app.idcard import validate_id

    assert validate_id(row["id_number"], date(2026, 11, 29)) == row["id_number"]
    assert outbox.pending_count(gdb.conn) == 0  # demo rows are never synced


def test_purge_forgets_phones_of_volunteers_without_a_shift_in_the_period(gdb):
    clock = FakeClock(datetime(2026, 10, 1, 9, 0, tzinfo=CST))
    shifts = ShiftService(gdb, clock)
    gone = shifts.add_volunteer("老张", "13900000001")  # an old shift only
    shifts.start(gone["id"])
    clock.advance(3600)
    shifts.end("ok")
    never = shifts.add_volunteer("小李", "13900000002")  # no shift at all
    shifts.add_volunteer("小李")  # a name-only row already there: not written twice
    active = shifts.add_volunteer("王姐", "13900000003")  # old, but on duty in the period
    night = shifts.add_volunteer("夜班", "13900000005")  # handed over in the period
    clock._now = datetime(2026, 10, 31, 23, 0, tzinfo=CST)  # the day before the cutoff
    shifts.start(night["id"])
    clock._now = datetime(2026, 11, 20, 8, 0, tzinfo=CST)
    shifts.start(active["id"], take_over=True)
    clock.advance(3600)
    shifts.end("ok")
    recent = shifts.add_volunteer("新人", "13900000004")  # added in the period
    # at a second gate: signed in before the cutoff and never signed out (still on duty)
    other = ShiftService(gdb, FakeClock(datetime(2026, 10, 2, 9, 0, tzinfo=CST)))
    other.settings.set("checkpoint_id", "gate-2")
    other.start(other.add_volunteer("远门", "13900000006")["id"])
    other.settings.set("checkpoint_id", "gate-1")
    gdb.conn.execute("UPDATE outbox SET acked_utc = 'x'")  # everything was synced
    clock._now = datetime(2026, 11, 29, 9, 0, tzinfo=CST)
    svc = RetentionService(gdb, clock)
    assert svc.cutoff() == "2026-11-01"
    assert svc.plan().counts.get("volunteer_phones") == 2 and svc.plan().unsynced == 0
    result = svc.run_daily()  # nothing unsynced goes: no PIN needed
    assert result["counts"]["volunteer_phones"] == 2
    phones = {r["name"]: r["phone"] for r in gdb.conn.execute("SELECT name, phone FROM volunteers")}
    assert phones == {
        "老张": None,
        "小李": None,
        "王姐": "13900000003",
        "夜班": "13900000005",
        "新人": "13900000004",
        "远门": "13900000006",
    }
    assert (
        gdb.conn.execute("SELECT count(*) FROM volunteers WHERE name = '小李'").fetchone()[0] == 1
    )
    # the name stays on the sign-in list under the same id, and shift records keep working
    assert shifts.volunteers()[0]["name"] and any(
        v["id"] == gone["id"] for v in shifts.volunteers()
    )
    assert not any("13900000001" in str(v.get("phone")) for v in shifts.volunteers())
    assert recent["id"] in {v["id"] for v in shifts.volunteers()}
    assert never["id"] not in {v["id"] for v in shifts.volunteers()}  # the name-only 小李 stays
    purge = svc.officer.audit_log("purge")[-1]
    assert '"volunteer_phones": 2' in purge["detail"] and purge["actor"] == "system"
    assert outbox.verify_chain(gdb.conn)
    # the next day finds nothing more to forget
    clock.advance(86400)
    assert svc.plan().counts.get("volunteer_phones", 0) == 0


def test_demo_data_puts_its_residents_in_the_roster_without_syncing_them(gdb):
    """#13: `demo-data --residents 500` left the roster empty; it holds them now, once."""
    from db import roster as roster_db

    pending = gdb.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    kw = {"days": 1, "residents": 500, "key": b"k", "today": date(2026, 11, 29)}
    assert generate(gdb.conn, utc_offset_s=8 * 3600, **kw)["residents"] == 500
    assert len(roster_db.all_residents(gdb.conn)) == 500
    assert generate(gdb.conn, utc_offset_s=8 * 3600, **kw)["residents"] == 0  # no doubles
    assert len(roster_db.all_residents(gdb.conn)) == 500
    assert gdb.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == pending
    changes = gdb.conn.execute("SELECT count(*) FROM roster_changes").fetchone()[0]
    assert changes == 500


def test_the_daily_purge_also_removes_old_journal_files(tmp_path):
    """The desk journal (#10) is kept exactly as long as the records it describes."""
    from app.database import open_database
    from app.gate.journal import JOURNAL_DIR
    from app.settings import Settings

    clock = FakeClock(datetime(2026, 11, 29, 9, 0, tzinfo=CST))
    gdb = open_database(tmp_path)
    try:
        Settings(gdb.conn).set("retention_days", "28")
        folder = tmp_path / JOURNAL_DIR
        folder.mkdir()
        for day in ("2026-10-31", "2026-11-01", "2026-11-29", "notes"):
            (folder / f"{day}.jsonl").write_text("{}\n")
        result = RetentionService(gdb, clock).run_daily()
    finally:
        gdb.close()
    assert result is not None and result["counts"] == {"journal_files": 1}
    assert sorted(p.stem for p in folder.iterdir()) == ["2026-11-01", "2026-11-29", "notes"]
