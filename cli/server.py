"""The subdistrict server: run it, pairing codes, officer logins, bundle import, acks, revoke."""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import KnownError
from app.i18n import t
from cli.common import Commands, int_range, progress, say
from server import public_url

if TYPE_CHECKING:
    from server.store import Store


def register(cmds: Commands) -> None:
    p = cmds.add("server", cmd_server, help="run the subdistrict sync server")
    p.add_argument("--host", default="127.0.0.1", help="0.0.0.0: reachable by the gates")
    p.add_argument("--port", type=int_range(1, 65535), default=8750)
    p.add_argument(
        "--public-url",
        default=None,
        help="the address gates reach this server at, put in pairing codes and kept for"
        f" enrol-code (default ${public_url.ENV}, else this PC's LAN address)",
    )
    p.add_argument(
        "--tz",
        default=None,
        help="officer page time zone (default $GATEPOST_SERVER_TZ or Asia/Shanghai)",
    )
    p.add_argument(
        "--workers",
        type=int_range(1, 64),
        default=1,
        help="uvicorn worker processes (PostgreSQL only: $DATABASE_URL)",
    )
    retention_flag(p)
    p = cmds.add(
        "server-rollups-check",
        cmd_rollups_check,
        help="server side: rebuild the kept counts from the events and compare (exit 1: differ)",
    )
    p.add_argument("--fix", action="store_true", help="rewrite the kept counts from the events")
    p = cmds.add(
        "server-purge",
        cmd_purge,
        help="server side: delete events and counts older than the retention period",
    )
    retention_flag(p)
    p.add_argument(
        "--tz",
        default=None,
        help="the day's time zone (default $GATEPOST_SERVER_TZ or Asia/Shanghai)",
    )
    p = cmds.add(
        "enrol-code", cmd_enrol_code, help="server side: print a one-time pairing QR for a gate"
    )
    p.add_argument(
        "--url",
        default=None,
        help="the server address as the gates reach it (default: server --public-url, then"
        f" ${public_url.ENV}, then this PC's LAN address on port 8750)",
    )
    p.add_argument("--no-qr", action="store_true", help="print only the text")
    compound_args(p)
    p = cmds.add(
        "officer-add", cmd_officer_add, help="server side: create or reset an officer login"
    )
    p.add_argument("username")
    p.add_argument("--password", default=None, help="(asked for when not given)")
    p = cmds.add("revoke", cmd_revoke, help="server side: revoke a gate's token and key")
    p.add_argument(
        "device", metavar="DEVICE_ID", help="gate code, device id, or a unique start of either"
    )
    p = cmds.add(
        "enrol-gate",
        cmd_enrol_gate,
        help="server side: enrol a never-online gate by its device id and public key",
    )
    p.add_argument("device", metavar="DEVICE_ID")
    p.add_argument("public_key", metavar="PUBLIC_KEY", help="the gate's Ed25519 key (64 hex)")
    p.add_argument("--name", default="")
    p.add_argument("--replace", action="store_true", help="re-key a gate the server knows")
    compound_args(p)


def compound_args(p: argparse.ArgumentParser) -> None:
    """Where the gate stands, for the officer page's groups (none: 未分组)."""
    p.add_argument("--street", default="", help="街道 (street) of the gate's compound")
    p.add_argument("--community", default="", help="社区 (community) of the gate's compound")


def retention_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--retention-days",
        type=int_range(1, 3650),
        default=None,
        help="keep this many days on the server (default $GATEPOST_SERVER_RETENTION_DAYS or 28)",
    )


def cmd_rollups_check(args: argparse.Namespace) -> int:
    """Server side: compare the counts kept at ingest with the events; --fix rebuilds them."""
    from server import rollups
    from server.run import store_for
    from server.store import utc_now

    store = store_for(args.data_dir_path)
    try:
        if args.fix:
            say("server_rollups_fixed", args.lang, n=rollups.rebuild(store, utc_now()))
            return 0
        found = rollups.differences(store)
        for d in found:
            say("server_rollups_diff", args.lang, **d.__dict__)
        if found:
            say_err("server_rollups_found", args.lang, n=len(found))
            return 1
        with store.tx() as tx:
            size = tx.one(
                "SELECT count(DISTINCT day) AS days, count(DISTINCT device_id) AS gates "
                "FROM day_rollups"
            )
        say("server_rollups_ok", args.lang, **(size or {"days": 0, "gates": 0}))
        return 0
    finally:
        store.close()


