"""The command line: one module per command group, each with `register(cmds)` and handlers.

A new group is one more name in GROUPS (and its module here); main.py only parses and
dispatches. Nothing in app/, db/, ui/ or server/ imports this package (import-linter), and
a module here loads Qt (ui/) only inside the handlers that draw (gui, PDFs).
"""

from __future__ import annotations

import argparse
import importlib

from app import __version__
from cli.common import Commands, add_common_options

GROUPS: tuple[str, ...] = (
    "gate",
    "desk",
    "scan",
    "roster",
    "server",
    "sync",
    "officer",
    "reports",
    "shifts",
    "db",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="main.py",
        description="门岗通 Gatepost — checkpoint desk for a closed-loop residential compound.",
    )
    parser.add_argument("--version", action="version", version=f"门岗通 Gatepost {__version__}")
    add_common_options(parser, None)
    # the same options are accepted after the subcommand too (main.py info --data-dir X)
    shared = argparse.ArgumentParser(add_help=False)
    add_common_options(shared, argparse.SUPPRESS)
    cmds = Commands(parser.add_subparsers(dest="command", metavar="COMMAND"), shared)
    for name in GROUPS:
        importlib.import_module(f"cli.{name}").register(cmds)
    return parser
