"""Plan an import: map and check every row against the roster; write nothing."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app.i18n import t
from app.roster import residents as res
from app.roster.importing.read import find_header, parse_address, read_table
from db import roster as q
from db.roster import RESIDENT_FIELDS

_EXCEL_NUMBER = re.compile(r"\d+(\.\d+)?[eE][+]?\d+")
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


def _raw_id(value: Any) -> tuple[str | None, str | None]:
    """(text, error code): a number cell or 3.50203E+17 lost its digits in Excel."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return None, "id_excel_number"
    text = res.clean_text(value).replace(" ", "")
    if _EXCEL_NUMBER.fullmatch(text):
        return None, "id_excel_number"
    return text, None


def plan(
    conn: sqlite3.Connection,
    path: Path | str,
    today: date,
    progress: Callable[[int, int], None] | None = None,
) -> Plan:
    """Read, map and check every row against the roster; writes nothing. `progress(rows
    done, rows)` after each row: in the window, the runner's, which also lets the GUI thread
    take the GIL between rows (a 5,000-row file is pure Python, #12)."""
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
        if progress is not None:
            progress(i - head - 1, len(rows) - head - 1)
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
    if progress is not None:
        progress(len(rows) - head - 1, len(rows) - head - 1)
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
