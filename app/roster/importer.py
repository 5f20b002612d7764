"""Import the roster as grid staff keep it: CSV (UTF-8, BOM, GBK) or XLSX, messy headers and all.

Two steps: plan() reads, maps and checks every row without writing (the GUI preview and
--dry-run stop here); apply() writes the planned rows in short batches, each resident with
its change row and outbox event. Nothing is dropped silently: every refused row has a
reason in the error report written next to the file.
"""

from __future__ import annotations

import csv
import io
import os
import re
import sqlite3
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app.clock import Clock
from app.errors import KnownError
from app.i18n import t
from app.roster import residents as res
from app.roster.changes import write_change
from db import roster as q
from db.connection import transaction
from db.roster import RESIDENT_FIELDS

HEADER_ALIASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "id_number",
        ("公民身份号码", "身份证号码", "身份证号", "身份证", "证件号码", "证件号", "idnumber"),
    ),
    ("phone", ("手机号码", "手机号", "手机", "联系电话", "联系方式", "电话", "phone")),
    ("household", ("户编号", "户号", "household")),
    ("obs_start", ("观察开始", "开始日期", "obsstart")),
    ("obs_end", ("观察结束", "结束日期", "解除日期", "obsend")),
    ("status", ("人员状态", "状态", "status")),
    ("tags", ("标签", "人员类别", "特殊人群", "tags")),
    ("address", ("家庭住址", "现住址", "住址", "地址", "address")),
    ("building", ("楼栋号", "楼栋", "楼号", "栋号", "building")),
    ("unit", ("单元号", "单元", "unit")),
    ("room", ("房间号", "房号", "门牌号", "室", "room")),
    ("name", ("姓名", "名字", "name")),
)
HEADER_SCAN_ROWS = 15
BATCH = 200
_EXCEL_NUMBER = re.compile(r"\d+(\.\d+)?[eE][+]?\d+")
_ADDRESS = re.compile(
    r"(?P<b>[0-9A-Za-z]+)\s*(?:号楼|栋|幢|座|#|-)\s*(?:(?P<u>\d+)\s*(?:单元|-)\s*)?"
    r"(?P<r>[0-9A-Za-z]+)\s*(?:室|号)?\s*$"
)
EXPORT_HEADERS = (
    ("name", "姓名"),
    ("id_number", "身份证号"),
    ("phone", "手机"),
    ("building", "楼栋"),
    ("unit", "单元"),
    ("room", "房号"),
    ("household", "户号"),
    ("tags", "标签"),
    ("status", "状态"),
    ("obs_start", "观察开始"),
    ("obs_end", "观察结束"),
)
STATUS_WORDS = {"normal": "正常", "observation": "居家医学观察", "moved_out": "已搬离"}
COMPARED = tuple(f for f in RESIDENT_FIELDS if f != "id_number")  # id_number is the key


@dataclass
class Rejection:
    row: int  # the row number grid staff see in Excel (1-based)
    column: str  # the header as written in the file
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def reason(self, lang: str = "zh") -> str:
        return t(self.code, lang, **self.params)

    def line(self, lang: str = "zh") -> str:
        return t(
            "import_reject_line", lang, row=self.row, column=self.column, reason=self.reason(lang)
        )


@dataclass
class PlannedRow:
    row: int
    action: str  # "new" | "update" | "unchanged"
    fields: dict[str, Any]
    resident_id: int | None = None


@dataclass
class Plan:
    path: Path
    header_row: int
    mapping: dict[str, str]  # field -> header text as in the file
    rows: list[PlannedRow]
    rejected: list[Rejection]
    preview: list[dict[str, Any]]  # first rows, mapped fields, raw text

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def rejected_rows(self) -> int:
        return len({r.row for r in self.rejected})


@dataclass
class ImportResult:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    report_path: Path | None = None
    cancelled: bool = False

    @property
    def rejected_rows(self) -> int:
        return len({r.row for r in self.rejected})

    def summary(self) -> str:
        return (
            f"imported {self.imported}, updated {self.updated}, "
            f"unchanged {self.unchanged}, rejected {self.rejected_rows}"
        )


# ----------------------------------------------------------------- reading
def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # a superset of GBK and GB2312
    except UnicodeDecodeError:
        raise KnownError("import_encoding") from None


