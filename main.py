#!/usr/bin/env python3
"""Gatepost (门岗通): the one wiring point. Command line, paths, database, then the GUI."""

from __future__ import annotations

import argparse
import json
import logging
import logging.handlers
import os
import sys
from pathlib import Path

from app.paths import ENV_VAR, resolve_data_dir

log = logging.getLogger("gatepost")


def setup_logging(data_dir: Path, verbose: bool = False) -> None:
    handler = logging.handlers.RotatingFileHandler(
        data_dir / "gatepost.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)


def _open(args: argparse.Namespace):
    from app.database import open_database

    gdb = open_database(args.data_dir_path)
    warning = gdb.warning()
    if warning is not None:
        print(warning.message(args.lang), file=sys.stderr)
    return gdb


# ----------------------------------------------------------------- subcommands
def cmd_gui(args: argparse.Namespace) -> int:
    """Open the gate window."""
    if not has_display():
        from app.i18n import t

        print(t("no_display", "zh"), file=sys.stderr)
        print(t("no_display", "en"), file=sys.stderr)
        return 2
    from ui.app import run_gui

    return run_gui(args.data_dir_path, camera=args.camera, lang=args.lang_explicit)


def cmd_info(args: argparse.Namespace) -> int:
    """Where the data is, which schema, which device."""
    from app.settings import Settings
    from db import migrations, outbox

    gdb = _open(args)
    info = {
        "data_dir": str(args.data_dir_path),
        "database": str(gdb.path),
        "schema": migrations.applied_names(gdb.conn),
        "device_id": gdb.device.device_id,
        "outbox_pending": outbox.pending_count(gdb.conn),
        "settings": Settings(gdb.conn).as_dict(),
    }
    print(json.dumps(info, ensure_ascii=False, indent=2))
    gdb.close()
    return 0


def cmd_today(args: argparse.Namespace) -> int:
    """Today's counters, as the window shows them."""
    from app.gate.service import GateService
    from app.i18n import t

    gdb = _open(args)
    counts = GateService(gdb).today()
    names = {
        "in": "count_in",
        "out": "count_out",
        "refused": "count_refused",
        "fever": "count_fever",
        "visitors_inside": "count_visitors_inside",
    }
    if args.json:
        print(json.dumps(counts))
    else:
        for key, code in names.items():
            print(f"{t(code, args.lang)}: {counts[key]}")
    gdb.close()
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    """Show or change a domain setting (checkpoint, fever threshold, camera …)."""
    from app.errors import KnownError
    from app.settings import SETTINGS, Settings

    gdb = _open(args)
    settings = Settings(gdb.conn)
    try:
        if args.name is None:
            for spec in SETTINGS:
                print(f"{spec.name} = {settings.get(spec.name)!s}    # {spec.help}")
        elif args.value is None:
            print(settings.get(args.name))
        else:
            from app.officer import SETTINGS_CHANGE, OfficerAuth

            officer = OfficerAuth(gdb)  # #5: settings are guarded once a PIN exists
            old = settings.get(args.name)
            if officer.has_pin():
                officer.authorize(
                    _pin(args),
                    SETTINGS_CHANGE,
                    {"name": args.name, "old": str(old), "new": args.value},
                )
            settings.set(args.name, args.value)
            print(f"{args.name} = {settings.get(args.name)}")
    except KeyError:
        print(f"unknown setting: {args.name}", file=sys.stderr)
        return 2
    except KnownError as exc:  # #10: a value outside the declared limits
        if not exc.code.startswith("setting_"):
            raise
        print(f"{args.name}: {exc.message(args.lang)}", file=sys.stderr)
        return 2
    finally:
        gdb.close()
    return 0


def cmd_decode(args: argparse.Namespace) -> int:
    """Read the QR code in each image; one JSON line per image."""
    from app.scan.cli import decode_command

    return decode_command(args.images)


def cmd_import_residents(args: argparse.Namespace) -> int:
    """Import the roster from CSV/XLSX; exit 1 when any row was rejected."""
    from app.roster.cli import import_command

    gdb = _open(args)
    try:
        return import_command(gdb, args.file, args.dry_run, args.lang, args.who)
    finally:
        gdb.close()


def cmd_export_residents(args: argparse.Namespace) -> int:
    """Write the roster as CSV (masked unless --unmasked)."""
    from app.roster.cli import export_command

    gdb = _open(args)
    try:
        return export_command(gdb, args.out, args.unmasked)
    finally:
        gdb.close()


def cmd_keys(args: argparse.Namespace) -> int:
    """The compound's pass key: export the public half, or trust another gate's."""
    from app.clock import SystemClock
    from app.i18n import t
    from app.roster import passes

    gdb = _open(args)
    try:
        if args.keys_command == "export-public":
            from app.errors import KnownError
            from app.roster import keyqr

            if not (args.out or args.qr):
                raise KnownError("key_export_need_out")
            text = passes.export_public_key(gdb.conn, SystemClock())
            if args.out:
                tmp = Path(args.out + ".tmp")
                tmp.write_text(text + "\n", encoding="ascii")
                os.replace(tmp, args.out)
            if args.qr:
                keyqr.write_png(text, args.qr)
            print(text)
        else:
            from app.roster import keyqr

            kid = keyqr.import_key_file(gdb.conn, args.file, SystemClock())
            print(t("key_imported", args.lang, key_id=kid))
        return 0
    finally:
        gdb.close()


def cmd_print_passes(args: argparse.Namespace) -> int:
    """Resident pass cards to a PDF: A4 sheets of 8, or one card with --resident."""
    from app.clock import SystemClock
    from app.progress import StderrBar
    from app.roster.printing import pass_cards
    from app.settings import Settings
    from ui.roster.pass_print import write_pdf

    gdb = _open(args)
    try:
        settings = Settings(gdb.conn)
        ids = [args.resident] if args.resident is not None else None
        cards = pass_cards(
            gdb.conn,
            SystemClock(),
            str(settings.get("checkpoint_name")),
            args.days or int(settings.get("pass_valid_days")),
            args.building,
            ids,
            who=str(settings.get("volunteer")) or "-",
        )
        bar = StderrBar("print")
        try:
            pages = write_pdf(cards, args.out, single=ids is not None, lang=args.lang, progress=bar)
        finally:
            bar.close()
        print(f"{len(cards)} cards, {pages} pages: {args.out}")
        return 0 if cards else 1
    finally:
        gdb.close()


def cmd_resident_status(args: argparse.Namespace) -> int:
    """Put a resident under home medical observation, lift it, or mark them moved out."""
    from app.clock import SystemClock
    from app.gate.idcard import validate_id
    from app.roster.service import RosterService

    gdb = _open(args)
    try:
        roster = RosterService(gdb, SystemClock())
        resident = roster.find_id_number(validate_id(args.id_number))
        if resident is None:
            from app.errors import KnownError

            raise KnownError("resident_unknown", id=args.id_number[-4:])
        row = roster.set_status(resident["id"], args.status, args.start, args.end, who=args.who)
        print(f"{row['id']} {row['status']} {row['obs_start'] or ''} {row['obs_end'] or ''}")
        return 0
    finally:
        gdb.close()


def cmd_visitor_pass(args: argparse.Namespace) -> int:
    """A visitor pass for today (or N hours) linked to a host household, as a one-card PDF."""
    from datetime import timedelta

    from app.clock import SystemClock
    from app.roster import passes
    from app.roster.printing import visitor_card
    from app.settings import Settings
    from ui.roster.pass_print import write_pdf

    gdb = _open(args)
    try:
        clock = SystemClock()
        until = clock.now() + timedelta(hours=args.hours) if args.hours else None
        who = str(Settings(gdb.conn).get("volunteer")) or "-"
        _, text = passes.visitor_pass(gdb.conn, clock, args.host, args.name, until, who)
        check = passes.resolve_pass(gdb.conn, text, clock.now())
        title = str(Settings(gdb.conn).get("checkpoint_name"))
        card = visitor_card(title, args.name, args.host, check.valid_until or "", text)
        write_pdf([card], args.out, single=True, lang=args.lang)
        print(f"{args.out} (valid until {check.valid_until})")
        return 0
    finally:
        gdb.close()


def cmd_overdue(args: argparse.Namespace) -> int:
    """Visitors and couriers still inside longer than the overdue setting (default 2 h)."""
    from app.clock import SystemClock
    from app.i18n import t
    from app.roster.gate import overdue_inside
    from app.settings import Settings

    gdb = _open(args)
    try:
        clock = SystemClock()
        minutes = args.minutes or int(Settings(gdb.conn).get("overdue_minutes"))
        for row in overdue_inside(gdb.conn, clock.now(), minutes):
            who = row["masked_name"] or t(f"cat_{row['category']}", args.lang)
            print(
                t(
                    "overdue_line",
                    args.lang,
                    who=who,
                    minutes=row["minutes_inside"],
                    since=row["ts_local"][11:16],
                )
            )
        return 0
    finally:
        gdb.close()


# ----------------------------------------------------------------- sync (issue #6)
def cmd_server(args: argparse.Namespace) -> int:
    """Run the subdistrict sync server (SQLite in the data dir, or $DATABASE_URL)."""
    from server.officer import server_tz
    from server.run import serve

    try:
        server_tz(args.tz)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"Gatepost server on http://{args.host}:{args.port}/  (Ctrl-C to stop)", file=sys.stderr)
    serve(args.data_dir_path, args.host, args.port, args.tz)
    return 0


