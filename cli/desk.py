"""`desk-replay FILE --data-dir DIR`: feed a desk journal or script to the core desk, no window."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.errors import KnownError
from cli.common import Commands, open_db


def register(cmds: Commands) -> None:
    p = cmds.add(
        "desk-replay",
        cmd_desk_replay,
        help="replay a desk journal (data dir/journal/DAY.jsonl) or a script: one JSON line "
        "per outcome; records go to --data-dir, which must hold no gate records yet",
    )
    p.add_argument("file", metavar="FILE", help="JSON lines, or - for standard input")


def cmd_desk_replay(args: argparse.Namespace) -> int:
    from app.gate.replay import replay
    from app.gate.service import GateService

    if not args.data_dir:  # never the real gate's data: a replay writes records
        raise KnownError("replay_needs_data_dir")
    lines = _read(args.file)
    gdb = open_db(args)
    try:
        held = gdb.conn.execute(
            "SELECT (SELECT count(*) FROM passages) + (SELECT count(*) FROM fever_checks)"
        ).fetchone()[0]
        if held:
            raise KnownError("replay_not_empty", path=args.data_dir_path)
        for outcome in replay(GateService(gdb), lines):
            print(json.dumps(outcome, ensure_ascii=False), flush=True)
    finally:
        gdb.close()
    return 0


def _read(name: str) -> list[str]:
    if name == "-":
        return sys.stdin.read().splitlines()
    try:
        return Path(name).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise KnownError("file_not_found", path=name) from None
    except (OSError, UnicodeDecodeError):
        raise KnownError("replay_unreadable", path=name) from None