def read_table(path: Path) -> list[list[Any]]:
    """All rows of the first sheet (or the CSV) as lists; merged cells filled from their corner."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise KnownError("import_missing", path=str(path))
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".csv", ".txt", ".tsv"):
        text = _decode(path.read_bytes())
        try:
            dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
        except csv.Error:
            dialect = csv.excel
        return [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    raise KnownError("import_format", suffix=suffix or "?")


def _read_xlsx(path: Path) -> list[list[Any]]:
    import zipfile

    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise KnownError("import_unreadable", detail=str(exc)) from None
    ws = wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    for rng in ws.merged_cells.ranges:
        corner = rows[rng.min_row - 1][rng.min_col - 1] if rng.min_row <= len(rows) else None
        for r in range(rng.min_row - 1, min(rng.max_row, len(rows))):
            for c in range(rng.min_col - 1, rng.max_col):
                if c < len(rows[r]):
                    rows[r][c] = corner
    wb.close()
    return rows


def _header_key(cell: Any) -> str:
    text = unicodedata.normalize("NFKC", str(cell or ""))
    return re.sub(r"[\s*_:：()（）必填]", "", text).lower()


def map_header(row: list[Any]) -> dict[str, int]:
    """Which column holds which field: exact names first, then names that contain an alias."""
    keys = [_header_key(c) for c in row]
    mapping: dict[str, int] = {}
    for exact in (True, False):
        for col, key in enumerate(keys):
            if not key or col in mapping.values():
                continue
            for fld, aliases in HEADER_ALIASES:
                if fld in mapping:
                    continue
                hit = any(
                    key == a if exact or len(a) < 2 or a.isascii() else a in key for a in aliases
                )
                if hit:
                    mapping[fld] = col
                    break
    return mapping


def find_header(rows: list[list[Any]]) -> tuple[int, dict[str, int]]:
    """The first row (within the top few) that names at least the name and ID columns."""
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        mapping = map_header(row)
        if "name" in mapping and "id_number" in mapping:
            return i, mapping
    raise KnownError("import_no_header")


def parse_address(text: str) -> tuple[str, str, str] | None:
    """'3栋2单元501', '3-2-501', '翔鹭花城3号楼2单元501室', '5栋301' → (building, unit, room)."""
    m = _ADDRESS.search(res.clean_text(text).replace(" ", ""))
    if not m:
        return None
    return m["b"], m["u"] or "", m["r"]


# ----------------------------------------------------------------- planning
def _raw_id(value: Any) -> tuple[str | None, str | None]:
    """(text, error code): a number cell or 3.50203E+17 lost its digits in Excel."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return None, "id_excel_number"
    text = res.clean_text(value).replace(" ", "")
    if _EXCEL_NUMBER.fullmatch(text):
        return None, "id_excel_number"
    return text, None


def plan(conn: sqlite3.Connection, path: Path | str, today: date) -> Plan:
    """Read, map and check every row against the roster; writes nothing."""
    path = Path(path)
    rows = read_table(path)
    head, cols = find_header(rows)
    header = rows[head]
    mapping = {f: res.clean_text(header[c]) for f, c in cols.items()}
    existing = q.residents_by_id_number(conn)
    planned: list[PlannedRow] = []
    rejected: list[Rejection] = []
    preview: list[dict[str, Any]] = []
    seen: dict[str, tuple[int, dict[str, Any]]] = {}
    for i in range(head + 1, len(rows)):
        row, rownum = rows[i], i + 1
        cells = {f: (row[c] if c < len(row) else None) for f, c in cols.items()}
        if all(res.clean_text(v) == "" for v in cells.values()):
            continue  # blank line
        if len(preview) < 20:
            preview.append(
                {
                    f: res.clean_name(v) if f == "name" else res.clean_text(v)
                    for f, v in cells.items()
                }
            )
        problems: list[Rejection] = []
        raw = dict(cells)
        raw_id, id_err = _raw_id(cells["id_number"])
        if id_err:
            problems.append(Rejection(rownum, mapping["id_number"], id_err))
            raw.pop("id_number")
        else:
            raw["id_number"] = raw_id
        if "status" in raw and all(
            res.clean_text(raw.get(k)) == "" for k in ("status", "obs_start", "obs_end")
        ):
            for k in ("status", "obs_start", "obs_end"):
                raw.pop(k, None)  # a blank status column never lifts an observation
        address = raw.pop("address", None)
        if "address" in cols and not ({"building", "room"} <= set(cols)):
            parts = parse_address(str(address or ""))
            if parts is None:
                problems.append(
                    Rejection(
                        rownum,
                        mapping["address"],
                        "address_bad",
                        {"value": res.clean_text(address)},
                    )
                )
            else:
                raw.update(building=parts[0], unit=parts[1], room=parts[2])
        clean, errors = res.check_fields(raw, today)
        for fld, err in errors:
            problems.append(Rejection(rownum, mapping.get(fld, fld), err.code, err.params))
        if not problems and not clean.get("id_number"):
            problems.append(Rejection(rownum, mapping["id_number"], "id_required"))
        if problems:
            rejected.extend(problems)
            continue
        idn = clean["id_number"]
        if idn in seen:
            first, first_fields = seen[idn]
            code = "dup_row" if first_fields == clean else "dup_id_conflict"
            rejected.append(Rejection(rownum, mapping["id_number"], code, {"first": first}))
            continue
        seen[idn] = (rownum, clean)
        planned.append(_classify(rownum, clean, existing.get(idn)))
    return Plan(path, head + 1, mapping, planned, rejected, preview)