def cmd_enrol_code(args: argparse.Namespace) -> int:
    """Server side: a one-time pairing code (QR) for one gate."""
    from server.cli import enrol_code

    return enrol_code(args.data_dir_path, args.url, show_qr=not args.no_qr)


def cmd_officer_add(args: argparse.Namespace) -> int:
    """Server side: create or reset an officer login for the web page."""
    import getpass

    from server.officer import set_officer
    from server.run import store_for

    password = args.password or getpass.getpass("password: ")
    store = store_for(args.data_dir_path)
    try:
        set_officer(store, args.username, password)
    finally:
        store.close()
    print(f"officer {args.username} saved")
    return 0


def cmd_enrol(args: argparse.Namespace) -> int:
    """Gate side: pair with the server using the text of its QR code."""
    from app.i18n import t
    from app.sync.service import SyncService

    gdb = _open(args)
    gdb.close()
    ident = SyncService(gdb.path).enrol(args.text, args.name or "")
    print(t("enrol_done", args.lang, server=ident.server_url))
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    """Gate side: one sync run now, with a progress bar."""
    from app.i18n import t
    from app.progress import StderrBar
    from app.sync.service import SyncService

    gdb = _open(args)
    gdb.close()
    bar = StderrBar("sync")
    report = SyncService(gdb.path, max_attempts=args.attempts).sync_now(progress=bar)
    bar.finish()
    if report.ok:
        print(
            t(
                "sync_done",
                args.lang,
                accepted=report.accepted,
                duplicate=report.duplicate,
                rejected=report.rejected,
            )
        )
        return 0
    message = t(report.error or "sync_offline", args.lang)
    detail = f" ({report.error_detail})" if report.error_detail else ""
    print(message + detail, file=sys.stderr)
    return 1


