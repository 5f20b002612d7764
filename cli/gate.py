"""The gate itself: open the window, what is where, today's counters, the settings."""

from __future__ import annotations

import argparse
import json
import os
import sys

from app.errors import KnownError
from app.i18n import t
from cli.common import Commands, open_db, pin


def register(cmds: Commands) -> None:
    p = cmds.add("gui", cmd_gui, help="open the gate window (the default)")
    p.add_argument(
        "--camera", default=None, help="auto | demo | webcam index | video file | image folder"
    )
    cmds.add("info", cmd_info, help="show data location, schema and device")
    p = cmds.add("today", cmd_today, help="print today's counters")
    p.add_argument("--json", action="store_true")
    p = cmds.add("settings", cmd_settings, help="show or change a setting")
    p.add_argument("name", nargs="?")
    p.add_argument("value", nargs="?")


def has_display() -> bool:
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform.startswith(("offscreen", "minimal", "vnc")):
        return True
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def cmd_gui(args: argparse.Namespace) -> int:
    """Open the gate window (Qt is loaded here and only here)."""
    if not has_display():
        print(t("no_display", "zh"), file=sys.stderr)
        print(t("no_display", "en"), file=sys.stderr)
        return 2
    from ui.common.qtlog import install_qt_log

    install_qt_log()  # #16: Qt multimedia and audio chatter to the log, not the terminal
    from ui.app import run_gui

    return run_gui(
        args.data_dir_path, camera=getattr(args, "camera", None), lang=args.lang_explicit
    )


def cmd_info(args: argparse.Namespace) -> int:
    """Where the data is, which schema, which device."""
    from app.settings import Settings
    from db import migrations, outbox

    gdb = open_db(args)
    try:
        info = {
            "data_dir": str(args.data_dir_path),
            "database": str(gdb.path),
            "schema": migrations.applied_names(gdb.conn),
            "device_id": gdb.device.device_id,
            "outbox_pending": outbox.pending_count(gdb.conn),
            "settings": Settings(gdb.conn).as_dict(),
        }
    finally:
        gdb.close()
    print(json.dumps(info, ensure_ascii=False, indent=2))
    return 0


COUNTER_NAMES = {
    "in": "count_in",
    "out": "count_out",
    "refused": "count_refused",
    "fever": "count_fever",
    "visitors_inside": "count_visitors_inside",
}


def cmd_today(args: argparse.Namespace) -> int:
    """Today's counters, as the window shows them."""
    from app.gate.service import GateService

    gdb = open_db(args)
    try:
        counts = GateService(gdb).today()
    finally:
        gdb.close()
    if args.json:
        print(json.dumps(counts))
    else:
        for key, code in COUNTER_NAMES.items():
            print(f"{t(code, args.lang)}: {counts[key]}")
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    """Show or change a domain setting; a value outside its declared limits is refused."""
    from app.settings import SETTINGS, Settings, spec_for

    gdb = open_db(args)
    settings = Settings(gdb.conn)
    try:
        if args.name is None:
            for spec in SETTINGS:
                print(f"{spec.name} = {settings.get(spec.name)!s}    # {spec.help}")
            return 0
        spec = spec_for(args.name)  # KnownError setting_unknown
        if args.value is None:
            print(settings.get(spec.name))
            return 0
        value = spec.parse(args.value)  # refused before the PIN is asked for
        from app.officer import SETTINGS_CHANGE, OfficerAuth

        officer = OfficerAuth(gdb)  # #5: settings are guarded once a PIN exists
        old = settings.get(spec.name)
        if officer.has_pin():
            officer.authorize(
                pin(args), SETTINGS_CHANGE, {"name": spec.name, "old": str(old), "new": args.value}
            )
        settings.set(spec.name, value)
        print(f"{spec.name} = {settings.get(spec.name)}")
        return 0
    except KnownError as exc:
        if exc.code.startswith("setting_"):
            print(f"{args.name}: {exc.message(args.lang)}", file=sys.stderr)
            return 2
        raise
    finally:
        gdb.close()
