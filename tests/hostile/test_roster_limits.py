"""Roster files from strangers: bombs refused within memory, damage as a known message."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from app.errors import KnownError
from app.roster import importer
from app.roster.importing.xlsx import MAX_ROWS
from tests.fakes import bombs
from tests.fakes import roster_files as rf
from tests.fakes.peakmem import measure


@pytest.fixture
def roster(gdb, clock):
    from app.roster.service import RosterService

    return RosterService(gdb, clock)


def _read_in_child(path) -> object:
    return measure(
        f"""
from pathlib import Path
from app.errors import KnownError
from app.roster.importing.read import read_table
try:
    rows = read_table(Path({str(path)!r}))
    result = ["rows", len(rows), max((len(r) for r in rows), default=0)]
except KnownError as exc:
    result = [exc.code, exc.message("zh")]
"""
    )


def test_one_cell_at_xfd1048576_is_refused_within_memory(tmp_path):
    path = bombs.xlsx_with_sheet(tmp_path / "far.xlsx", bombs.far_cell_sheet())
    assert path.stat().st_size < 10_000
    peak = _read_in_child(path)
    assert peak.result[0] == "import_too_many_rows" and "100000" in peak.result[1]
    assert peak.rss_mb < 300, peak
    assert peak.seconds < 30, peak  # was 24 GB until the kernel killed it


def test_a_merged_range_over_the_whole_sheet_is_clipped_to_the_cells_read(tmp_path):
    path = bombs.xlsx_with_sheet(tmp_path / "merge.xlsx", bombs.huge_merge_sheet())
    peak = _read_in_child(path)
    assert peak.result == ["rows", 2, 2]
    assert peak.rss_mb < 300 and peak.seconds < 10, peak  # was 9.9 GB and 483 s


def test_a_highly_compressed_row_bomb_is_refused_from_the_zip_directory(tmp_path):
    path = bombs.xlsx_with_sheet(tmp_path / "rows.xlsx", bombs.repeated_row_sheet())
    assert path.stat().st_size < 600_000
    peak = _read_in_child(path)
    assert peak.result[0] == "import_too_big"
    assert peak.rss_mb < 300 and peak.seconds < 10, peak  # was 3.1 GB, 118 s, ValueError


@pytest.mark.slow
def test_a_sheet_past_the_row_limit_stops_at_the_limit(tmp_path):
    path = bombs.xlsx_with_sheet(tmp_path / "long.xlsx", bombs.row_bomb_sheet(MAX_ROWS + 5, 1))
    peak = _read_in_child(path)
    assert peak.result[0] == "import_too_many_rows"
    assert peak.rss_mb < 300, peak


def test_too_many_columns_is_a_message(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "身份证号"] + ["x"] * 250)
    wb.save(tmp_path / "wide.xlsx")
    with pytest.raises(KnownError) as err:
        importer.read_table(tmp_path / "wide.xlsx")
    assert err.value.code == "import_too_many_columns"


def test_a_chartsheet_only_workbook_is_a_message(tmp_path):
    wb = openpyxl.Workbook()
    wb.create_chartsheet()
    wb.remove(wb.active)
    wb.save(tmp_path / "chart.xlsx")
    with pytest.raises(KnownError) as err:
        importer.read_table(tmp_path / "chart.xlsx")
    assert err.value.code == "import_no_sheet"
    assert "工作表" in err.value.message("zh") and "worksheet" in err.value.message("en")


def test_a_missing_sheet_part_is_a_message(tmp_path):
    path = bombs.xlsx_with_sheet(
        tmp_path / "nosheet.xlsx", [b""], drop=("xl/worksheets/sheet1.xml",)
    )
    # the placeholder sheet was written after the drop check; remove it for real
    with zipfile.ZipFile(path) as zin:
        keep = {i.filename: zin.read(i) for i in zin.infolist() if "worksheets" not in i.filename}
    with zipfile.ZipFile(path, "w") as zout:
        for name, data in keep.items():
            zout.writestr(name, data)
    with pytest.raises(KnownError) as err:
        importer.read_table(path)
    assert err.value.code in ("import_sheet_missing", "import_no_sheet")


def test_damaged_deflate_in_a_workbook_is_a_message(tmp_path):
    wb = openpyxl.Workbook()
    for i in range(2000):
        wb.active.append(["姓名", f"居民{i}", rf.make_id("19800101", i % 999 + 1)])
    wb.save(tmp_path / "ok.xlsx")
    raw = bytearray((tmp_path / "ok.xlsx").read_bytes())
    at = raw.index(b"xl/worksheets/sheet1.xml") + 200
    for i in range(at, at + 64):
        raw[i] ^= 0xA5
    (tmp_path / "bad.xlsx").write_bytes(bytes(raw))
    with pytest.raises(KnownError) as err:
        importer.read_table(tmp_path / "bad.xlsx")
    assert err.value.code in ("import_damaged", "import_unreadable")


def test_invalid_utf8_after_a_bom_is_an_encoding_message(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf\xe5\xa7\x93\xe5\x90\x8d,\xff\xfe\n")
    with pytest.raises(KnownError) as err:
        importer.read_table(path)
    assert err.value.code == "import_encoding"


def test_a_csv_field_past_131072_chars_is_a_message(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text('姓名,身份证号\n"' + "x" * 140_000 + '",1\n', encoding="utf-8")
    with pytest.raises(KnownError) as err:
        importer.read_table(path)
    assert err.value.code == "import_field_too_long" and err.value.params["row"] == 2


def test_cr_only_line_ends_are_read_as_lines(tmp_path, roster):
    path = tmp_path / "mac.csv"
    idn = rf.make_id("19800101", 7)
    path.write_bytes(f"姓名,身份证号,住址\r张三,{idn},3-2-501\r李四,,3-2-502\r".encode())
    assert importer.read_table(path) == [
        ["姓名", "身份证号", "住址"],
        ["张三", idn, "3-2-501"],
        ["李四", "", "3-2-502"],
    ]
    plan = importer.plan(roster.conn, path, roster.today())
    assert plan.count("new") == 1 and plan.rejected_rows == 1


def test_a_csv_with_too_many_rows_is_refused_within_memory(tmp_path):
    path = tmp_path / "many.csv"
    path.write_bytes("姓名,身份证号\n".encode() + b"a,1\n" * (MAX_ROWS + 10))
    with pytest.raises(KnownError) as err:
        importer.read_table(path)
    assert err.value.code == "import_too_many_rows"
    blank = tmp_path / "blank.csv"
    blank.write_bytes("姓名,身份证号\n".encode() + b"\n" * (3 * MAX_ROWS))
    with pytest.raises(KnownError) as err:
        importer.read_table(blank)
    assert err.value.code == "import_too_many_rows"


def test_a_folder_is_named_as_a_folder(tmp_path):
    with pytest.raises(KnownError) as err:
        importer.read_table(tmp_path)
    assert err.value.code == "import_is_folder"