def cmd_bundle_export(args: argparse.Namespace) -> int:
    """Gate side: write a signed bundle for a USB stick; prints its path once verified."""
    from app.i18n import t
    from app.progress import StderrBar
    from app.sync.bundle import BundleCancelled
    from app.sync.service import SyncService

    gdb = _open(args)
    gdb.close()
    bar = StderrBar("bundle")
    try:
        path = SyncService(gdb.path).export_bundle(
            Path(args.out), progress=bar, from_seq=args.from_seq, everything=args.all
        )
    except (KeyboardInterrupt, BundleCancelled):
        bar.finish()
        print(t("cancel", args.lang), file=sys.stderr)
        return 130
    bar.finish()
    print(t("bundle_safe_to_remove", args.lang, path=path), file=sys.stderr)
    print(path)
    return 0


def cmd_bundle_import(args: argparse.Namespace) -> int:
    """Server side: import a bundle into the server database in the data dir."""
    from server.cli import bundle_import

    ack_out = Path(args.ack_out) if args.ack_out else None
    return bundle_import(args.data_dir_path, Path(args.file), args.lang, ack_out)


def cmd_bundle_ack(args: argparse.Namespace) -> int:
    """Server side: write the signed ack for one gate, to carry back on the stick."""
    from server.cli import bundle_ack

    return bundle_ack(args.data_dir_path, args.device, Path(args.out), args.lang)


