"""The officer PIN on this gate: set it on first run, change it given the current one."""

from __future__ import annotations

import argparse
import os
import sys

from app.errors import KnownError
from app.i18n import t
from cli.common import NEW_PIN_ENV, PIN_ENV, Commands, gate_db, pin, say


def register(cmds: Commands) -> None:
    cmds.add("set-pin", cmd_set_pin, help="set (or change) the officer PIN")


def _ask_new_pin(args: argparse.Namespace) -> str | None:
    """The new PIN typed twice; None when the two differ."""
    import getpass

    try:
        new = getpass.getpass(t("pin_new_prompt", args.lang) + ": ")
        again = getpass.getpass(t("pin_repeat_prompt", args.lang) + ": ")
    except EOFError:
        raise KnownError("pin_needed", env=NEW_PIN_ENV) from None
    return new if again == new else None


def cmd_set_pin(args: argparse.Namespace) -> int:
    """Set the officer PIN (first run), or change it given the current one."""
    from app.officer import OfficerAuth

    with gate_db(args) as gdb:
        officer = OfficerAuth(gdb)
        old = pin(args, "pin_old_prompt") if officer.has_pin() else None
        new = os.environ.get(NEW_PIN_ENV) or (os.environ.get(PIN_ENV) if old is None else None)
        if not new:
            new = _ask_new_pin(args)
            if new is None:
                print(t("pin_mismatch", args.lang), file=sys.stderr)
                return 2
        officer.set_pin(new, old)
        say("pin_set_done", args.lang)
    return 0
