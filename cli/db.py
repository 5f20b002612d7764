"""`db check` and `db salvage`: the damage check and the salvage the window runs, by hand (#13).

check: exit 0 when the file is sound, 2 when damaged (SQLite's problems or outbox bodies off
the hash chain), 1 on a known error. salvage: the gate must be closed; the damaged file is
kept aside and what was lost is printed, outbox sequence numbers first (they are the events
the server will show as gaps).
"""

from __future__ import annotations

import argparse
import sys

from app.i18n import t
from cli.common import Commands, progress, say

DAMAGED = 2  # the exit code of a check that found damage


def register(cmds: Commands) -> None:
    p = cmds.add("db", None, help="the gate database: check it, salvage a damaged one")
    db = cmds.group(p, "db_command")
    c = db.add("check", cmd_check, help="look for damage (exit 0 sound, 2 damaged)")
    c.add_argument(
        "--full",
        action="store_true",
        help="integrity_check (every page and index) instead of the fast quick_check",
    )
    s = db.add(
        "salvage",
        cmd_salvage,
        help="copy every readable row into a fresh file, keep the damaged one aside",
    )
    s.add_argument(
        "--force", action="store_true", help="salvage even when the full check finds no damage"
    )


def cmd_check(args: argparse.Namespace) -> int:
    from app.database import check_database
    from app.salvage import seq_ranges

    health = check_database(args.data_dir_path, full=args.full)
    kind = t("db_check_kind_full" if health.full else "db_check_kind_quick", args.lang)
    if health.ok:
        say("db_check_ok", args.lang, kind=kind, seconds=health.seconds)
        return 0
    print(
        t(
            "db_check_bad",
            args.lang,
            kind=kind,
            problems=len(health.problems),
            seqs=seq_ranges(health.outbox_bad_seqs) or "-",
        ),
        file=sys.stderr,
    )
    for problem in health.problems[:10]:  # SQLite's own words, for whoever repairs it
        print(f"  {problem}", file=sys.stderr)
    return DAMAGED


def cmd_salvage(args: argparse.Namespace) -> int:
    from app.database import check_database, salvage_database
    from app.salvage import SalvageCancelled

    if not args.force and check_database(args.data_dir_path).ok:
        say("admin_salvage_sound", args.lang)
        return 0
    bar = progress("salvage")
    try:
        report = salvage_database(args.data_dir_path, progress=bar)
    except (KeyboardInterrupt, SalvageCancelled):
        bar.finish()
        print(t("cancel", args.lang), file=sys.stderr)
        return 130
    bar.finish()
    print(report.message().message(args.lang))
    lang = args.lang
    for table, copy in sorted(report.tables.items()):
        if copy.unreadable:
            say("db_salvage_unreadable_table", lang, table=table)
        elif copy.lost:
            say("db_salvage_lost_table", lang, table=table, lost=copy.lost)
        if copy.quarantined:
            aside = report.moved.with_name(report.moved.name + ".quarantine.jsonl")
            say("db_salvage_kept", lang, table=table, rows=len(copy.quarantined), path=aside)
        if copy.bad_text:
            say("db_salvage_bad_text", lang, table=table, rows=copy.bad_text)
    return 0