def cmd_bundle_import_ack(args: argparse.Namespace) -> int:
    """Gate side: import the server's ack; its events count as acknowledged."""
    from app.i18n import t
    from app.sync.ack import AckRefused
    from app.sync.service import SyncService

    gdb = _open(args)
    gdb.close()
    try:
        result = SyncService(gdb.path).import_ack(Path(args.file))
    except AckRefused as exc:
        print(exc.text(args.lang), file=sys.stderr)
        return 1
    print(t("ack_imported", args.lang, seq=result.acked_seq, n=result.newly_acked))
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    """Server side: revoke a gate (its token and its bundles) by device id or prefix."""
    from server.cli import revoke_device

    return revoke_device(args.data_dir_path, args.device, args.lang)


# ----------------------------------------------------------------- #5 shifts, officer, reports
PIN_ENV = "GATEPOST_OFFICER_PIN"


def _pin(args: argparse.Namespace, code: str = "pin_prompt", env: str = PIN_ENV) -> str:
    """The officer PIN from the environment, else a hidden prompt."""
    import getpass

    from app.i18n import t

    if os.environ.get(env):
        return os.environ[env]
    return getpass.getpass(t(code, args.lang) + ": ")


def cmd_set_pin(args: argparse.Namespace) -> int:
    """Set the officer PIN (first run), or change it given the current one."""
    from app.i18n import t
    from app.officer import OfficerAuth

    gdb = _open(args)
    try:
        officer = OfficerAuth(gdb)
        old = _pin(args, "pin_old_prompt") if officer.has_pin() else None
        new = os.environ.get("GATEPOST_OFFICER_NEW_PIN") or (
            os.environ.get(PIN_ENV) if old is None else None
        )
        if not new:
            import getpass

            new = getpass.getpass(t("pin_new_prompt", args.lang) + ": ")
            if getpass.getpass(t("pin_repeat_prompt", args.lang) + ": ") != new:
                print(t("pin_mismatch", args.lang), file=sys.stderr)
                return 2
        officer.set_pin(new, old)
        print(t("pin_set_done", args.lang))
    finally:
        gdb.close()
    return 0


def _report_service(gdb):
    from app.reports.service import ReportService

    def render_pdf(*a, **kw):
        from ui.reports.pdf import render_pdf as real

        return real(*a, **kw)

    return ReportService(gdb, pdf_renderer=render_pdf)


def cmd_export(args: argparse.Namespace) -> int:
    """Write the daily report for a day or a range as CSV, XLSX or PDF (masked by default)."""
    from app.i18n import t
    from app.progress import StderrBar

    gdb = _open(args)
    try:
        svc = _report_service(gdb)
        if args.audit:
            rows = svc.export_audit(Path(args.out), pin=_pin(args))
        else:
            rows = svc.export(
                args.format,
                Path(args.out),
                args.date,
                args.to,
                pin=_pin(args),
                unmasked=args.unmasked,
                lang=args.lang,
                progress=StderrBar(args.format),
                summary=not args.no_summary,
            )
        print(t("export_done", args.lang, rows=rows, path=args.out))
        if args.format == "csv" and not args.audit and not args.no_summary:
            from app.reports.export import summary_path

            print(t("export_summary_done", args.lang, path=summary_path(Path(args.out))))
    finally:
        gdb.close()
    return 0


