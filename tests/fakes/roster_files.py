"""Messy roster files as grid staff really keep them, built by the tests (no fixtures on disk)."""

from __future__ import annotations

import csv
from pathlib import Path

from app.gate.service import GateService, Identity, PassageDraft
from app.idcard import check_char


def make_id(birth: str = "19500101", seq: int = 1, region: str = "350203") -> str:
    first = f"{region}{birth}{seq:03d}"
    return first + check_char(first)


def wrong_check(idn: str) -> str:
    return idn[:17] + ("0" if idn[17] != "0" else "1")


ZHANG = make_id("19480305", 11)
LI = make_id("19620718", 23)
WANG_X = next(make_id("19550101", s) for s in range(1, 999) if make_id("19550101", s)[-1] == "X")
ZHAO = make_id("19700101", 31)
BAD_BIRTH = "350203" + "19901332" + "123"
BAD_BIRTH += check_char(BAD_BIRTH)


def zhang_san() -> dict[str, str]:
    """张三 of 3-2-501 with his phone, as the roster's add form takes him."""
    return {
        "name": "张三",
        "id_number": ZHANG,
        "phone": "13812345678",
        "building": "3",
        "unit": "2",
        "room": "501",
    }


def visitor_passes(service: GateService, direction: str = "in") -> None:
    """李访客 (a green code, ID number LI) comes in (or goes out) through the gate."""
    guest = Identity(method="id_number", person_name="李访客", id_number=LI)
    service.record(
        PassageDraft(
            category="visitor",
            direction=direction,
            code_color="green",
            payload_text="v",
            identity=guest,
            temperature="36.5",
        )
    )


FULLWIDTH = str.maketrans("0123456789 ", "０１２３４５６７８９\u3000")
TITLE = "翔鹭花城三期 居民花名册（2026年11月）"
HEADER = ["序号", "名字", "公民身份号码", "联系电话", "住址", "标签"]


def messy_rows(excel_id: object = "3.50203E+17") -> list[list[object]]:
    """Title row, blank row, header, then every case of the issue; expected result below."""
    return [
        [TITLE, "", "", "", "", ""],
        ["", "", "", "", "", ""],
        HEADER,
        ["1", "张  三", ZHANG, "138 1234 5678", "3栋2单元501", "独居老人"],  # row 4 ok
        [
            "2",
            "李\u3000四",
            LI.translate(FULLWIDTH),
            "１３９ ００００ １１１１",
            "3-2-502",
            "需要帮助",
        ],  # row 5 ok, full-width digits and spaces
        ["", "", "", "", "", ""],  # row 6 blank
        ["3", "王五", WANG_X.lower(), "13700001234", "5号楼1单元301室", ""],  # row 7 ok, x
        ["4", "赵六", excel_id, "13600001234", "3-1-101", ""],  # row 8 Excel number
        ["5", "张  三", ZHANG, "138 1234 5678", "3栋2单元501", "独居老人"],  # row 9 duplicate
        ["6", "钱七", wrong_check(ZHAO), "13500001234", "3-1-102", ""],  # row 10 check digit
        ["7", "孙八", BAD_BIRTH, "13400001234", "3-1-103", ""],  # row 11 birth date
        ["8", "周九", ZHAO, "13300001234", "不详", ""],  # row 12 address
    ]


EXPECTED_REJECTED_ROWS = [8, 9, 10, 11, 12]
EXPECTED_CODES = {
    8: "id_excel_number",
    9: "dup_row",
    10: "id_bad_check",
    11: "id_bad_birth",
    12: "address_bad",
}


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[object]], merge_title: bool = True) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append([None if v == "" else v for v in row])
    if merge_title:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[2]))
    wb.save(path)
    return path


def compound_rows(n: int) -> list[list[object]]:
    """A large compound's roster as grid staff keep it: header row + n residents (benches)."""
    header: list[object] = ["序号", "姓名", "身份证号", "联系电话", "住址", "标签"]
    return [header] + [
        [
            i,
            f"居民{i}",
            make_id(f"19{40 + i % 60:02d}0101", i % 1000, f"3502{i // 1000:02d}"),
            f"138{i:08d}",
            f"{1 + i // 200}栋{1 + i % 3}单元{101 + i % 200}",
            "",
        ]
        for i in range(1, n + 1)
    ]
