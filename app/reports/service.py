"""Exports behind the officer PIN: verify, write (masked by default), audit what was written."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from app import officer as roles
from app.clock import Clock, SystemClock
from app.database import GateDatabase
from app.errors import KnownError
from app.officer import OfficerAuth
from app.reports import data, export
from app.settings import Settings
from db.connection import connect

FORMATS = ("csv", "xlsx", "pdf")
# ui.report_pdf.render_pdf, injected by main.py or the window (app never imports Qt)
PdfRenderer = Callable[..., int]


class ReportService:
    """Gathers reports and writes export files; the only way a file with records leaves."""

    def __init__(self, gdb: GateDatabase, clock: Clock | None = None,
                 pdf_renderer: PdfRenderer | None = None) -> None:
        self.gdb = gdb
        self.clock = clock or SystemClock()
        self.officer = OfficerAuth(gdb, self.clock)
        self.settings = Settings(gdb.conn)
        self.pdf_renderer = pdf_renderer

    def _reader(self) -> tuple[sqlite3.Connection, bool]:
        """Long reads use their own connection (the GUI thread keeps writing)."""
        if str(self.gdb.path) == ":memory:":
            return self.gdb.conn, False
        return connect(self.gdb.path), True

    def report(self, date_from: str, date_to: str | None = None,
               conn: sqlite3.Connection | None = None) -> data.Report:
        d1, d2 = data.parse_range(date_from, date_to)
        return data.gather(conn or self.gdb.conn, d1, d2, str(self.settings.get("checkpoint_id")),
                           str(self.settings.get("checkpoint_name")))

    def today_hourly(self) -> list[int]:
        return data.hourly(self.gdb.conn, self.clock.now().date())

    def last_days(self, days: int = 14) -> list[dict[str, Any]]:
        return data.daily_series(self.gdb.conn, self.clock.now().date(), days)

    def authorize_export(self, pin: str | None, unmasked: bool = False) -> None:
        """Check the PIN before any work (raises KnownError); unmasked is its own audit entry."""
        if not self.officer.verify(pin):
            left = self.officer.attempts_left()
            if left == 0:
                raise KnownError("pin_locked", minutes=roles.LOCK_SECONDS // 60)
            raise KnownError("pin_wrong", left=left)

    def export(self, fmt: str, out: Path | str, date_from: str, date_to: str | None = None, *,
               pin: str | None, unmasked: bool = False, lang: str | None = None,
               progress: export.Progress | None = None,
               cancel: export.Cancel | None = None) -> int:
        """Verify the PIN, write the file atomically, audit it. Returns the passage rows written."""
        if fmt not in FORMATS:
            raise KnownError("export_bad_format")
        d1, d2 = data.parse_range(date_from, date_to)
        out = Path(out)
        self.authorize_export(pin, unmasked)
        detail = {"from": d1, "to": d2, "format": fmt, "masked": not unmasked, "file": out.name}
        if unmasked:
            self.officer.audit(roles.UNMASKED_VIEW, detail)
        lang = lang or str(self.settings.get("language"))
        conn, own = self._reader()
        try:
            report = self.report(d1, d2, conn)
            kw = {"lang": lang, "masked": not unmasked, "progress": progress, "cancel": cancel}
            if fmt == "csv":
                rows = export.write_csv(conn, report, out, **kw)
            elif fmt == "xlsx":
                rows = export.write_xlsx(conn, report, out, **kw)
            else:
                if self.pdf_renderer is None:
                    raise KnownError("export_bad_format")
                with export.atomic_output(out) as tmp:
                    rows = self.pdf_renderer(report, tmp, **kw)
        except export.ExportCancelled:
            self.officer.audit(roles.EXPORT, {**detail, "status": "cancelled"})
            raise
        except OSError as exc:
            raise KnownError("export_failed", detail=str(exc)) from exc
        finally:
            if own:
                conn.close()
        self.officer.audit(roles.EXPORT, {**detail, "status": "done", "rows": rows})
        return rows

    def export_audit(self, out: Path | str, *, pin: str | None) -> int:
        """The audit log itself as CSV (with BOM); exporting it is audited too."""
        import csv

        self.authorize_export(pin)
        rows = self.officer.audit_log()
        lang = str(self.settings.get("language"))
        from app.i18n import t

        with export.atomic_output(Path(out)) as tmp:
            with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
                w = csv.writer(fh)
                w.writerow([t(c, lang) for c in ("col_time", "col_actor", "col_volunteer",
                                                 "col_action", "col_detail")])
                for r in rows:
                    w.writerow([r["ts_local"], r["actor"], r["volunteer"], r["action"], r["detail"]])
        self.officer.audit(roles.AUDIT_EXPORT, {"file": Path(out).name, "rows": len(rows)})
        return len(rows)

    def exported_days(self) -> set[str]:
        """Local dates covered by a completed export (the purge warns about the rest)."""
        import json

        days: set[str] = set()
        for r in self.officer.audit_log(roles.EXPORT):
            d = json.loads(r["detail"])
            if d.get("status") != "done":
                continue
            day, end = date.fromisoformat(d["from"]), date.fromisoformat(d["to"])
            while day <= end:
                days.add(day.isoformat())
                day += timedelta(days=1)
        return days