def cmd_purge(args: argparse.Namespace) -> int:
    """Server side: the retention purge now (the server also runs it every hour)."""
    from datetime import datetime

    from server.officer import server_tz
    from server.retention import notice, purge, retention_days
    from server.run import store_for

    try:
        zone = server_tz(args.tz)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    days = retention_days(args.retention_days)
    today = datetime.now(zone).date()
    store = store_for(args.data_dir_path)
    try:
        result = purge(store, today, days)
        coming = notice(store, today, days)
    finally:
        store.close()
    if result.unexported:
        say_err("server_purged_unexported", args.lang, days=", ".join(result.unexported))
    say("server_purge_done", args.lang, cutoff=result.cutoff, **result.counts)
    if coming is not None:
        print(coming.text(args.lang), file=sys.stderr)
    return 0


def port_in_use(host: str, port: int) -> bool:
    """True when something already listens there (checked before saying the server is up)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise KnownError("server_bad_host", host=host) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError:
            return True
    return False


def cmd_server(args: argparse.Namespace) -> int:
    """Run the subdistrict sync server (SQLite in the data dir, or $DATABASE_URL)."""
    from server.officer import server_tz
    from server.officer.district import silent_after
    from server.retention import retention_days
    from server.run import serve

    try:
        server_tz(args.tz)
        silent_after()  # $GATEPOST_SILENT_MINUTES, checked before the server says it is up
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    days = retention_days(args.retention_days)  # a bad $GATEPOST_SERVER_RETENTION_DAYS stops here
    if args.workers > 1 and not os.environ.get("DATABASE_URL"):
        raise KnownError("server_workers_need_postgres", workers=args.workers)
    if port_in_use(args.host, args.port):
        raise KnownError("server_port_busy", host=args.host, port=args.port)
    say_err("server_listening", args.lang, host=args.host, port=args.port)
    url, source = public_url.choose(args.public_url, args.data_dir_path, args.host, args.port)
    if args.public_url:
        public_url.save(args.data_dir_path, url)  # enrol-code uses it too
    if source != "bound":
        os.environ[public_url.ENV] = url  # the officer page's pairing QR (and every worker)
    say_public_url(url, source, args.lang)
    serve(args.data_dir_path, args.host, args.port, args.tz, args.workers, days)
    return 0


def say_err(code: str, lang: str, **params: object) -> None:
    print(t(code, lang, **params), file=sys.stderr)


def say_public_url(url: str, source: str, lang: str) -> None:
    """Which address the pairing codes name, why, and how to change it (on stderr)."""
    say_err("public_url_used", lang, url=url, source=t(f"public_url_from_{source}", lang))
    say_err("public_url_change", lang, env=public_url.ENV)


def cmd_enrol_code(args: argparse.Namespace) -> int:
    """Server side: a one-time pairing code (QR) for one gate."""
    from server.devices import Compound, new_enrolment
    from server.run import store_for

    url, source = public_url.choose(args.url, args.data_dir_path)
    say_public_url(url, source, args.lang)
    store = store_for(args.data_dir_path)
    try:
        where = Compound.of(args.street, args.community)
        text = new_enrolment(store, url, compound=where)
    finally:
        store.close()
    if not args.no_qr:
        import qrcode

        qr = qrcode.QRCode(border=1)
        qr.add_data(text)
        qr.print_ascii(out=sys.stdout, invert=True)
    print(text)
    return 0


def cmd_officer_add(args: argparse.Namespace) -> int:
    """Server side: create or reset an officer login for the web page."""
    import getpass

    from server.officer import set_officer
    from server.run import store_for

    password = args.password
    if not password:
        try:
            password = getpass.getpass("password: ")
        except EOFError:
            password = ""
    if not password:
        raise KnownError("officer_password_needed")
    store = store_for(args.data_dir_path)
    try:
        set_officer(store, args.username, password)
    finally:
        store.close()
    say("officer_saved", args.lang, username=args.username)
    return 0


def bundle_import(data_dir: Path, file: Path, lang: str = "zh", ack_out: Path | None = None) -> int:
    """Print the counts; exit 1 when the bundle itself is refused. With ack_out, also write
    the signed ack for the gate into that folder (prints its path)."""
    from app.sync.bundle import BundleRefused
    from server.bundles import bundle_device_id, import_bundle
    from server.run import store_for

    if not file.exists():
        raise KnownError("file_missing", path=str(file))
    if file.is_dir():
        raise KnownError("file_is_folder", path=str(file))
    store = store_for(data_dir)
    bar = progress("import")
    try:
        try:
            result = import_bundle(store, file, progress=bar)
        except BundleRefused as exc:
            bar.finish()
            print(exc.message(lang), file=sys.stderr)
            return 1
        bar.finish()
        say("bundle_import_result", lang, **result.counts())
        if ack_out is not None:
            return write_ack_file(store, bundle_device_id(store, file), ack_out, lang)
        return 0
    finally:
        store.close()


def say_ambiguous(ref: str, exc: Exception, lang: str) -> bool:
    """A start of an id or code that fits several gates, said with their codes (True if so)."""
    from server.acks import AmbiguousDevice

    if isinstance(exc, AmbiguousDevice):
        say_err("device_ambiguous", lang, device=ref, codes=", ".join(exc.codes))
    return isinstance(exc, AmbiguousDevice)


def write_ack_file(store: Store, device_ref: str, out_dir: Path, lang: str) -> int:
    from server.acks import AckError, write_ack

    try:
        path = write_ack(store, device_ref, out_dir)
    except AckError as exc:
        if say_ambiguous(device_ref, exc, lang):
            return 1
        say_err("ack_write_failed", lang, reason=exc.reason)
        return 1
    except OSError as exc:
        say_err("ack_write_failed", lang, reason=exc.strerror or str(exc))
        return 1
    say_err("ack_written", lang, path=path)
    print(path)
    return 0


def bundle_ack(data_dir: Path, device_ref: str, out_dir: Path, lang: str = "zh") -> int:
    """Write the signed ack of what the server holds for one gate (id or unique prefix)."""
    from server.run import store_for

    store = store_for(data_dir)
    try:
        return write_ack_file(store, device_ref, out_dir, lang)
    finally:
        store.close()


def cmd_revoke(args: argparse.Namespace) -> int:
    """Server side: revoke a gate's token: its syncs get 403 and its bundles are refused."""
    from server.acks import AckError, find_device
    from server.devices import revoke
    from server.run import store_for

    store = store_for(args.data_dir_path)
    try:
        try:
            device = find_device(store, args.device)
        except AckError as exc:
            if not say_ambiguous(args.device, exc, args.lang):
                say_err("revoke_unknown", args.lang, device=args.device, reason=exc.reason)
            return 1
        revoke(store, device["device_id"])
    finally:
        store.close()
    say("revoke_done", args.lang, device=device["device_id"], name=device["name"] or "—")
    return 0


def cmd_enrol_gate(args: argparse.Namespace) -> int:
    """Server side: enrol a never-online gate so its bundles are accepted (audited as cli)."""
    from app.gate_code import shown
    from server.devices import Compound, EnrolError, enrol_offline
    from server.run import store_for

    store = store_for(args.data_dir_path)
    try:
        code = enrol_offline(
            store,
            args.device,
            args.public_key,
            args.name,
            officer="cli",
            replace=args.replace,
            compound=Compound.of(args.street, args.community),
        )
    except EnrolError as exc:
        say_err("officer_enrol_failed", args.lang, reason=exc.reason)
        return 1
    finally:
        store.close()
    say("officer_enrol_done", args.lang, device=f"{shown(code)} ({args.device})")
    return 0