def _classify(rownum: int, clean: dict[str, Any], current: dict[str, Any] | None) -> PlannedRow:
    if current is None:
        new = {"building": "", "unit": "", "room": "", "tags": "", "status": "normal", **clean}
        if not new.get("household"):
            new["household"] = res.household_of(new["building"], new["unit"], new["room"])
        return PlannedRow(rownum, "new", new)
    keep_obs = bool(clean.get("status"))
    proposed = {
        k: v
        for k, v in clean.items()
        if v not in ("", None) or (keep_obs and k in ("obs_start", "obs_end"))
    }
    if "household" not in proposed and any(k in proposed for k in ("building", "unit", "room")):
        old_default = res.household_of(current["building"], current["unit"], current["room"])
        if current["household"] == old_default:  # follow the address unless set by hand
            merged = {**current, **proposed}
            proposed["household"] = res.household_of(
                merged["building"], merged["unit"], merged["room"]
            )
    changed = {
        k: v
        for k, v in proposed.items()
        if k in COMPARED and (current.get(k) or None) != (v or None)
    }
    if not changed:
        return PlannedRow(rownum, "unchanged", {}, current["id"])
    return PlannedRow(rownum, "update", changed, current["id"])


# ----------------------------------------------------------------- applying
def apply(
    conn: sqlite3.Connection,
    the_plan: Plan,
    clock: Clock,
    who: str,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportResult:
    """Write the planned rows in short batches; a cancel stops between batches (all or none)."""
    result = ImportResult(unchanged=the_plan.count("unchanged"), rejected=the_plan.rejected)
    todo = [r for r in the_plan.rows if r.action != "unchanged"]
    source = f"import:{the_plan.path.name}"
    for start in range(0, len(todo), BATCH):
        if cancelled is not None and cancelled():
            result.cancelled = True
            break
        with transaction(conn):
            for item in todo[start : start + BATCH]:
                if item.action == "new":
                    write_change(conn, clock, "import_add", who, item.fields, None, source)
                    result.imported += 1
                else:
                    write_change(
                        conn, clock, "import_update", who, item.fields, item.resident_id, source
                    )
                    result.updated += 1
        if progress is not None:
            progress(min(start + BATCH, len(todo)), len(todo))
    if progress is not None and not todo:
        progress(0, 0)
    result.report_path = write_report(the_plan.path, the_plan.rejected)
    return result


def report_path_for(path: Path) -> Path:
    return path.with_name(f"{path.stem}.errors.csv")


def write_report(path: Path, rejected: list[Rejection]) -> Path | None:
    """行号, 列, 原因 (zh and en) as UTF-8 with BOM, so Excel and WPS open it; temp then rename."""
    if not rejected:
        return None
    target = report_path_for(path)
    tmp = target.with_name(target.name + ".tmp")
    with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["行号 Row", "列 Column", "原因", "Reason"])
        for r in sorted(rejected, key=lambda r: r.row):
            w.writerow([r.row, r.column, r.reason("zh"), r.reason("en")])
    os.replace(tmp, target)
    return target


# ----------------------------------------------------------------- export
def export_csv(conn: sqlite3.Connection, path: Path | str, masked: bool = True) -> int:
    """The roster as a CSV that import reads back; masked unless asked (a backup for staff)."""
    from app.privacy import mask_id, mask_name, mask_phone

    path = Path(path)
    rows = q.all_residents(conn)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([h for _, h in EXPORT_HEADERS])
        for r in rows:
            out = {k: r.get(k) or "" for k, _ in EXPORT_HEADERS}
            out["status"] = STATUS_WORDS[r["status"]]
            if masked:
                out.update(
                    name=mask_name(r["name"]),
                    id_number=mask_id(r["id_number"]),
                    phone=mask_phone(r["phone"]),
                )
            elif out["id_number"]:
                out["id_number"] += "\t"  # Excel keeps an 18-digit ID as text
            w.writerow([out[k] for k, _ in EXPORT_HEADERS])
    os.replace(tmp, path)
    return len(rows)
