"""Exports behind the officer PIN: verify, write (masked by default), audit what was written."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Required, TypedDict, Unpack

from app import officer as roles
from app.clock import Clock, SystemClock
from app.database import GateDatabase
from app.errors import KnownError
from app.i18n import t
from app.officer import OfficerAuth
from app.reports import data, export
from app.reports.digest import Signer
from app.settings import Settings
from db.connection import connect

FORMATS = ("csv", "xlsx", "pdf")
# ui.reports.pdf.render_pdf, injected by main.py or the window (app never imports Qt)
PdfRenderer = Callable[..., int]
# app.sync.identity.load_identity, injected by cli/ or ui/ (reports and sync are independent)
SignerLoader = Callable[[sqlite3.Connection], Signer]


class ExportChoices(TypedDict, total=False):
    """prepare_export's keywords, which export() passes on."""

    pin: Required[str | None]
    unmasked: bool
    lang: str | None
    summary: bool


@dataclass
class ExportJob:
    fmt: str
    out: Path
    date_from: str
    date_to: str
    masked: bool
    lang: str
    summary: bool = True  # csv: also FILE-summary.csv (totals, fevers, refusals)
    signer: Signer | None = None  # the gate's key: each day gets a signed digest (#17)

    @property
    def summary_out(self) -> Path | None:
        return export.summary_path(self.out) if self.fmt == "csv" and self.summary else None

    def detail(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "from": self.date_from,
            "to": self.date_to,
            "format": self.fmt,
            "masked": self.masked,
            "file": self.out.name,
        }
        if self.summary_out is not None:
            d["summary_file"] = self.summary_out.name
        return d


