"""Adding and editing residents by hand: checked fields, history with who, masked views."""

import pytest

from app.errors import KnownError
from tests.fakes import roster_files as rf


def test_add_edit_status_history_and_views(roster, clock):
    row = roster.add(
        {
            "name": " 张  三 ",
            "id_number": rf.ZHANG.lower(),
            "phone": "138-1234-5678",
            "building": "3",
            "unit": "2",
            "room": "501",
            "tags": "独居老人，需要帮助",
        }
    )
    assert (row["name"], row["phone"], row["household"]) == ("张三", "13812345678", "3-2-501")
    assert row["tags"] == "独居老人,需要帮助" and row["updated_by"] == "网格员小林"
    clock.advance(60)
    roster.edit(row["id"], {"phone": "13900001111"}, who="王阿姨")
    roster.set_status(row["id"], "observation", "2026-11-25", "2026-12-02")
    assert roster.edit(row["id"], {"phone": "13900001111"})["phone"] == "13900001111"  # no-op
    history = roster.history(row["id"])
    assert [(h["action"], h["who"]) for h in history] == [
        ("add", "网格员小林"),
        ("edit", "王阿姨"),
        ("status", "网格员小林"),
    ]
    kinds = [r[0] for r in roster.conn.execute("SELECT kind FROM outbox")]
    assert kinds == ["roster_change"] * 3
    view = roster.views([roster.get(row["id"])])[0]
    assert (view.name, view.phone, view.status, view.obs_end) == (
        "张*",
        "139****1111",
        "observation",
        "2026-12-02",
    )
    assert view.id_number == rf.ZHANG[:4] + "*" * 10 + rf.ZHANG[-4:]
    clock.advance(3 * 24 * 3600)  # 2026-12-02: lifted by itself
    assert roster.views([roster.get(row["id"])])[0].status == "normal"


def test_the_change_log_is_append_only(roster):
    import sqlite3

    roster.add({"name": "张三", "id_number": rf.ZHANG})
    with pytest.raises(sqlite3.DatabaseError):
        roster.conn.execute("UPDATE roster_changes SET who = 'x'")


@pytest.mark.parametrize(
    "raw,cause",
    [
        ({"name": ""}, "name_required"),
        ({"name": "张三", "id_number": rf.wrong_check(rf.ZHANG)}, "id_bad_check"),
        ({"name": "张三", "phone": "12ab"}, "phone_bad"),
        ({"name": "张三", "status": "observation"}, "obs_end_required"),
        (
            {
                "name": "张三",
                "status": "observation",
                "obs_start": "2026-12-05",
                "obs_end": "2026-12-01",
            },
            "obs_end_before_start",
        ),
        ({"name": "张三", "status": "observation", "obs_end": "2026-13-01"}, "date_bad"),
    ],
)
def test_bad_input_is_a_known_error_and_writes_nothing(roster, raw, cause):
    with pytest.raises(KnownError) as err:
        roster.add(raw)
    assert err.value.code == "field_bad" and err.value.params["cause"] == cause
    assert err.value.message("zh") and err.value.message("en")
    assert roster.all() == []


def test_the_same_id_number_twice_is_refused(roster):
    roster.add({"name": "张三", "id_number": rf.ZHANG})
    with pytest.raises(KnownError) as err:
        roster.add({"name": "张叁", "id_number": rf.ZHANG})
    assert err.value.code == "id_duplicate"


def test_search_by_name_room_and_last_four(roster):
    a = roster.add(rf.zhang_san())
    b = roster.add(
        {"name": "李四", "id_number": rf.LI, "building": "4", "unit": "1", "room": "501"}
    )
    ids = lambda q: [r["id"] for r in roster.search(q)]  # noqa: E731
    assert ids("张") == [a["id"]]
    assert ids("501") == [a["id"], b["id"]]
    assert ids("3-2-501") == [a["id"]]
    assert ids("5678") == [a["id"]]
    assert ids(rf.LI[-4:]) == [b["id"]]
    assert ids("1234") == []  # the middle of a phone number is not a tail
