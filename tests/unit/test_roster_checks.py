"""The gate and the roster: watchlist stop, household quota, replay, overdue visitors."""

from datetime import date, timedelta

import pytest

from app.gate.service import Identity, PassageDraft
from app.roster import passes
from app.roster.checks import gate_checks, overdue_inside
from app.roster.demo import demo_cards_with_passes
from app.scan.demo import DEFAULT_CARDS
from tests.fakes import roster_files as rf

TODAY = date(2026, 11, 29)


@pytest.fixture
def family(roster):
    a = roster.add(
        {"name": "张三", "id_number": rf.ZHANG, "building": "3", "unit": "2", "room": "501"}
    )
    b = roster.add(
        {"name": "张小红", "id_number": rf.LI, "building": "3", "unit": "2", "room": "501"}
    )
    return a, b


def scan_pass(roster, resident, direction="out", temperature=None):
    text = passes.resident_pass(
        roster.conn, roster.clock, resident["id"], TODAY, TODAY + timedelta(days=30)
    )
    check = passes.resolve_pass(roster.conn, text, roster.clock.now())
    assert check.ok
    return PassageDraft(
        direction=direction,
        code_color="none",
        payload_kind="pass",
        payload_text=text,
        identity=check.identity(),
        temperature=temperature,
    )


def test_resident_under_observation_going_out_is_stopped_and_recorded(service, roster, family):
    a, _ = family
    roster.set_status(a["id"], "observation", "2026-11-25", "2026-12-02")
    draft = scan_pass(roster, a, "out")
    alerts = gate_checks(roster.conn, draft.identity, "out", TODAY)
    assert [(x.level, x.code, x.params) for x in alerts] == [
        ("stop", "alert_watchlist", {"name": "张*", "end": "2026-12-02"})
    ]
    assert "2026-12-02" in alerts[0].message("zh")
    draft.note = "已通知网格员"
    out = service.record(draft)  # no temperature needed for a refusal
    row = out.record
    assert (row["decision"], row["reason"], row["identity_method"]) == (
        "refused",
        "watchlist",
        "pass",
    )
    assert row["resident_id"] == a["id"] and row["note"] == "已通知网格员"
    event = service.conn.execute(
        "SELECT kind FROM outbox WHERE event_id = ?", (row["id"],)
    ).fetchone()
    assert event["kind"] == "passage"
    assert service.today()["refused"] == 1
    # coming in is allowed (with a temperature); the hard stop is only on the way out
    back = service.record(scan_pass(roster, a, "in", "36.5"))
    assert back.record["decision"] == "pass"


def test_the_stop_lifts_by_itself_on_the_end_date(service, roster, family, clock):
    a, _ = family
    roster.set_status(a["id"], "observation", "2026-11-25", "2026-11-30")
    assert service.record(scan_pass(roster, a, "out", "36.5")).record["reason"] == "watchlist"
    clock.advance(24 * 3600)  # 2026-11-30: the end date
    draft = scan_pass(roster, a, "out", "36.5")
    assert gate_checks(roster.conn, draft.identity, "out", clock.now().date()) == []
    assert service.record(draft).record["decision"] == "pass"


def test_the_stop_also_holds_for_a_resident_found_by_id_number(service, roster, family):
    a, _ = family
    roster.set_status(a["id"], "observation", None, "2026-12-09")
    manual = Identity(method="id_number", person_name="张三", id_number=rf.ZHANG)
    out = service.record(
        PassageDraft(
            direction="out",
            code_color="green",
            payload_text="hc",
            identity=manual,
            temperature="36.4",
        )
    )
    assert out.record["decision"] == "refused" and out.record["reason"] == "watchlist"


def test_moved_out_resident_is_refused_either_way(service, roster, family):
    a, _ = family
    roster.set_status(a["id"], "moved_out")
    ident = Identity(method="name_room", person_name="张三", resident_id=a["id"])
    alerts = gate_checks(roster.conn, ident, "in", TODAY)
    assert [x.code for x in alerts] == ["alert_moved_out"]
    out = service.record(
        PassageDraft(direction="in", code_color="green", identity=ident, temperature="36.5")
    )
    assert out.record["reason"] == "moved_out"


def test_household_quota_warns_with_count_and_who(service, roster, family):
    a, b = family
    service.settings.set("household_exit_quota", "1")
    quota = int(service.settings.get("household_exit_quota"))
    first = scan_pass(roster, a, "out", "36.5")
    assert gate_checks(roster.conn, first.identity, "out", TODAY, quota=quota) == []
    service.record(first)
    second = scan_pass(roster, b, "out", "36.5")
    alerts = gate_checks(roster.conn, second.identity, "out", TODAY, quota=quota)
    assert [(x.level, x.code, x.params) for x in alerts] == [
        ("warn", "alert_quota", {"count": 1, "quota": 1, "who": "张*"})
    ]
    # the one who already went out may go out again; coming in is never counted
    assert gate_checks(roster.conn, first.identity, "out", TODAY, quota=quota) == []
    assert gate_checks(roster.conn, second.identity, "in", TODAY, quota=quota) == []
    assert gate_checks(roster.conn, second.identity, "out", TODAY, quota=0) == []
    # a voided exit does not count
    service.void_last("录入错误")
    assert gate_checks(roster.conn, second.identity, "out", TODAY, quota=quota) == []