class ReportService:
    """Gathers reports and writes export files; the only way a file with records leaves."""

    def __init__(
        self,
        gdb: GateDatabase,
        clock: Clock | None = None,
        pdf_renderer: PdfRenderer | None = None,
        signer: SignerLoader | None = None,
    ) -> None:
        self.gdb = gdb
        self.signer = signer
        self.clock = clock or SystemClock()
        self.officer = OfficerAuth(gdb, self.clock)
        self.settings = Settings(gdb.conn)
        self.pdf_renderer = pdf_renderer

    def _reader(self) -> tuple[sqlite3.Connection, bool]:
        """Long reads use their own connection (the GUI thread keeps writing)."""
        if str(self.gdb.path) == ":memory:":
            return self.gdb.conn, False
        return connect(self.gdb.path), True

    def report(
        self, date_from: str, date_to: str | None = None, conn: sqlite3.Connection | None = None
    ) -> data.Report:
        d1, d2 = data.parse_range(date_from, date_to)
        # everything through the caller's connection: on an export's thread, the GUI
        # thread's connection must not be touched (not even for the settings)
        settings = self.settings if conn is None else Settings(conn)
        return data.gather(
            conn or self.gdb.conn,
            d1,
            d2,
            str(settings.get("checkpoint_id")),
            str(settings.get("checkpoint_name")),
        )

    def today_hourly(self) -> list[int]:
        return data.hourly(self.gdb.conn, self.clock.now().date())

    def last_days(self, days: int = 14) -> list[dict[str, Any]]:
        return data.daily_series(self.gdb.conn, self.clock.now().date(), days)

    def authorize_export(self, pin: str | None) -> None:
        """Check the PIN before any work; raises KnownError (wrong, locked, not set)."""
        if not self.officer.verify(pin):
            left = self.officer.attempts_left()
            if left == 0:
                raise KnownError("pin_locked", minutes=roles.LOCK_SECONDS // 60)
            raise KnownError("pin_wrong", left=left)

    def prepare_export(
        self,
        fmt: str,
        out: Path | str,
        date_from: str,
        date_to: str | None = None,
        *,
        pin: str | None,
        unmasked: bool = False,
        lang: str | None = None,
        summary: bool = True,
    ) -> ExportJob:
        """Validate, verify the PIN and audit an unmasked choice: on the writer's thread."""
        if fmt not in FORMATS or (fmt == "pdf" and self.pdf_renderer is None):
            raise KnownError("export_bad_format")
        d1, d2 = data.parse_range(date_from, date_to)
        out = Path(out)
        if not out.parent.is_dir():
            raise KnownError("export_no_dir", path=str(out.parent))
        self.authorize_export(pin)
        job = ExportJob(
            fmt, out, d1, d2, not unmasked, lang or str(self.settings.get("language")), summary
        )
        if self.signer is not None:  # here: making the key on first use writes
            job.signer = self.signer(self.gdb.conn)
        if unmasked:
            self.officer.audit(roles.UNMASKED_VIEW, job.detail())
        return job

    def run_export(
        self,
        job: ExportJob,
        progress: export.Progress | None = None,
        cancel: export.Cancel | None = None,
    ) -> int:
        """Write the file (any thread: reads through its own connection, writes nothing)."""
        conn, own = self._reader()
        try:
            report = self.report(job.date_from, job.date_to, conn)
            opts = export.Options(
                job.lang, job.masked, progress, cancel, job.signer, self.clock.now().tzinfo
            )
            if job.fmt == "csv":
                rows = export.write_csv(conn, report, job.out, opts)
                if job.summary_out is not None:  # after the log: a cancel leaves neither
                    export.write_summary_csv(
                        report, job.summary_out, lang=job.lang, masked=job.masked
                    )
                return rows
            if job.fmt == "xlsx":
                return export.write_xlsx(conn, report, job.out, opts)
            assert self.pdf_renderer is not None
            report.digests = export.day_digests(conn, report, opts)
            with export.atomic_output(job.out) as tmp:
                return int(
                    self.pdf_renderer(
                        report,
                        tmp,
                        lang=job.lang,
                        masked=job.masked,
                        progress=progress,
                        cancel=cancel,
                    )
                )
        except OSError as exc:
            raise KnownError("export_failed", detail=str(exc)) from exc
        finally:
            if own:
                conn.close()

    def finish_export(self, job: ExportJob, rows: int | None) -> None:
        """Audit the outcome (rows written, or None when cancelled): on the writer's thread."""
        status = {"status": "cancelled"} if rows is None else {"status": "done", "rows": rows}
        self.officer.audit(roles.EXPORT, {**job.detail(), **status})

    def export(
        self,
        fmt: str,
        out: Path | str,
        date_from: str,
        date_to: str | None = None,
        *,
        progress: export.Progress | None = None,
        cancel: export.Cancel | None = None,
        **choices: Unpack[ExportChoices],
    ) -> int:
        """Verify the PIN, write the file atomically, audit it. Returns the passage rows written.
        A CSV export also writes FILE-summary.csv next to it unless summary=False."""
        job = self.prepare_export(fmt, out, date_from, date_to, **choices)
        try:
            rows = self.run_export(job, progress, cancel)
        except (export.ExportCancelled, KeyboardInterrupt):  # cancel button or Ctrl-C
            self.finish_export(job, None)
            raise
        self.finish_export(job, rows)
        return rows

    def export_audit(self, out: Path | str, *, pin: str | None) -> int:
        """The audit log itself as CSV (with BOM); exporting it is audited too."""
        self.authorize_export(pin)
        rows = self.officer.audit_log()
        lang = str(self.settings.get("language"))
        with (
            export.atomic_output(Path(out)) as tmp,
            open(tmp, "w", encoding="utf-8-sig", newline="") as fh,
        ):
            w = csv.writer(fh)
            w.writerow(
                [
                    t(c, lang)
                    for c in ("col_time", "col_actor", "col_volunteer", "col_action", "col_detail")
                ]
            )
            for r in rows:
                w.writerow([r["ts_local"], r["actor"], r["volunteer"], r["action"], r["detail"]])
        self.officer.audit(roles.AUDIT_EXPORT, {"file": Path(out).name, "rows": len(rows)})
        return len(rows)

    def exported_days(self) -> set[str]:
        """Local dates covered by a completed export (the purge warns about the rest)."""
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
