"""The roster's command-line work; main.py only parses arguments and calls these."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from app.clock import Clock, SystemClock
from app.database import GateDatabase
from app.progress import StderrBar
from app.roster import importer
from app.roster.service import RosterService


def import_command(
    gdb: GateDatabase,
    path: str,
    dry_run: bool,
    lang: str,
    who: str | None = None,
    clock: Clock | None = None,
    out: TextIO | None = None,
) -> int:
    """Prints `imported N, updated M, unchanged K, rejected R`, then each rejected row."""
    out = out or sys.stdout
    svc = RosterService(gdb, clock or SystemClock())
    the_plan = importer.plan(gdb.conn, Path(path), svc.today())
    if dry_run:
        result = importer.ImportResult(
            imported=the_plan.count("new"),
            updated=the_plan.count("update"),
            unchanged=the_plan.count("unchanged"),
            rejected=the_plan.rejected,
        )
    else:
        bar = StderrBar("import")
        try:
            result = importer.apply(gdb.conn, the_plan, svc.clock, who or svc.who, progress=bar)
        finally:
            bar.close()
    print(result.summary(), file=out)
    for rej in sorted(result.rejected, key=lambda r: r.row):
        print(rej.line(lang), file=out)
    if result.report_path is not None:
        from app.i18n import t

        print(t("import_report", lang, path=str(result.report_path)), file=sys.stderr)
    return 1 if result.rejected else 0


def export_command(gdb: GateDatabase, out_path: str, unmasked: bool) -> int:
    n = importer.export_csv(gdb.conn, out_path, masked=not unmasked)
    print(f"exported {n} residents to {out_path}")
    return 0
