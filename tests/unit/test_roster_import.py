"""The importer against messy files built here: CSV (UTF-8, BOM, GBK) and XLSX."""

import csv

import pytest

from app.errors import KnownError
from app.roster import importer
from app.roster.importing import apply as importing_apply
from main import main
from tests.fakes import roster_files as rf


def make(tmp_path, kind):
    if kind == "xlsx":
        return rf.write_xlsx(tmp_path / "花名册.xlsx", rf.messy_rows(excel_id=3.50203e17))
    encoding = {"csv-utf8": "utf-8", "csv-bom": "utf-8-sig", "csv-gbk": "gbk"}[kind]
    return rf.write_csv(tmp_path / "花名册.csv", rf.messy_rows(), encoding)


KINDS = ["csv-utf8", "csv-bom", "csv-gbk", "xlsx"]


@pytest.mark.parametrize("kind", KINDS)
def test_messy_file_imports_the_good_rows_and_explains_every_bad_one(tmp_path, roster, kind):
    path = make(tmp_path, kind)
    plan = importer.plan(roster.conn, path, roster.today())
    assert plan.header_row == 3
    assert plan.mapping == {
        "name": "名字",
        "id_number": "公民身份号码",
        "phone": "联系电话",
        "address": "住址",
        "tags": "标签",
    }
    result = importer.apply(roster.conn, plan, roster.clock, roster.who)
    assert result.summary() == "imported 3, updated 0, unchanged 0, rejected 5"
    assert {r.row: r.code for r in result.rejected} == rf.EXPECTED_CODES
    zhang = roster.find_id_number(rf.ZHANG)
    assert (zhang["name"], zhang["phone"], zhang["tags"]) == ("张三", "13812345678", "独居老人")
    assert (zhang["building"], zhang["unit"], zhang["room"], zhang["household"]) == (
        "3",
        "2",
        "501",
        "3-2-501",
    )
    li = roster.find_id_number(rf.LI)  # full-width digits and spaces folded
    assert (li["name"], li["phone"], li["room"]) == ("李四", "13900001111", "502")
    wang = roster.find_id_number(rf.WANG_X)  # lower-case x check digit
    assert wang is not None and (wang["building"], wang["unit"], wang["room"]) == ("5", "1", "301")
    assert roster.find_id_number(rf.ZHAO) is None  # row 12 refused for its address
    # the error report sits next to the file, one line per problem, readable by Excel
    report = importer.report_path_for(path)
    assert result.report_path == report
    with open(report, encoding="utf-8-sig") as fh:
        lines = list(csv.reader(fh))
    assert lines[0][0] == "行号 Row"
    assert [int(r[0]) for r in lines[1:]] == rf.EXPECTED_REJECTED_ROWS
    assert "文本" in lines[1][2] and lines[1][1] == "公民身份号码"


@pytest.mark.parametrize("kind", ["csv-gbk", "xlsx"])
def test_importing_the_same_file_again_changes_nothing(tmp_path, roster, kind):
    path = make(tmp_path, kind)
    importer.apply(roster.conn, importer.plan(roster.conn, path, roster.today()), roster.clock, "a")
    changes = roster.conn.execute("SELECT count(*) FROM roster_changes").fetchone()[0]
    again = importer.apply(
        roster.conn, importer.plan(roster.conn, path, roster.today()), roster.clock, "a"
    )
    assert again.summary() == "imported 0, updated 0, unchanged 3, rejected 5"
    assert roster.conn.execute("SELECT count(*) FROM roster_changes").fetchone()[0] == changes


def test_a_changed_row_updates_and_keeps_history(tmp_path, roster):
    rows = rf.messy_rows()
    path = rf.write_csv(tmp_path / "r.csv", rows)
    importer.apply(roster.conn, importer.plan(roster.conn, path, roster.today()), roster.clock, "a")
    rows[3][3] = "13811112222"
    rows[3][4] = "4栋1单元101"
    rf.write_csv(path, rows)
    result = importer.apply(
        roster.conn, importer.plan(roster.conn, path, roster.today()), roster.clock, "b"
    )
    assert result.summary() == "imported 0, updated 1, unchanged 2, rejected 5"
    zhang = roster.find_id_number(rf.ZHANG)
    assert zhang["phone"] == "13811112222" and zhang["household"] == "4-1-101"
    history = roster.history(zhang["id"])
    assert [h["action"] for h in history] == ["import_add", "import_update"]
    assert [h["who"] for h in history] == ["a", "b"]
    events = roster.conn.execute(
        "SELECT count(*) FROM outbox WHERE kind = 'roster_change'"
    ).fetchone()[0]
    assert events == 4  # 3 added + 1 updated, each with its event


@pytest.mark.parametrize(
    "header",
    [
        ["姓名", "身份证号", "手机", "楼栋", "单元", "房号"],
        ["名字", "证件号码", "电话", "楼号", "单元号", "房间号"],
        ["姓 名", "身份证号码*", "手机号码", "楼栋号", "单元", "门牌号"],
    ],
)
def test_header_variants_with_separate_address_columns(tmp_path, roster, header):
    rows = [header, ["陈伯", rf.ZHAO, "13300001234", "12", "1", "1203"]]
    path = rf.write_csv(tmp_path / "r.csv", rows)
    result = importer.apply(
        roster.conn, importer.plan(roster.conn, path, roster.today()), roster.clock, "a"
    )
    assert result.summary() == "imported 1, updated 0, unchanged 0, rejected 0"
    chen = roster.find_id_number(rf.ZHAO)
    assert (chen["building"], chen["unit"], chen["room"]) == ("12", "1", "1203")