def test_the_same_health_code_for_a_different_person_is_flagged(service, roster, clock):
    wang = Identity(method="id_number", person_name="王五", id_number=rf.WANG_X)
    zhao = Identity(method="id_number", person_name="赵六", id_number=rf.ZHAO)
    service.record(
        PassageDraft(
            code_color="green",
            payload_text="hc:screenshot",
            identity=wang,
            temperature="36.5",
            direction="out",
        )
    )
    clock.advance(1800)
    h = service.hash_payload("hc:screenshot")
    alerts = gate_checks(roster.conn, zhao, "in", clock.now().date(), payload_hash=h)
    assert [(x.code, x.params) for x in alerts] == [
        ("alert_replay", {"who": "王*", "time": "08:00"})
    ]
    # the same person coming back with their own code is not a replay
    assert gate_checks(roster.conn, wang, "in", clock.now().date(), payload_hash=h) == []
    # tomorrow it is a new day
    clock.advance(24 * 3600)
    assert gate_checks(roster.conn, zhao, "in", clock.now().date(), payload_hash=h) == []


def test_visitors_inside_too_long_are_overdue(service, clock):
    rf.visitor_passes(service)
    clock.advance(119 * 60)
    assert overdue_inside(service.conn, clock.now(), 120) == []
    clock.advance(60)
    late = overdue_inside(service.conn, clock.now(), 120)
    assert [(r["masked_name"], r["minutes_inside"]) for r in late] == [("李*客", 120)]
    assert overdue_inside(service.conn, clock.now(), 180) == []
    rf.visitor_passes(service, "out")
    assert overdue_inside(service.conn, clock.now(), 120) == []


def test_demo_cards_show_the_pass_of_a_resident_under_observation(roster, family, clock):
    a, b = family
    roster.set_status(b["id"], "observation", None, "2026-12-09")
    cards = demo_cards_with_passes(roster.conn, clock)
    black = [c for c in cards if c.color == "black"]
    assert len(black) == 2 and len(cards) == len(black) + len(DEFAULT_CARDS)
    first = passes.resolve_pass(roster.conn, black[0].payload, clock.now())
    assert first.ok and first.resident_id == b["id"]


def test_desk_scan_then_record_a_watchlisted_resident_going_out(service, roster, family):
    from app.gate.desk import Desk
    from app.gate.desk_view import render

    a, _ = family
    roster.set_status(a["id"], "observation", None, "2026-12-09")
    desk = Desk(service)
    text = passes.resident_pass(roster.conn, roster.clock, a["id"], TODAY, TODAY)
    desk.key("F2")  # going out
    desk.scan(text, "black")
    cur = desk.current
    assert cur.payload_kind == "pass" and cur.stop and cur.identity.resident_id == a["id"]
    assert "2026-12-09" in render(desk, "en").title
    desk.set_typed("365")
    step = desk.key("Enter")
    assert step.record["decision"] == "refused" and step.record["reason"] == "watchlist"
    desk.key("F1")
    desk.debouncer.reset()
    desk.scan(text, "black")
    assert not desk.current.stop
    desk.key("Esc")
    desk.scan(text[:-3] + "AAA", "black")
    forged = desk.current
    assert forged.stop and render(desk, "en").detail.startswith("Pass signature invalid")
    refused = desk.key("Enter").record
    assert (refused["reason"], refused["identity_method"]) == ("pass_invalid", "pass")
    assert refused["note"].startswith("pass_forged: 通行证签名不对")


def test_an_unnamed_screenshot_going_in_twice_is_flagged(service, roster, clock):
    code = "https://jkm.example.invalid/v?t=SHARED"
    h = service.hash_payload(code)
    anon = Identity(method="scan")
    assert gate_checks(roster.conn, anon, "in", TODAY, payload_hash=h) == []
    service.record(PassageDraft(code_color="green", payload_text=code, temperature="36.5"))
    clock.advance(600)
    alerts = gate_checks(roster.conn, anon, "in", TODAY, payload_hash=h)
    assert [(a.code, a.params) for a in alerts] == [("alert_replay", {"who": "?", "time": "08:00"})]
    # going out with it is the same person leaving; then coming back in is normal
    assert gate_checks(roster.conn, anon, "out", TODAY, payload_hash=h) == []
    service.record(
        PassageDraft(code_color="green", payload_text=code, temperature="36.5", direction="out")
    )
    assert gate_checks(roster.conn, anon, "in", TODAY, payload_hash=h) == []
