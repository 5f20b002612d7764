"""Read a roster file into rows of cells and find its header row."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path
from typing import Any

from app.errors import KnownError
from app.roster import residents as res
from app.roster.importing.xlsx import MAX_CELLS, MAX_COLS, MAX_ROWS, read_xlsx

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
HEADER_SCAN_ROWS = 15
_ADDRESS = re.compile(
    r"(?P<b>[0-9A-Za-z]+)\s*(?:号楼|栋|幢|座|#|-)\s*(?:(?P<u>\d+)\s*(?:单元|-)\s*)?"
    r"(?P<r>[0-9A-Za-z]+)\s*(?:室|号)?\s*$"
)


MAX_CSV_BYTES = 32 << 20  # a 100,000-row roster as CSV is about 15 MB


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError:
            raise KnownError("import_encoding") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # a superset of GBK and GB2312
    except UnicodeDecodeError:
        raise KnownError("import_encoding") from None


def read_table(path: Path) -> list[list[Any]]:
    """All rows of the first sheet (or the CSV) as lists; merged cells filled from their corner.
    Files past the limits (rows, columns, cells, sizes) are refused with a KnownError."""
    suffix = path.suffix.lower()
    if path.is_dir():
        raise KnownError("import_is_folder", path=str(path))
    if not path.is_file():
        raise KnownError("import_missing", path=str(path))
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path)
    raise KnownError("import_format", suffix=suffix or "?")


def _read_csv(path: Path) -> list[list[Any]]:
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            raise KnownError("import_too_big", what="bytes", limit=MAX_CSV_BYTES)
        text = _decode(path.read_bytes())
    except OSError as exc:
        raise KnownError("import_unreadable", detail=exc.strerror or type(exc).__name__) from None
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[Any]] = []
    cells = 0
    # newline="" lets the reader end lines at CR, LF or CRLF (old Mac exports use CR alone)
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for row in reader:
            if reader.line_num > 2 * MAX_ROWS or (len(rows) >= MAX_ROWS and any(row)):
                raise KnownError("import_too_many_rows", limit=MAX_ROWS)
            if len(row) > MAX_COLS and any(row[MAX_COLS:]):
                raise KnownError("import_too_many_columns", limit=MAX_COLS)
            cells += len(row)
            if cells > MAX_CELLS:
                raise KnownError("import_too_big", what="cells", limit=MAX_CELLS)
            if len(rows) < MAX_ROWS:
                rows.append(row[:MAX_COLS])
    except csv.Error as exc:
        if "field larger" in str(exc):
            raise KnownError("import_field_too_long", row=reader.line_num) from None
        raise KnownError("import_unreadable", detail=f"CSV, line {reader.line_num}") from None
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
