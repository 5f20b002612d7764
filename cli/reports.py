"""Reports and the data's life: export (officer PIN), retention purge, demo data."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import KnownError
from app.i18n import t
from cli.common import Commands, gate_db, int_range, pin, progress, say

if TYPE_CHECKING:
    from app.database import GateDatabase
    from app.reports.service import ReportService

DEMO_RESIDENTS_MAX = 20_000
DEMO_DAYS_MAX = 366


def register(cmds: Commands) -> None:
    p = cmds.add("export", cmd_export, help="daily report as csv, xlsx or pdf (officer PIN)")
    p.add_argument("--date", required=False, metavar="YYYY-MM-DD")
    p.add_argument("--to", default=None, metavar="YYYY-MM-DD", help="last day of a range")
    p.add_argument("--format", choices=("csv", "xlsx", "pdf"), default="xlsx")
    p.add_argument("--out", required=True, metavar="PATH")
    p.add_argument("--unmasked", action="store_true", help="full ID numbers and phones (audited)")
    p.add_argument("--audit", action="store_true", help="export the audit log (csv) instead")
    p.add_argument(
        "--no-summary",
        action="store_true",
        help="csv: only the passage log, without FILE-summary.csv next to it",
    )

    p = cmds.add(
        "verify-report",
        cmd_verify_report,
        help="check an exported csv/xlsx/pdf against the gate's signed day digests",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--key",
        default=None,
        metavar="HEX",
        help="the gate's public key (report-key on the gate); default: this data dir's gate",
    )
    cmds.add("report-key", cmd_report_key, help="show the key this gate signs its reports with")

    p = cmds.add("demo-data", cmd_demo_data, help="fill the database with realistic demo days")
    p.add_argument("--days", type=int_range(1, DEMO_DAYS_MAX), default=14)
    p.add_argument("--residents", type=int_range(1, DEMO_RESIDENTS_MAX), default=500)
    p.add_argument("--seed", type=int, default=5)

    p = cmds.add("purge", cmd_purge, help="purge records older than retention_days (audited)")
    p.add_argument(
        "--confirm", action="store_true", help="purge even unsynced/unexported data (officer PIN)"
    )


def report_service(gdb: GateDatabase) -> ReportService:
    """The report service with the PDF renderer, which loads Qt only when a PDF is drawn."""
    from app.reports.service import ReportService

    def render_pdf(*a: Any, **kw: Any) -> Any:
        from ui.reports.pdf import render_pdf as real

        return real(*a, **kw)

    from app.sync.identity import load_identity

    return ReportService(gdb, pdf_renderer=render_pdf, signer=load_identity)


def cmd_verify_report(args: argparse.Namespace) -> int:
    """一致 (exit 0), or exactly which rows differ (exit 1); another gate's key is refused."""
    from app.reports.verify import verify_file

    path = Path(args.file)
    if not path.is_file():
        raise KnownError("verify_bad_file", file=str(path), detail="not found")
    key = args.key
    if key is None:
        from app.sync.identity import load_identity

        with gate_db(args) as gdb:
            key = load_identity(gdb.conn).public_key_hex
    verdict = verify_file(path, key.strip().lower())
    for line in verdict.lines(args.lang):
        print(line)
    return 0 if verdict.ok else 1


def cmd_report_key(args: argparse.Namespace) -> int:
    from app.sync.identity import load_identity

    with gate_db(args) as gdb:
        ident = load_identity(gdb.conn)
    say("report_key_show", args.lang, key=ident.public_key_hex, key_id=ident.key_id)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the daily report for a day or a range as CSV, XLSX or PDF (masked by default).
    Dates and the output folder are checked before the PIN is asked for."""
    from app.reports import data

    out = Path(args.out)
    if not args.audit:
        if args.date is None:
            raise KnownError("export_date_required")
        data.parse_range(args.date, args.to)
    if not out.parent.is_dir():
        raise KnownError("export_no_dir", path=str(out.parent))
    with gate_db(args) as gdb:
        svc = report_service(gdb)
        if args.audit:
            rows = svc.export_audit(out, pin=pin(args))
        else:
            rows = svc.export(
                args.format,
                out,
                args.date,
                args.to,
                pin=pin(args),
                unmasked=args.unmasked,
                lang=args.lang,
                progress=progress(args.format),
                summary=not args.no_summary,
            )
        say("export_done", args.lang, rows=rows, path=args.out)
        if args.format == "csv" and not args.audit and not args.no_summary:
            from app.reports.export import summary_path

            say("export_summary_done", args.lang, path=summary_path(out))
    return 0


def cmd_demo_data(args: argparse.Namespace) -> int:
    """Fill the database with realistic demo days and residents (never synced: no outbox)."""
    from app.clock import SystemClock
    from app.officer import OfficerAuth
    from app.reports.demo import generate, utc_offset_seconds
    from app.settings import Settings

    with gate_db(args) as gdb:
        now = SystemClock().now()
        totals = generate(
            gdb.conn,
            days=args.days,
            residents=args.residents,
            key=gdb.device.hash_key,
            today=now.date(),
            utc_offset_s=utc_offset_seconds(now),
            checkpoint_id=str(Settings(gdb.conn).get("checkpoint_id")),
            seed=args.seed,
            progress=progress("demo-data"),
        )
        OfficerAuth(gdb).audit("demo_data", totals, actor="system")
        print(t("demo_data_done", args.lang, **totals), file=sys.stderr)
        print(json.dumps(totals))  # stdout stays machine-readable
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    """Run the retention purge now (asks for the officer PIN if unsynced/unexported data goes)."""
    from app.retention import RetentionService

    with gate_db(args) as gdb:
        svc = RetentionService(gdb)
        plan = svc.plan()
        if plan.empty:
            say("purge_nothing", args.lang)
            return 0
        officer_pin = None
        if plan.needs_confirmation:
            print(plan.warning().message(args.lang), file=sys.stderr)
            if not args.confirm:
                return 3
            officer_pin = pin(args)
        result = svc.run_daily(pin=officer_pin) if officer_pin else svc.run_daily()
        if result is None:
            raise KnownError("purge_nothing")
        say(
            "purge_done",
            args.lang,
            cutoff=result["cutoff"],
            passages=result["counts"].get("passages", 0),
        )
    return 0
