"""Apply a planned import in short batches and write the refused rows' report."""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.clock import Clock
from app.files import atomic_output
from app.i18n import t
from app.roster.changes import write_change
from app.roster.importing.plan import Plan, Rejection
from db.connection import transaction

BATCH = 200


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

    def done_text(self, lang: str) -> str:
        """The one-line summary the window and the command line show, in the UI language."""
        return t(
            "import_done",
            lang,
            imported=self.imported,
            updated=self.updated,
            unchanged=self.unchanged,
            rejected=self.rejected_rows,
        )


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
    with atomic_output(target) as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["行号 Row", "列 Column", "原因", "Reason"])
        for r in sorted(rejected, key=lambda r: r.row):
            w.writerow([r.row, r.column, r.reason("zh"), r.reason("en")])
    return target
