"""The roster: import/export residents, pass cards, resident status, visitors, keys, overdue."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from app.errors import KnownError
from app.i18n import t
from cli.common import Commands, float_range, gate_db, int_range, progress, say

if TYPE_CHECKING:
    from app.database import GateDatabase

VISITOR_HOURS_MAX = 24  # app.roster.visitors.MAX_HOURS (not imported: keeps --help light)


def register(cmds: Commands) -> None:
    p = cmds.add(
        "import-residents", cmd_import_residents, help="import the roster from a CSV or XLSX file"
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    p.add_argument("--who", default=None, help="who is importing (default: volunteer setting)")

    p = cmds.add(
        "export-residents", cmd_export_residents, help="write the roster as CSV (masked by default)"
    )
    p.add_argument("--out", required=True, metavar="FILE.csv")
    p.add_argument("--unmasked", action="store_true", help="full names, ID and phone numbers")

    p = cmds.add(
        "print-passes", cmd_print_passes, help="resident pass cards as a PDF (A4, 8 a page)"
    )
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.add_argument("--building", default=None, help="only this building")
    p.add_argument(
        "--resident", type=int_range(1), default=None, help="one card for this resident id"
    )
    p.add_argument(
        "--days", type=int_range(1, 366), default=None, help="valid for N days (default: setting)"
    )

    p = cmds.add(
        "resident-status", cmd_resident_status, help="home observation / normal / moved out"
    )
    p.add_argument("id_number", metavar="ID_NUMBER")
    p.add_argument("status", choices=("normal", "observation", "moved_out"))
    p.add_argument("--start", default=None, help="observation start date (YYYY-MM-DD)")
    p.add_argument("--end", default=None, help="observation end date: it lifts by itself then")
    p.add_argument("--who", default=None, help="who made the change")

    p = cmds.add("visitor-pass", cmd_visitor_pass, help="a visitor pass for today, as a PDF")
    p.add_argument("--host", required=True, help="host household, e.g. 3-2-501")
    p.add_argument("--name", required=True, help="visitor's name")
    p.add_argument(
        "--hours",
        type=float_range(0, VISITOR_HOURS_MAX),
        default=None,
        help="valid N hours (default: today)",
    )
    p.add_argument("--out", required=True, metavar="FILE.pdf")

    p = cmds.add("overdue", cmd_overdue, help="visitors and couriers inside too long")
    p.add_argument(
        "--minutes", type=int_range(1, 1440), default=None, help="default: the overdue setting"
    )

    p = cmds.add("keys", None, help="the compound's pass key (export / import the public key)")
    keys = cmds.group(p, "keys_command")
    k = keys.add(
        "export-public", cmd_keys, help="write this compound's public key to a file and/or a QR PNG"
    )
    k.add_argument("--out", default=None, metavar="FILE", help="the key as a line of text")
    k.add_argument(
        "--qr", default=None, metavar="OUT.png", help="the key as a QR code for another gate"
    )
    k = keys.add(
        "import-public", cmd_keys, help="trust the public key in FILE: text or a picture of its QR"
    )
    k.add_argument("file", metavar="FILE")


def writable_out(path: str) -> Path:
    """Refuse an output path whose folder is missing before any work is done (no .part left)."""
    out = Path(path).expanduser()
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise KnownError("out_dir_missing", path=str(parent))
    if out.is_dir():
        raise KnownError("out_is_dir", path=str(out))
    if not os.access(parent, os.W_OK):
        raise KnownError("export_no_dir", path=str(parent))
    return out


def import_command(
    gdb: GateDatabase,
    path: str,
    dry_run: bool,
    lang: str,
    who: str | None = None,
    out: TextIO | None = None,
) -> int:
    """Prints the counts in the message language, then each rejected row; 1 when any rejected."""
    from app.clock import SystemClock
    from app.roster import importer
    from app.roster.service import RosterService

    out = out or sys.stdout
    source = Path(path).expanduser()
    if source.is_dir():
        raise KnownError("import_is_folder", path=str(source))
    svc = RosterService(gdb, SystemClock())
    the_plan = importer.plan(svc.conn, source, svc.today())
    if dry_run:
        result = importer.ImportResult(
            imported=the_plan.count("new"),
            updated=the_plan.count("update"),
            unchanged=the_plan.count("unchanged"),
            rejected=the_plan.rejected,
        )
    else:
        bar = progress("import")
        try:
            result = importer.apply(svc.conn, the_plan, svc.clock, who or svc.who, progress=bar)
        finally:
            bar.close()
    print(result.done_text(lang), file=out)
    for rej in sorted(result.rejected, key=lambda r: r.row):
        print(rej.line(lang), file=out)
    if result.report_path is not None:
        print(t("import_report", lang, path=str(result.report_path)), file=sys.stderr)
    return 1 if result.rejected else 0


def cmd_import_residents(args: argparse.Namespace) -> int:
    """Import the roster from CSV/XLSX; exit 1 when any row was rejected."""
    with gate_db(args) as gdb:
        return import_command(gdb, args.file, args.dry_run, args.lang, args.who)


def cmd_export_residents(args: argparse.Namespace) -> int:
    """Write the roster as CSV (masked unless --unmasked)."""
    from app.roster import importer

    out = writable_out(args.out)
    with gate_db(args) as gdb:
        n = importer.export_csv(gdb.conn, out, masked=not args.unmasked)
    say("residents_exported", args.lang, n=n, path=args.out)
    return 0


def cmd_keys(args: argparse.Namespace) -> int:
    """The compound's pass key: export the public half, or trust another gate's."""
    from app import files
    from app.clock import SystemClock
    from app.roster import keyqr, passes

    if args.keys_command == "export-public" and not (args.out or args.qr):
        raise KnownError("key_export_need_out")
    with gate_db(args) as gdb:
        if args.keys_command == "export-public":
            text = passes.export_public_key(gdb.conn, SystemClock())
            if args.out:
                files.write_bytes(args.out, (text + "\n").encode("ascii"))
            if args.qr:
                keyqr.write_png(text, args.qr)
            print(text)
        else:
            kid = keyqr.import_key_file(gdb.conn, args.file, SystemClock())
            say("key_imported", args.lang, key_id=kid)
        return 0


def cmd_print_passes(args: argparse.Namespace) -> int:
    """Resident pass cards to a PDF: A4 sheets of 8, or one card with --resident."""
    from app.clock import SystemClock
    from app.roster.printing import pass_cards
    from app.settings import Settings

    out = writable_out(args.out)
    with gate_db(args) as gdb:
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
        if not cards:
            if args.resident is not None:
                raise KnownError("print_no_resident", resident=args.resident)
            if args.building is not None:
                raise KnownError("print_no_building", building=args.building)
            raise KnownError("print_no_residents")
        from ui.roster.pass_print import write_pdf  # Qt only now, with cards to draw

        bar = progress("print")
        try:
            pages = write_pdf(cards, out, single=ids is not None, lang=args.lang, progress=bar)
        finally:
            bar.close()
        say("print_done", args.lang, cards=len(cards), pages=pages, path=args.out)
        return 0


def cmd_resident_status(args: argparse.Namespace) -> int:
    """Put a resident under home medical observation, lift it, or mark them moved out."""
    from app.clock import SystemClock
    from app.idcard import validate_id
    from app.roster.service import RosterService

    with gate_db(args) as gdb:
        roster = RosterService(gdb, SystemClock())
        resident = roster.find_id_number(validate_id(args.id_number))
        if resident is None:
            raise KnownError("resident_unknown", id=args.id_number[-4:])
        row = roster.set_status(resident["id"], args.status, args.start, args.end, who=args.who)
        print(f"{row['id']} {row['status']} {row['obs_start'] or ''} {row['obs_end'] or ''}")
        return 0


def cmd_visitor_pass(args: argparse.Namespace) -> int:
    """A visitor pass for today (or N hours) linked to a host household, as a one-card PDF."""
    from app.clock import SystemClock
    from app.roster import visitors
    from app.roster.service import RosterService

    out = writable_out(args.out)
    with gate_db(args) as gdb:
        issued = visitors.issue(RosterService(gdb, SystemClock()), args.host, args.name, args.hours)
        from ui.roster.pass_print import write_pdf  # Qt only now, with a card to draw

        write_pdf([issued.card], out, single=True, lang=args.lang)
        say("visitor_pass_done", args.lang, path=args.out, until=issued.valid_until)
        return 0


def cmd_overdue(args: argparse.Namespace) -> int:
    """Visitors and couriers still inside longer than the overdue setting (default 2 h)."""
    from app.clock import SystemClock
    from app.roster.checks import overdue_inside
    from app.settings import Settings

    with gate_db(args) as gdb:
        minutes = args.minutes or int(Settings(gdb.conn).get("overdue_minutes"))
        for row in overdue_inside(gdb.conn, SystemClock().now(), minutes):
            who = row["masked_name"] or t(f"cat_{row['category']}", args.lang)
            say(
                "overdue_line",
                args.lang,
                who=who,
                minutes=row["minutes_inside"],
                since=row["ts_local"][11:16],
            )
        return 0