def cmd_shift(args: argparse.Namespace) -> int:
    """Sign in, hand over, log, or show who is on duty (the window does the same)."""
    from app.i18n import t
    from app.shifts.service import ShiftService

    gdb = _open(args)
    try:
        svc = ShiftService(gdb)
        if args.action == "start":
            vol = svc.add_volunteer(args.name or "", args.phone)
            pending = svc.pending_handover()
            svc.start(vol["id"], take_over=args.take_over)
            if pending is not None:
                svc.acknowledge(pending.shift_id)
        elif args.action == "end":
            summary = svc.end(args.note)
            print(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
        elif args.action == "log":
            svc.log(args.note or "")
        code, params = svc.status()
        print(t(code, args.lang, **params))
    finally:
        gdb.close()
    return 0


def cmd_demo_data(args: argparse.Namespace) -> int:
    """Fill the database with realistic demo days (never synced: no outbox events)."""
    from app.officer import OfficerAuth
    from app.progress import StderrBar
    from app.reports.demo import generate, utc_offset_seconds
    from app.settings import Settings

    gdb = _open(args)
    try:
        from app.clock import SystemClock

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
            progress=StderrBar("demo-data"),
        )
        OfficerAuth(gdb).audit("demo_data", totals, actor="system")
        print(json.dumps(totals))
    finally:
        gdb.close()
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    """Run the retention purge now (asks for the officer PIN if unsynced/unexported data goes)."""
    from app.errors import KnownError
    from app.i18n import t
    from app.retention import RetentionService

    gdb = _open(args)
    try:
        svc = RetentionService(gdb)
        plan = svc.plan()
        if plan.empty:
            print(t("purge_nothing", args.lang))
            return 0
        pin = None
        if plan.needs_confirmation:
            print(plan.warning().message(args.lang), file=sys.stderr)
            if not args.confirm:
                return 3
            pin = _pin(args)
        result = svc.run_daily(pin=pin or None) if pin else svc.run_daily()
        if result is None:
            raise KnownError("purge_nothing")
        print(
            t(
                "purge_done",
                args.lang,
                cutoff=result["cutoff"],
                passages=result["counts"].get("passages", 0),
            )
        )
    finally:
        gdb.close()
    return 0


