import pytest

from app.errors import KnownError
from app.gate.service import Identity, PassageDraft
from db import records


def green(temp="36.5", **kw):
    return PassageDraft(
        code_color="green", payload_kind="healthcode", payload_text="hc-1", temperature=temp, **kw
    )


def test_green_code_normal_temperature_passes_with_every_field(service, clock):
    out = service.record(green("365", direction="out", category="visitor"))
    assert out.kind == "passage"
    row = service.conn.execute("SELECT * FROM passages").fetchone()
    assert row["decision"] == "pass" and row["temperature"] == 36.5
    assert row["direction"] == "out" and row["category"] == "visitor"
    assert row["code_color"] == "green" and row["volunteer"] == "王阿姨"
    assert row["checkpoint_id"] == "gate-1"
    assert row["ts_local"].startswith("2026-11-29T08:00:00+08:00")
    assert row["ts_utc"].startswith("2026-11-29T00:00:00")
    assert row["local_date"] == "2026-11-29"


def test_red_code_is_refused_even_without_temperature(service):
    out = service.record(PassageDraft(code_color="red", payload_text="r"))
    assert out.record["decision"] == "refused" and out.record["reason"] == "red_code"


def test_yellow_code_needs_an_override_reason(service):
    refused = service.record(
        PassageDraft(code_color="yellow", payload_text="y", temperature="36.5")
    )
    assert refused.record["decision"] == "refused" and refused.record["reason"] == "yellow_code"
    allowed = service.record(
        PassageDraft(
            code_color="yellow",
            payload_text="y",
            temperature="36.5",
            override_reason="社区医生确认",
        )
    )
    assert allowed.record["decision"] == "pass"
    assert allowed.record["override_reason"] == "社区医生确认"


def test_a_pass_needs_a_temperature(service):
    with pytest.raises(KnownError) as err:
        service.record(green(temp=None))
    assert err.value.code == "temp_required"


def test_fever_then_normal_retest_passes(service, clock):
    out = service.record(green("37.6"))
    assert out.kind == "fever"
    assert service.today()["fever"] == 1
    assert [f["id"] for f in service.pending_fevers()] == [out.record["id"]]
    clock.advance(300)
    done = service.record_retest(out.record["id"], "36.9")
    assert done.record["decision"] == "pass"
    assert done.record["temperature"] == 37.6 and done.record["retest_temperature"] == 36.9
    assert service.pending_fevers() == []


def test_fever_still_fever_needs_a_disposition(service):
    out = service.record(green("37.5"))
    still = service.record_retest(out.record["id"], "37.5")
    assert still.kind == "still_fever"
    assert service.pending_fevers()  # nothing written yet
    with pytest.raises(KnownError):
        service.record_retest(out.record["id"], "37.5", "other", note="")
    done = service.record_retest(out.record["id"], "37.5", "grid_cadre")
    assert done.record["decision"] == "refused" and done.record["disposition"] == "grid_cadre"
    assert service.today() == {"in": 0, "out": 0, "refused": 1, "fever": 1, "visitors_inside": 0}


def test_fever_threshold_is_a_setting(service):
    service.settings.set("fever_threshold", "37.8")
    assert service.record(green("37.6")).kind == "passage"


def test_undo_voids_the_last_record_with_a_new_record(service):
    service.record(green("36.5"))
    second = service.record(green("36.6", direction="out"))
    void = service.void_last("录入错误")
    assert void["target"]["id"] == second.record["id"]
    assert service.conn.execute("SELECT count(*) FROM passages").fetchone()[0] == 2
    assert service.today()["out"] == 0 and service.today()["in"] == 1
    recent = service.recent()
    assert recent[0]["voided"] == 1 and recent[1]["voided"] == 0
    service.void_last("重复登记")
    assert service.void_last("again") is None
    with pytest.raises(KnownError):
        service.void_last("  ")


def test_visitors_inside_until_they_leave(service, clock):
    visitor = Identity(method="id_number", person_name="李四", id_number="11010519491231002X")
    service.record(green(category="visitor", identity=visitor))
    assert service.today()["visitors_inside"] == 1
    clock.advance(3600)
    service.record(green(category="visitor", direction="out", identity=visitor))
    assert service.today()["visitors_inside"] == 0


