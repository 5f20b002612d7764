"""Volunteers on duty: sign in, hand over, log a note, or show who is on duty."""

from __future__ import annotations

import argparse
import json

from cli.common import Commands, gate_db, phone_arg, say


def register(cmds: Commands) -> None:
    p = cmds.add("shift", cmd_shift, help="sign in, hand over, log, or show who is on duty")
    p.add_argument("action", choices=("status", "start", "end", "log"))
    p.add_argument("--name", help="volunteer name (start)")
    p.add_argument("--phone", type=phone_arg, help="volunteer phone (start)")
    p.add_argument("--note", help="handover note (end) or log text (log)")
    p.add_argument("--take-over", action="store_true", help="start even if a shift is open")


def cmd_shift(args: argparse.Namespace) -> int:
    """Sign in, hand over, log, or show who is on duty (the window does the same)."""
    from app.shifts.service import ShiftService

    with gate_db(args) as gdb:
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
        say(code, args.lang, **params)
    return 0
