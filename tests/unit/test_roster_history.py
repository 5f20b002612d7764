"""A resident's change history: who, when, what changed (before → after), masked by default."""

from app.roster import passes
from app.roster.service import RosterService
from tests.fakes import roster_files as rf


def test_history_says_who_changed_what_and_when_masked(gdb, clock):
    roster = RosterService(gdb, clock)
    zhang = roster.add(rf.zhang_san(), who="王阿姨")
    clock.advance(3600)
    roster.edit(zhang["id"], {"phone": "13900001111"}, who="李网格")
    clock.advance(60)
    roster.set_status(zhang["id"], "observation", "2026-11-29", "2026-12-06", who="李网格")
    clock.advance(60)
    passes.reissue(roster.conn, clock, zhang["id"], who="值班")
    lines = roster.history_lines(zhang["id"])  # newest first
    assert [(x.who, x.action) for x in lines] == [
        ("值班", "pass_reissue"),
        ("李网格", "status"),
        ("李网格", "edit"),
        ("王阿姨", "add"),
    ]
    assert [x.when for x in lines][-2:] == ["2026-11-29 09:00:00", "2026-11-29 08:00:00"]
    assert lines[2].what() == "手机：138****5678 → 139****1111"
    assert lines[1].what() == (
        "状态：正常 → 居家医学观察；观察开始：2026-11-29；观察结束：2026-12-06"
    )
    assert lines[0].what() == "通行证序号：0 → 1"
    created = lines[3].what()
    assert "姓名：张*" in created and "3502" in created and rf.ZHANG not in created
    assert "13812345678" not in created and "138****5678" in created
    full = roster.history_lines(zhang["id"], masked=False, lang="en")
    assert rf.ZHANG in full[3].what() and full[2].what("en") == "Phone: 13812345678 → 13900001111"
    assert full[1].action_text("en") == "Status"


def test_an_import_names_the_file(gdb, clock, tmp_path):
    from app.roster import importer

    roster = RosterService(gdb, clock)
    rows = [["姓名", "身份证号", "住址"], ["张三", rf.ZHANG, "3-2-501"]]
    path = rf.write_csv(tmp_path / "花名册.csv", rows)
    plan = importer.plan(gdb.conn, str(path), clock.now().date())  # in-memory: on this thread
    importer.apply(gdb.conn, plan, clock, "网格员")
    resident = roster.find_id_number(rf.ZHANG)
    (line,) = roster.history_lines(resident["id"])
    assert line.who == "网格员" and line.action_text() == "导入新增（花名册.csv）"