# ----------------------------------------------------------------- wiring
def has_display() -> bool:
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform.startswith(("offscreen", "minimal", "vnc")):
        return True
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def build_parser() -> argparse.ArgumentParser:
    def common(p: argparse.ArgumentParser, default: object) -> None:
        p.add_argument(
            "--data-dir",
            metavar="DIR",
            default=default,
            help=f"where the database lives (default: ${ENV_VAR}, else the user data dir)",
        )
        p.add_argument("--lang", choices=("zh", "en"), default=default, help="message language")
        p.add_argument(
            "-v", "--verbose", action="store_true", default=default, help="log debug details"
        )

    parser = argparse.ArgumentParser(
        prog="main.py",
        description="门岗通 Gatepost — checkpoint desk for a closed-loop residential compound.",
    )
    common(parser, None)
    # the same options are accepted after the subcommand too (main.py info --data-dir X)
    shared = argparse.ArgumentParser(add_help=False)
    common(shared, argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add = sub.add_parser

    def add_parser(name: str, **kw: object) -> argparse.ArgumentParser:
        return _add(name, parents=[shared], **kw)  # type: ignore[arg-type]

    sub.add_parser = add_parser  # type: ignore[method-assign]

    p = sub.add_parser("gui", help="open the gate window (the default)")
    p.add_argument(
        "--camera", default=None, help="auto | demo | webcam index | video file | image folder"
    )
    p.set_defaults(func=cmd_gui)

    p = sub.add_parser("info", help="show data location, schema and device")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("today", help="print today's counters")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_today)

    p = sub.add_parser("settings", help="show or change a setting")
    p.add_argument("name", nargs="?")
    p.add_argument("value", nargs="?")
    p.set_defaults(func=cmd_settings)

    p = sub.add_parser("decode", help="read health-code QR images, one JSON line each")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    p.set_defaults(func=cmd_decode)

    p = sub.add_parser("import-residents", help="import the roster from a CSV or XLSX file")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    p.add_argument("--who", default=None, help="who is importing (default: volunteer setting)")
    p.set_defaults(func=cmd_import_residents)

    p = sub.add_parser("export-residents", help="write the roster as CSV (masked by default)")
    p.add_argument("--out", required=True, metavar="FILE.csv")
    p.add_argument("--unmasked", action="store_true", help="full names, ID and phone numbers")
    p.set_defaults(func=cmd_export_residents)

    p = sub.add_parser("print-passes", help="resident pass cards as a PDF (A4, 8 a page)")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.add_argument("--building", default=None, help="only this building")
    p.add_argument("--resident", type=int, default=None, help="one card for this resident id")
    p.add_argument("--days", type=int, default=None, help="valid for N days (default: setting)")
    p.set_defaults(func=cmd_print_passes)

    p = sub.add_parser("resident-status", help="home observation / normal / moved out")
    p.add_argument("id_number", metavar="ID_NUMBER")
    p.add_argument("status", choices=("normal", "observation", "moved_out"))
    p.add_argument("--start", default=None, help="observation start date (YYYY-MM-DD)")
    p.add_argument("--end", default=None, help="observation end date: it lifts by itself then")
    p.add_argument("--who", default=None, help="who made the change")
    p.set_defaults(func=cmd_resident_status)

    p = sub.add_parser("visitor-pass", help="a visitor pass for today, as a one-card PDF")
    p.add_argument("--host", required=True, help="host household, e.g. 3-2-501")
    p.add_argument("--name", required=True, help="visitor's name")
    p.add_argument("--hours", type=float, default=None, help="valid N hours (default: today)")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.set_defaults(func=cmd_visitor_pass)

    p = sub.add_parser("overdue", help="visitors and couriers inside too long")
    p.add_argument("--minutes", type=int, default=None, help="default: the overdue setting")
    p.set_defaults(func=cmd_overdue)

    p = sub.add_parser("keys", help="the compound's pass key (export / import the public key)")
    keys = p.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    k = keys.add_parser(
        "export-public",
        parents=[shared],
        help="write this compound's public key to a file and/or a QR PNG",
    )
    k.add_argument("--out", default=None, metavar="FILE", help="the key as a line of text")
    k.add_argument(
        "--qr",
        default=None,
        metavar="OUT.png",
        help="the key as a QR code for another gate's camera",
    )
    k = keys.add_parser(
        "import-public",
        parents=[shared],
        help="trust the public key in FILE: text or a picture of its QR code",
    )
    k.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_keys)

    # --- sync (issue #6)
    p = sub.add_parser("server", help="run the subdistrict sync server")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8750)
    p.add_argument(
        "--tz",
        default=None,
        help="officer page time zone (default $GATEPOST_SERVER_TZ or Asia/Shanghai)",
    )
    p.set_defaults(func=cmd_server)

    p = sub.add_parser("enrol-code", help="server side: print a one-time pairing QR for a gate")
    p.add_argument(
        "--url",
        default="http://127.0.0.1:8750",
        help="the server address as the gates will reach it",
    )
    p.add_argument("--no-qr", action="store_true", help="print only the text")
    p.set_defaults(func=cmd_enrol_code)

    p = sub.add_parser("officer-add", help="server side: create or reset an officer login")
    p.add_argument("username")
    p.add_argument("--password", default=None, help="(asked for when not given)")
    p.set_defaults(func=cmd_officer_add)

    for name in ("enrol", "pair"):
        p = sub.add_parser(name, help="gate side: pair with the server (text of its QR code)")
        p.add_argument("text")
        p.add_argument("--name", default="", help="this gate's name as the officer sees it")
        p.set_defaults(func=cmd_enrol)

    p = sub.add_parser("sync", help="gate side: send waiting events to the server now")
    p.add_argument("--attempts", type=int, default=3, help="tries before giving up (backoff)")
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("bundle", help="USB bundles: export (gate) / import (server)")
    bsub = p.add_subparsers(dest="bundle_command", metavar="ACTION", required=True)
    b = bsub.add_parser("export", parents=[shared], help="write a bundle into a folder")
    b.add_argument("--out", required=True, metavar="DIR")
    b.add_argument(
        "--from-seq", type=int, default=None, help="start here instead of after the last bundle"
    )
    b.add_argument(
        "--all",
        action="store_true",
        help="every event the server has not acknowledged, not only the new ones",
    )
    b.set_defaults(func=cmd_bundle_export)
    b = bsub.add_parser("import", parents=[shared], help="import a bundle into the server db")
    b.add_argument("file", metavar="FILE")
    b.add_argument(
        "--ack-out",
        default=None,
        metavar="DIR",
        help="also write the signed ack for the gate into DIR (e.g. the stick)",
    )
    b.set_defaults(func=cmd_bundle_import)
    b = bsub.add_parser(
        "ack", parents=[shared], help="server side: write the signed ack for one gate"
    )
    b.add_argument("--device", required=True, metavar="ID", help="device id (or its start)")
    b.add_argument("--out", required=True, metavar="DIR")
    b.set_defaults(func=cmd_bundle_ack)
    b = bsub.add_parser(
        "import-ack", parents=[shared], help="gate side: import the server's ack from the stick"
    )
    b.add_argument("file", metavar="FILE")
    b.set_defaults(func=cmd_bundle_import_ack)
    p = sub.add_parser("revoke", help="server side: revoke a gate's token and key")
    p.add_argument("device", metavar="DEVICE_ID", help="device id (or its start)")
    p.set_defaults(func=cmd_revoke)
    p = sub.add_parser("set-pin", help="set (or change) the officer PIN")
    p.set_defaults(func=cmd_set_pin)

    p = sub.add_parser("export", help="daily report as csv, xlsx or pdf (officer PIN)")
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
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("shift", help="sign in, hand over, log, or show who is on duty")
    p.add_argument("action", choices=("status", "start", "end", "log"))
    p.add_argument("--name", help="volunteer name (start)")
    p.add_argument("--phone", help="volunteer phone (start)")
    p.add_argument("--note", help="handover note (end) or log text (log)")
    p.add_argument("--take-over", action="store_true", help="start even if a shift is open")
    p.set_defaults(func=cmd_shift)

    p = sub.add_parser("demo-data", help="fill the database with realistic demo days")
    p.add_argument("--days", type=int, default=14)
    p.add_argument("--residents", type=int, default=500)
    p.add_argument("--seed", type=int, default=5)
    p.set_defaults(func=cmd_demo_data)

    p = sub.add_parser("purge", help="purge records older than retention_days (audited)")
    p.add_argument(
        "--confirm", action="store_true", help="purge even unsynced/unexported data (officer PIN)"
    )
    p.set_defaults(func=cmd_purge)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # no subcommand: open the window
        args.func, args.camera = cmd_gui, None
    args.lang_explicit = args.lang
    args.lang = args.lang or "zh"
    from app.errors import KnownError

    try:
        args.data_dir_path = resolve_data_dir(args.data_dir)
        setup_logging(args.data_dir_path, bool(args.verbose))
        return int(args.func(args) or 0)
    except KnownError as exc:
        print(exc.message(args.lang), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: log it, say it plainly, no traceback on the console
        log.exception("command %s failed", args.command)
        print(f"error: {exc.__class__.__name__}: {exc} (details in the log)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
