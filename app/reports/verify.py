"""Check an exported CSV/XLSX/PDF against its signed day digests and the gate's public key (#17).

A digest made by another key, or whose signature does not hold, is refused (KnownError). Past
that, every row's cells are checked against its check code (a changed row is named by its line
number as the spreadsheet shows it), and each day's row count and check codes against the
day's digest. A PDF has no rows: its digest lines (and the passage total, for one day) are
checked.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import KnownError
from app.i18n import t
from app.reports import digest as dg

Problem = tuple[str, dict[str, Any]]  # an i18n code and its parameters


@dataclass
class Verdict:
    file: str
    digests: list[dg.DayDigest]
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self, lang: str) -> list[str]:
        """What to say: 一致, or the header and one line per difference."""
        if self.ok:
            gate = self.digests[0].gate
            return [
                t(
                    "verify_ok",
                    lang,
                    file=self.file,
                    gate=gate,
                    days=len(self.digests),
                    rows=self.rows,
                )
            ]
        return [t("verify_mismatch", lang, file=self.file)] + [
            "  " + t(code, lang, **params) for code, params in self.problems
        ]


def verify_file(path: Path | str, public_key_hex: str) -> Verdict:
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".pdf":
            return _verify_pdf(path, public_key_hex)
        if suffix == ".xlsx":
            table, digest_text = _read_xlsx(path)
        else:
            table, digest_text = _read_csv(path)
    except (OSError, ValueError, KeyError, csv.Error, zipfile.BadZipFile) as exc:
        raise KnownError("verify_bad_file", file=path.name, detail=str(exc)) from exc
    verdict = Verdict(path.name, _signed(digest_text, public_key_hex))
    _check_rows(verdict, table)
    return verdict


def digest_text(path: Path | str) -> str:
    """The digest lines a CSV/XLSX/PDF carries (to learn which gate signed it before checking
    it against that gate's key, as the server does on upload)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _pdf_text(path)
    try:
        return (_read_xlsx(path) if suffix == ".xlsx" else _read_csv(path))[1]
    except (OSError, ValueError, KeyError, csv.Error, zipfile.BadZipFile) as exc:
        raise KnownError("verify_bad_file", file=path.name, detail=str(exc)) from exc


def _signed(text: str, public_key_hex: str) -> list[dg.DayDigest]:
    digests = dg.parse_all(text)
    if not digests:
        raise KnownError("verify_no_digest")
    for d in digests:
        dg.check_signature(d, public_key_hex)
    return digests


def _read_csv(path: Path) -> tuple[list[tuple[int, list[Any]]], str]:
    """The passage rows (with their line numbers) and the text of the digest rows."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh))
    return _split(list(enumerate(lines, start=1)))


def _read_xlsx(path: Path) -> tuple[list[tuple[int, list[Any]]], str]:
    from openpyxl import load_workbook  # lazy: openpyxl is heavy

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        sheets = [
            list(enumerate((list(r) for r in ws.iter_rows(values_only=True)), start=1))
            for ws in wb.worksheets
        ]
    finally:
        wb.close()
    table, _ = _split(sheets[0])
    digest_text = "\n".join(
        str(c) for sheet in sheets[1:] for _, row in sheet for c in row if c is not None
    )
    return table, digest_text


def _split(lines: list[tuple[int, list[Any]]]) -> tuple[list[tuple[int, list[Any]]], str]:
    """Rows after the header up to the first empty one are passages; digest cells anywhere."""
    table: list[tuple[int, list[Any]]] = []
    digest_cells: list[str] = []
    in_table = True
    for number, row in lines[1:]:
        cells = [c for c in row if c not in (None, "")]
        if any(isinstance(c, str) and c.startswith(dg.MARK + " ") for c in cells):
            digest_cells += [c for c in cells if isinstance(c, str)]
            in_table = False
        elif not cells:
            in_table = False
        elif in_table:
            table.append((number, list(row)))
    return table, "\n".join(digest_cells)


def _check_rows(verdict: Verdict, table: list[tuple[int, list[Any]]]) -> None:
    by_day: dict[str, list[str]] = {}
    changed: set[str] = set()
    for number, row in table:
        *cells, code = row
        day = dg.cell_text(cells[0])[:10] if cells else ""
        by_day.setdefault(day, []).append(dg.cell_text(code))
        if dg.row_hash(cells) != dg.cell_text(code):
            verdict.problems.append(("verify_row_changed", {"row": number, "day": day}))
            changed.add(day)
    verdict.rows = len(table)
    signed = {d.day: d for d in verdict.digests}
    for day in sorted(set(by_day) - set(signed)):
        verdict.problems.append(("verify_day_unsigned", {"day": day}))
    for day, d in sorted(signed.items()):
        codes = by_day.get(day, [])
        if len(codes) != d.n:
            verdict.problems.append(("verify_count", {"day": day, "n": d.n, "found": len(codes)}))
        elif dg.rows_hash(codes) != d.rows and day not in changed:
            verdict.problems.append(("verify_codes_changed", {"day": day}))


def _pdf_text(path: Path) -> str:
    exe = shutil.which("pdftotext")
    if exe is None:
        raise KnownError("verify_need_pdftotext")
    try:
        text = subprocess.run(
            [exe, "-raw", str(path), "-"], check=True, capture_output=True, text=True, timeout=60
        ).stdout
    except (subprocess.SubprocessError, OSError) as exc:
        raise KnownError("verify_bad_file", file=path.name, detail=str(exc)) from exc
    return text


def _verify_pdf(path: Path, public_key_hex: str) -> Verdict:
    text = _pdf_text(path)
    verdict = Verdict(path.name, _signed(text, public_key_hex))
    verdict.rows = sum(d.n for d in verdict.digests)
    if len(verdict.digests) == 1:  # one day: the printed total must be the signed count
        n = verdict.digests[0].n
        labels = "|".join(re.escape(t("total_passages", lang)) for lang in ("zh", "en"))
        found = re.search(rf"^(?:{labels})\s+(\d+)\s*$", text, re.MULTILINE)
        if found is None or int(found.group(1)) != n:
            shown = found.group(1) if found else "?"
            verdict.problems.append(("verify_pdf_total", {"found": shown, "n": n}))
    return verdict