def test_manual_entry_is_a_full_passage(service):
    ident = Identity(method="name_room", person_name="陈伯", building="3", unit="2", room="501")
    out = service.record(PassageDraft(code_color="none", identity=ident, temperature="36.4"))
    row = service.conn.execute("SELECT * FROM passages").fetchone()
    assert out.kind == "passage" and row["identity_method"] == "name_room"
    assert (row["building"], row["unit"], row["room"]) == ("3", "2", "501")
    assert row["payload_hash"] is None


def test_void_an_older_record_by_id_once(service, clock):
    first = service.record(green("36.5"))
    clock.advance(60)
    second = service.record(green("36.6", direction="out"))
    assert not service.is_last(first.record["id"]) and service.is_last(second.record["id"])
    void = service.void(first.record["id"], " 重复登记 ")
    assert void["target"]["id"] == first.record["id"] and void["reason"] == "重复登记"
    row = service.conn.execute("SELECT * FROM voids").fetchone()
    assert row["target_id"] == first.record["id"] and row["volunteer"] == "王阿姨"
    assert service.today()["in"] == 0 and service.today()["out"] == 1
    ev = service.conn.execute("SELECT kind, body FROM outbox ORDER BY seq DESC").fetchone()
    assert ev["kind"] == "void" and first.record["id"] in ev["body"]
    with pytest.raises(KnownError) as err:
        service.void(first.record["id"], "again")
    assert err.value.code == "void_already"
    with pytest.raises(KnownError) as err:
        service.void("no-such-id", "x")
    assert err.value.code == "void_not_found"
    with pytest.raises(KnownError) as err:
        service.void(second.record["id"], "  ")
    assert err.value.code == "note_required"
    assert service.conn.execute("SELECT count(*) FROM voids").fetchone()[0] == 1
    # the last record is still F4's; voiding the older one did not change that
    assert service.void_last("录入错误")["target"]["id"] == second.record["id"]


def _sqlite_steps(conn, fn) -> int:
    """How many SQLite VM steps (in thousands) fn costs: work, not wall time."""
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    conn.set_progress_handler(tick, 1000)
    try:
        fn()
    finally:
        conn.set_progress_handler(None, 0)
    return steps[0]


def _add_old_passages(conn, n: int, start: int) -> None:
    """n copies of the first passage on days long gone (a year of history)."""
    conn.execute(
        "WITH RECURSIVE k(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM k WHERE i < ?) "
        "INSERT INTO passages (id, ts_utc, ts_local, local_date, checkpoint_id, volunteer, "
        "direction, category, code_color, payload_kind, payload_hash, identity_method, "
        "temperature, decision) "
        "SELECT 'old-' || i, '2025-01-01T00:00:00.000Z', '2025-01-01T08:00:00+08:00', "
        "'2025-01-01', checkpoint_id, volunteer, direction, category, code_color, payload_kind, "
        "payload_hash || i, identity_method, temperature, decision "
        "FROM passages, k WHERE passages.id = (SELECT min(id) FROM passages)",
        (start, start + n - 1),
    )


def test_the_counters_read_today_not_the_whole_history(service):
    """#12: today() runs on the GUI thread after every passage and at start; on a year of
    passages it must not walk them all (it did, in time order, through passages_by_ts_utc)."""
    visitor = Identity(method="id_number", person_name="李四", id_number="11010519491231002X")
    service.record(green(category="visitor", identity=visitor))
    _add_old_passages(service.conn, 2_000, 0)
    small = _sqlite_steps(service.conn, service.today)
    _add_old_passages(service.conn, 20_000, 2_000)
    large = _sqlite_steps(service.conn, service.today)
    assert service.today()["visitors_inside"] == 1
    everyone = records.visitors_inside(service.conn, "2025-01-01")  # the old copies too
    assert records.count_visitors_inside(service.conn, "2025-01-01") == len(everyone) == 22_001
    assert large <= small + 2, (small, large)
