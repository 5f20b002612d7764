"""Issuing visitor passes at the desk: the host must live here, the name is required."""

import pytest

from app.errors import KnownError
from app.roster import passes, visitors
from app.roster.service import RosterService
from tests.fakes import roster_files as rf


@pytest.fixture
def roster(gdb, clock):
    r = RosterService(gdb, clock)
    r.add({"name": "李四", "id_number": rf.ZHANG, "building": "3", "unit": "2", "room": "501"})
    gone = r.add({"name": "赵六", "id_number": rf.LI, "building": "4", "room": "101"})
    r.set_status(gone["id"], "moved_out")
    return r


def count(roster):
    return roster.conn.execute("SELECT count(*) FROM visitor_passes").fetchone()[0]


@pytest.mark.parametrize(
    "host, name, hours, code",
    [
        ("3-2-501", "  ", None, "visitor_name_required"),
        ("", "王小明", None, "visitor_host_required"),
        ("9-9-999", "王小明", None, "visitor_host_unknown"),
        ("4-101", "王小明", None, "visitor_host_unknown"),  # everyone there moved out
        ("3-2-501", "王小明", 25, "visitor_hours_bad"),
        ("3-2-501", "王小明", -1, "visitor_hours_bad"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_issued(roster, host, name, hours, code):
    with pytest.raises(KnownError) as err:
        visitors.issue(roster, host, name, hours)
    assert err.value.code == code
    assert count(roster) == 0


def test_households_lists_only_where_someone_lives(roster):
    assert visitors.households(roster.conn) == ["3-2-501"]


def test_issue_records_the_pass_and_makes_a_masked_card(roster, clock):
    issued = visitors.issue(roster, "３-2-501", "王 小明", 3)  # full-width digit, stray space
    assert count(roster) == 1
    check = passes.resolve_pass(roster.conn, issued.text, clock.now())
    assert check.ok and check.person_name == "王小明" and check.household == "3-2-501"
    assert issued.valid_until == "2026-11-29 11:00" == check.valid_until
    assert issued.card.masked_name == "王*明" and issued.card.kind == "visitor"
    assert issued.card.qr_text == issued.text
