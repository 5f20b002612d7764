"""desk-replay reproduces the field reports of issue #10, each recording what the rules say."""

from __future__ import annotations

import json

import pytest

from app.gate.journal import DeskJournal, purge_journals
from app.gate.replay import Replay, replay

GREEN = "https://jkm.example.invalid/v?t=GREEN-1"
YELLOW = "https://jkm.example.invalid/v?t=YELLOW-2"
GREEN2 = "https://jkm.example.invalid/v?t=GREEN-3"


def scan(t, code=GREEN, color="green"):
    """The journal line of a phone's code read at second t."""
    return {"t": t, "scan": code, "color": color}


def run(service, *events):
    return list(replay(service, [json.dumps(e) for e in events]))


def passages(service):
    return [dict(r) for r in service.conn.execute("SELECT * FROM passages ORDER BY rowid")]


def test_no_code_and_enter_records_nothing(service):
    out = run(service, {"t": 0, "type": "366"}, {"t": 1, "key": "Enter"})
    assert out[-1]["recorded"] is None and out[-1]["message"] == "no_identity"
    assert out[-1]["state"] == "idle" and passages(service) == []
    assert service.today()["in"] == 0


def test_a_second_phone_waits_and_the_first_keeps_its_temperature(service):
    out = run(
        service,
        scan(0),
        {"t": 1, "type": "36"},
        scan(2, YELLOW, "yellow"),
        {"t": 3, "type": "5"},
        {"t": 4, "key": "Enter"},
        {"t": 5, "key": "Enter"},
    )
    assert out[2]["outcome"] == "queued" and out[2]["next"] == 1
    assert out[2]["banner"].startswith("绿码")  # the green person is still on screen
    first, second = out[4]["recorded"], out[5]["recorded"]
    assert (first["decision"], first["code_color"], first["temperature"]) == ("pass", "green", 36.5)
    assert (second["decision"], second["code_color"]) == ("refused", "yellow")
    assert [p["code_color"] for p in passages(service)] == ["green", "yellow"]


def test_an_override_applies_to_the_yellow_person_it_was_opened_for(service):
    out = run(
        service,
        scan(0, YELLOW, "yellow"),
        {"t": 1, "key": "Ctrl+Y"},
        scan(2),  # the next phone, while the dialog is open
        {"t": 3, "answer": {"reason": "社区证明已核实"}},
        {"t": 4, "type": "365"},
        {"t": 5, "key": "Enter"},
        {"t": 6, "type": "364"},
        {"t": 7, "key": "Enter"},
    )
    assert out[1]["state"] == "asking:override" and out[2]["outcome"] == "queued"
    rows = passages(service)
    assert [(r["code_color"], r["decision"]) for r in rows] == [
        ("yellow", "pass"),
        ("green", "pass"),
    ]
    assert rows[0]["override_reason"] == "社区证明已核实" and rows[1]["override_reason"] is None


def test_an_answer_for_a_person_who_left_changes_nothing(service):
    out = run(
        service,
        scan(0, YELLOW, "yellow"),
        {"t": 1, "key": "Ctrl+Y"},
        {"t": 2, "key": "Esc"},
        scan(3),
        {"t": 4, "answer": {"reason": "理由"}},
    )
    assert out[-1]["outcome"] == "ignored" and out[-1]["message"] == "dialog_stale"


def test_a_manual_entry_is_not_replaced_by_the_next_camera_code(service):
    out = run(
        service,
        {"t": 0, "manual": {"id_number": "11010519491231002X"}},
        scan(10),
        {"t": 11, "type": "363"},
        {"t": 12, "key": "Enter"},
    )
    assert out[1]["outcome"] == "queued"
    assert out[3]["recorded"]["identity"] == "manual"
    assert out[3]["state"] == "at_desk" and out[3]["banner"].startswith("绿码")


def test_a_passed_retest_shows_the_retest_temperature(service):
    out = run(
        service,
        scan(0),
        {"t": 1, "type": "380"},
        {"t": 2, "key": "Enter"},
        {"t": 400, "retest": 0},
        {"t": 401, "answer": {"temperature": "36.6"}},
    )
    assert out[2]["recorded"]["decision"] == "fever_rest"
    assert out[3]["state"] == "asking:retest"
    done = out[4]["recorded"]
    assert done["decision"] == "pass" and done["retest_temperature"] == 36.6
    assert out[4]["banner"] == "通行 · 36.6 °C"


def test_a_retest_before_the_rest_is_over_asks_to_confirm(service):
    out = run(
        service,
        scan(0),
        {"t": 1, "key": "Enter", "typed": "37.8"},
        {"t": 60, "retest": 0},
        {"t": 61, "answer": None},
    )
    assert out[2]["state"] == "asking:retest_early" and out[3]["outcome"] == "cancelled"
    assert len(service.pending_fevers()) == 1


def test_esc_lets_the_same_phone_be_read_again_at_once(service):
    out = run(
        service,
        scan(0),
        {"t": 1, "key": "Esc"},
        scan(2),
    )
    assert out[2]["outcome"] == "shown" and out[2]["state"] == "at_desk"


