"""Sync between the gate and the server: pairing, a sync run, USB bundles and their acks."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.i18n import t
from cli.common import Commands, checked_db_path, int_range, progress, say


def register(cmds: Commands) -> None:
    for name in ("enrol", "pair"):
        p = cmds.add(name, cmd_enrol, help="gate side: pair with the server (text of its QR code)")
        p.add_argument("text")
        p.add_argument("--name", default="", help="this gate's name as the officer sees it")

    p = cmds.add("sync", cmd_sync, help="gate side: send waiting events to the server now")
    p.add_argument(
        "--attempts", type=int_range(1, 100), default=3, help="tries before giving up (backoff)"
    )

    p = cmds.add("bundle", None, help="USB bundles: export (gate) / import (server)")
    bundle = cmds.group(p, "bundle_command")
    b = bundle.add("export", cmd_bundle_export, help="write a bundle into a folder")
    b.add_argument("--out", required=True, metavar="DIR")
    b.add_argument(
        "--from-seq",
        type=int_range(0),
        default=None,
        help="start here instead of after the last bundle",
    )
    b.add_argument(
        "--all",
        action="store_true",
        help="every event the server has not acknowledged, not only the new ones",
    )
    b.add_argument(
        "--require-encryption",
        action="store_true",
        help="refuse to write a plain bundle when no server key is pinned yet (#13)",
    )
    b = bundle.add("import", cmd_bundle_import, help="import a bundle into the server db")
    b.add_argument("file", metavar="FILE")
    b.add_argument(
        "--ack-out",
        default=None,
        metavar="DIR",
        help="also write the signed ack for the gate into DIR (e.g. the stick)",
    )
    b = bundle.add("ack", cmd_bundle_ack, help="server side: write the signed ack for one gate")
    b.add_argument("--device", required=True, metavar="ID", help="device id (or its start)")
    b.add_argument("--out", required=True, metavar="DIR")
    b = bundle.add(
        "import-ack",
        cmd_bundle_import_ack,
        help="gate side: import the server's ack from the stick",
    )
    b.add_argument("file", metavar="FILE")


def cmd_enrol(args: argparse.Namespace) -> int:
    """Gate side: pair with the server using the text of its QR code."""
    from app.sync.service import SyncService

    db = checked_db_path(args)
    ident = SyncService(db).enrol(args.text, args.name or "")
    say("enrol_done", args.lang, server=ident.server_url)
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    """Gate side: one sync run now, with a progress bar."""
    from app.sync.service import SyncService

    db = checked_db_path(args)
    bar = progress("sync")
    report = SyncService(db, max_attempts=args.attempts).sync_now(progress=bar)
    bar.finish()
    if report.ok:
        say(
            "sync_done",
            args.lang,
            accepted=report.accepted,
            duplicate=report.duplicate,
            rejected=report.rejected,
        )
        return 0
    message = t(report.error or "sync_offline", args.lang)
    detail = f" ({report.error_detail})" if report.error_detail else ""
    print(message + detail, file=sys.stderr)
    return 1


def cmd_bundle_export(args: argparse.Namespace) -> int:
    """Gate side: write a signed bundle for a USB stick (encrypted to the pinned server key,
    else plain with a warning, or refused with --require-encryption); prints its path."""
    from app.sync.bundle import BundleCancelled
    from app.sync.service import SyncService

    service = SyncService(checked_db_path(args))
    if not service.bundles_sealed() and not args.require_encryption:
        print(t("bundle_plain_warning", args.lang), file=sys.stderr)  # plain, said first
    bar = progress("bundle")
    try:
        path = service.export_bundle(
            Path(args.out),
            progress=bar,
            from_seq=args.from_seq,
            everything=args.all,
            require_sealed=args.require_encryption,
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
    from cli.server import bundle_import

    ack_out = Path(args.ack_out) if args.ack_out else None
    return bundle_import(args.data_dir_path, Path(args.file), args.lang, ack_out)


def cmd_bundle_ack(args: argparse.Namespace) -> int:
    """Server side: write the signed ack for one gate, to carry back on the stick."""
    from cli.server import bundle_ack

    return bundle_ack(args.data_dir_path, args.device, Path(args.out), args.lang)


def cmd_bundle_import_ack(args: argparse.Namespace) -> int:
    """Gate side: import the server's ack; its events count as acknowledged."""
    from app.sync.ack import AckRefused
    from app.sync.service import SyncService

    db = checked_db_path(args)
    try:
        result = SyncService(db).import_ack(Path(args.file))
    except AckRefused as exc:
        print(exc.text(args.lang), file=sys.stderr)
        return 1
    say("ack_imported", args.lang, seq=result.acked_seq, n=result.newly_acked)
    return 0
