"""A streaming XLSX writer for the district export (#15): rows of plain values written as each
sheet's XML text, a chunk of rows at a time, into a temporary file that then goes into the zip.

openpyxl (write-only, lxml) builds a cell object, binds and checks its value and emits it through
lxml for every cell: 5–10 µs a cell here, 4–7k rows/s for the export's 21 columns. Writing
the SpreadsheetML text ourselves costs a few string operations a cell.

Cells: str as inline strings (no shared-string table: memory flat in the rows), int and finite
float as numbers (an int past 15 digits as text, which Excel would round), bool as a boolean,
anything else (a nested JSON value, inf, nan) as its text, as the CSV writes it; empty text and
None as no cell (every cell carries its reference, so the next ones keep their columns).
Characters XML 1.0 cannot hold (control characters, lone surrogates) become "?", where
openpyxl refused the whole export.
"""

from __future__ import annotations

import functools
import math
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import IO, Any

CHUNK = 1000  # rows turned to XML and compressed at a time
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BIG = 10**15  # Excel keeps 15 significant digits


def _text(ref: str, v: str) -> str:
    esc = v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    if esc[:1].isspace() or esc[-1:].isspace():
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{esc}</t></is></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{esc}</t></is></c>'


def _cell(ref: str, v: Any) -> str:
    """Any cell but a non-empty str (the common case, written by _row)."""
    if v is None or v == "":
        return ""
    if v is True or v is False:
        return f'<c r="{ref}" t="b"><v>{int(v)}</v></c>'
    if isinstance(v, int) and -_BIG < v < _BIG:
        return f'<c r="{ref}"><v>{v}</v></c>'
    if isinstance(v, float) and math.isfinite(v):
        return f'<c r="{ref}"><v>{v!r}</v></c>'
    return _text(ref, v if isinstance(v, str) else str(v))


@functools.cache
def _columns() -> list[str]:
    """A ... XFD, Excel's last (openpyxl imported here only: the CSV path never needs it)."""
    from openpyxl.utils import get_column_letter

    return [get_column_letter(i) for i in range(1, 16385)]


def _row(n: int, values: Sequence[Any], columns: list[str]) -> str:
    cells = "".join(
        [
            _text(f"{c}{n}", v) if v.__class__ is str and v else _cell(f"{c}{n}", v)
            for c, v in zip(columns, values, strict=False)  # a row is far narrower
        ]
    )
    return f'<row r="{n}">{cells}</row>'


def _sheet(
    zf: zipfile.ZipFile, index: int, header: Sequence[str], rows: Iterator[Sequence[Any]]
) -> None:
    """The sheet's XML into a temporary file, then into the zip: its size known, the zip uses
    Zip64 only past 2 GiB (Excel may offer to repair a small file written with it), as
    openpyxl does."""
    with tempfile.NamedTemporaryFile(suffix=".xml") as fh:
        fh.write(f'{_HEAD}<worksheet xmlns="{_NS}"><sheetData>'.encode())
        n = 1
        columns = _columns()
        parts = [_row(1, header, columns)]
        while batch := list(islice(rows, CHUNK)):
            for values in batch:
                n += 1
                parts.append(_row(n, values, columns))
            fh.write(_ILLEGAL.sub("?", "".join(parts)).encode("utf-8", "replace"))
            parts = []
        if parts:
            fh.write(_ILLEGAL.sub("?", "".join(parts)).encode("utf-8", "replace"))
        fh.write(b"</sheetData></worksheet>")
        fh.flush()
        zf.write(fh.name, f"xl/worksheets/sheet{index}.xml")


def write_xlsx(
    out: IO[bytes],
    names: Iterable[str],
    header: Sequence[str],
    sheets: Iterator[Iterator[Sequence[Any]]],
) -> int:
    """Each of `sheets` (an iterator of row iterators, consumed in turn) as a sheet with the
    header on top, named from `names`, into the zip `out`; the number of sheets (at least one,
    empty but for its header)."""
    titles = iter(names)
    used: list[str] = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for rows in sheets:
            used.append(next(titles))
            _sheet(zf, len(used), header, rows)
        if not used:
            used.append(next(titles))
            _sheet(zf, 1, header, iter(()))
        _package(zf, used)
    return len(used)


def _package(zf: zipfile.ZipFile, titles: list[str]) -> None:
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    main_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    styles_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{sheet_type}"/>'
        for i in range(1, len(titles) + 1)
    )
    zf.writestr(
        "[Content_Types].xml",
        f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{main_type}"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{styles_type}"/>{overrides}</Types>',
    )
    zf.writestr(
        "_rels/.rels",
        f'{_HEAD}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    )
    sheets = "".join(
        f'<sheet name="{_attr(t)}" sheetId="{i}" r:id="rId{i}"/>' for i, t in enumerate(titles, 1)
    )
    zf.writestr(
        "xl/workbook.xml",
        f'{_HEAD}<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets>{sheets}</sheets></workbook>',
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(titles) + 1)
    )
    rels += f'<Relationship Id="rId{len(titles) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
    zf.writestr(
        "xl/_rels/workbook.xml.rels",
        f'{_HEAD}<Relationships xmlns="{_PKG_REL}">{rels}</Relationships>',
    )
    zf.writestr(
        "xl/styles.xml",
        f'{_HEAD}<styleSheet xmlns="{_NS}">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
        'borderId="0" xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" '
        'xfId="0" builtinId="0"/></cellStyles></styleSheet>',
    )


def _attr(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