@pytest.mark.parametrize(
    "text,expected",
    [
        ("3栋2单元501", ("3", "2", "501")),
        ("3-2-501", ("3", "2", "501")),
        ("翔鹭花城三期3号楼2单元501室", ("3", "2", "501")),
        ("５幢１单元３０１", ("5", "1", "301")),
        ("7栋301", ("7", "", "301")),
        ("不详", None),
    ],
)
def test_address_forms(text, expected):
    assert importer.parse_address(text) == expected


def test_same_id_with_different_details_is_refused_not_merged(tmp_path, roster):
    rows = [
        ["姓名", "身份证号", "住址"],
        ["张三", rf.ZHANG, "3-2-501"],
        ["张叁", rf.ZHANG, "3-2-501"],
    ]
    path = rf.write_csv(tmp_path / "r.csv", rows)
    result = importer.apply(
        roster.conn, importer.plan(roster.conn, path, roster.today()), roster.clock, "a"
    )
    assert [(r.row, r.code, r.params) for r in result.rejected] == [
        (3, "dup_id_conflict", {"first": 2})
    ]
    assert roster.find_id_number(rf.ZHANG)["name"] == "张三"


def test_blank_status_column_never_lifts_an_observation(tmp_path, roster):
    person = roster.add(
        {"name": "张三", "id_number": rf.ZHANG, "building": "3", "unit": "2", "room": "501"}
    )
    roster.set_status(person["id"], "observation", "2026-11-25", "2026-12-09")
    rows = [["姓名", "身份证号", "住址", "状态"], ["张三", rf.ZHANG, "3-2-501", ""]]
    path = rf.write_csv(tmp_path / "r.csv", rows)
    result = importer.apply(
        roster.conn, importer.plan(roster.conn, path, roster.today()), roster.clock, "a"
    )
    assert result.summary() == "imported 0, updated 0, unchanged 1, rejected 0"
    assert roster.get(person["id"])["status"] == "observation"


def test_files_that_cannot_be_read_say_why(tmp_path, roster):
    with pytest.raises(KnownError) as err:
        importer.plan(roster.conn, tmp_path / "missing.csv", roster.today())
    assert err.value.code == "import_missing"
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(KnownError) as err:
        importer.plan(roster.conn, tmp_path / "old.xls", roster.today())
    assert err.value.code == "import_format"
    (tmp_path / "fake.xlsx").write_bytes(b"not a zip")
    with pytest.raises(KnownError) as err:
        importer.plan(roster.conn, tmp_path / "fake.xlsx", roster.today())
    assert err.value.code == "import_unreadable"
    path = rf.write_csv(tmp_path / "noheader.csv", [["a", "b"], ["1", "2"]])
    with pytest.raises(KnownError) as err:
        importer.plan(roster.conn, path, roster.today())
    assert err.value.code == "import_no_header"


def test_cancel_between_batches_keeps_whole_batches_only(tmp_path, roster, monkeypatch):
    monkeypatch.setattr(importing_apply, "BATCH", 2)
    rows = [["姓名", "身份证号", "住址"]] + [
        [f"居民{i}", rf.make_id("19800101", i), f"1-1-{100 + i}"] for i in range(1, 8)
    ]
    path = rf.write_csv(tmp_path / "r.csv", rows)
    seen = []
    result = importer.apply(
        roster.conn,
        importer.plan(roster.conn, path, roster.today()),
        roster.clock,
        "a",
        progress=lambda d, t: seen.append((d, t)),
        cancelled=lambda: len(seen) >= 2,
    )
    assert result.cancelled and result.imported == 4 and seen == [(2, 7), (4, 7)]
    assert len(roster.all()) == 4
    rest = importer.apply(
        roster.conn, importer.plan(roster.conn, path, roster.today()), roster.clock, "a"
    )
    assert rest.summary() == "imported 3, updated 0, unchanged 4, rejected 0"


def test_cli_prints_the_counts_and_each_rejected_row(tmp_path, capsys):
    path = make(tmp_path, "csv-gbk")
    data = str(tmp_path / "gate")
    code = main(["import-residents", str(path), "--dry-run", "--data-dir", data, "--lang", "en"])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out[0] == "imported 3, updated 0, unchanged 0, rejected 5"
    assert out[1].startswith("row 8, 公民身份号码: Excel turned the ID number")
    assert len(out) == 6
    assert not importer.report_path_for(path).exists()  # a dry run writes nothing
    assert main(["import-residents", str(path), "--data-dir", data]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "导入 3，更新 0，不变 0，错误 5"  # #13: the summary in the UI language too
    assert out[1].startswith("第 8 行，公民身份号码：")
    assert importer.report_path_for(path).exists()
    assert main(["import-residents", str(path), "--data-dir", data]) == 1
    assert capsys.readouterr().out.splitlines()[0] == "导入 0，更新 0，不变 3，错误 5"
    clean = rf.write_csv(
        tmp_path / "clean.csv", [["姓名", "身份证号", "住址"], ["陈伯", rf.ZHAO, "3-1-101"]]
    )
    assert main(["import-residents", str(clean), "--data-dir", data]) == 0
    assert capsys.readouterr().out.strip() == "导入 1，更新 0，不变 0，错误 0"


def test_the_plan_reports_progress_row_by_row(tmp_path, roster):
    """#12: the preview of a 5,000-row file is pure Python; it reports after every row, which
    in the window is the runner's progress (rate-limited, and a moment for the GUI thread)."""
    path = make(tmp_path, "csv-utf8")
    seen: list[tuple[int, int]] = []
    plan = importer.plan(
        roster.conn, path, roster.today(), progress=lambda d, n: seen.append((d, n))
    )
    total = seen[-1][1]
    assert total == len(rf.messy_rows()) - plan.header_row and seen[-1] == (total, total)
    assert [d for d, _ in seen] == list(range(total + 1))  # every row, in order, then done