def test_f4_names_the_record_and_a_second_f4_does_not_walk_back(service):
    out = run(
        service,
        scan(0),
        {"t": 1, "key": "Enter", "typed": "365"},
        scan(2, GREEN2),
        {"t": 3, "key": "Enter", "typed": "364"},
        {"t": 4, "key": "F4"},
        {"t": 5, "answer": {"reason": "录入错误"}},
        {"t": 6, "key": "F4"},
    )
    assert out[4]["state"] == "asking:void"
    assert out[5]["recorded"]["decision"] == "void"
    voided = service.conn.execute("SELECT target_id FROM voids").fetchall()
    assert [v[0] for v in voided] == [passages(service)[1]["id"]]
    assert out[6]["message"] == "void_nothing_newer" and out[6]["state"] == "idle"


def test_the_journal_keeps_no_payload_and_replays_to_the_same_outcomes(service, tmp_path, clock):
    from app.gate.desk import Desk

    desk = Desk(service)
    journal = DeskJournal(desk, tmp_path)
    desk.scan(GREEN, "green")
    desk.set_typed("36.5")
    desk.key("Enter")
    desk.scan(YELLOW, "yellow")
    desk.key("Enter")
    desk.key("F3")
    desk.answer(None, {"name": "李四", "building": "3", "room": "402"})
    desk.set_typed("5")
    desk.key("Enter")
    journal.close()
    files = list((tmp_path / "journal").glob("*.jsonl"))
    assert [f.name for f in files] == ["2026-11-29.jsonl"]
    text = files[0].read_text(encoding="utf-8")
    lines = text.splitlines()
    hashes = [json.loads(x).pop("scan_hash", None) for x in lines]
    assert all(h is None or len(h) == 64 for h in hashes) and any(hashes)
    # everything but the keyed hashes (random hex, where any digits may occur by chance)
    kept = json.dumps([{k: v for k, v in json.loads(x).items() if k != "scan_hash"} for x in lines])
    assert "GREEN-1" not in text and "李四" not in kept and "402" not in kept
    original = [json.loads(x)["recorded"] for x in lines]

    from app.database import open_memory
    from app.gate.service import GateService

    fresh = GateService(open_memory(), clock)
    replayed = [o["recorded"] for o in replay(fresh, lines)]
    assert [r and r["decision"] for r in replayed] == [r and r["decision"] for r in original]
    assert [p["decision"] for p in passages(fresh)] == ["pass", "refused", "pass"]


def test_old_journal_files_go_with_the_records(tmp_path):
    from datetime import date

    folder = tmp_path / "journal"
    folder.mkdir()
    for day in ("2026-10-01", "2026-11-28", "notes"):
        (folder / f"{day}.jsonl").write_text("{}\n")
    gone = purge_journals(tmp_path, 28, date(2026, 11, 29))
    assert [p.stem for p in gone] == ["2026-10-01"]
    assert sorted(p.stem for p in folder.iterdir()) == ["2026-11-28", "notes"]


def test_a_line_that_is_not_an_event_is_named(service):
    from app.errors import KnownError

    with pytest.raises(KnownError) as err:
        list(replay(service, ['{"t": 0, "key": "Enter"}', "not json"]))
    assert err.value.code == "replay_bad_line" and err.value.params == {"line": 2}


def test_the_replay_clock_only_moves_forward(service):
    driver = Replay(service)
    start = driver.clock.now()
    driver.feed({"t": 100, "key": "F1"})
    driver.feed({"t": 50, "key": "F2"})
    driver.feed({"t": 160, "key": "F1"})
    assert (driver.clock.now() - start).total_seconds() == 60


def test_desk_replay_command_prints_outcomes_and_writes_the_records(tmp_path, capsys):
    import main as gatepost_main

    script = tmp_path / "field-report.jsonl"
    script.write_text(
        "\n".join(
            [
                "# a person with no code, then a green code and a yellow phone behind it",
                json.dumps({"t": 0, "type": "366"}),
                json.dumps({"t": 1, "key": "Enter"}),
                json.dumps(scan(2)),
                json.dumps({"t": 3, "type": "36"}),
                json.dumps(scan(4, YELLOW, "yellow")),
                json.dumps({"t": 5, "type": "5"}),
                json.dumps({"t": 6, "key": "Enter"}),
            ]
        ),
        encoding="utf-8",
    )
    data = tmp_path / "replay-data"
    assert gatepost_main.main(["desk-replay", str(script), "--data-dir", str(data)]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["event"] for x in lines] == list(range(1, 8))
    assert lines[1]["recorded"] is None and lines[1]["message"] == "no_identity"
    assert lines[6]["recorded"] == {
        "decision": "pass",
        "code_color": "green",
        "temperature": 36.5,
        "retest_temperature": None,
        "reason": None,
        "identity": "code",
    }
    assert lines[6]["state"] == "at_desk" and lines[6]["banner"].startswith("黄码")
    # the records are in that data dir; a second replay into it is refused
    assert gatepost_main.main(["desk-replay", str(script), "--data-dir", str(data)]) != 0
    assert "已有门岗记录" in capsys.readouterr().err


def test_desk_replay_needs_its_own_data_dir(tmp_path, capsys):
    import main as gatepost_main

    script = tmp_path / "s.jsonl"
    script.write_text('{"t": 0, "key": "Enter"}\n', encoding="utf-8")
    assert gatepost_main.main(["desk-replay", str(script)]) != 0
    assert "--data-dir" in capsys.readouterr().err
