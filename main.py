#!/usr/bin/env python3
"""Gatepost (门岗通): the one wiring point. Parse, data dir, logging, then hand over to cli/."""

from __future__ import annotations

import logging
import logging.handlers
import multiprocessing
import os
import sys
from pathlib import Path

from app.errors import KnownError
from cli import build_parser
from cli.common import data_dir, fail

log = logging.getLogger("gatepost")


def quiet_native_libraries() -> None:
    """#16: OpenCV's camera-probing warnings ("can't open camera by index") stay off the
    terminal; the camera code logs what failed itself. Set before cv2 is imported; an
    explicit OPENCV_LOG_LEVEL (a developer's) wins."""
    os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")


quiet_native_libraries()  # at import: whatever imports cv2 next must find it set


def setup_logging(data_dir: Path, verbose: bool = False) -> None:
    handler = logging.handlers.RotatingFileHandler(
        data_dir / "gatepost.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:  # no subcommand: open the window
        from cli.gate import cmd_gui

        args.func, args.camera = cmd_gui, None
    args.lang_explicit = args.lang
    args.lang = args.lang or "zh"  # commands that open the gate db switch to its `language`
    try:
        setup_logging(data_dir(args), bool(args.verbose))
        return int(args.func(args) or 0)
    except KnownError as exc:
        return fail(exc, args.lang)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: log it, say it plainly, no traceback on the console
        log.exception("command %s failed", args.command)
        print(f"error: {exc.__class__.__name__}: {exc} (details in the log)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    # a helper process of a frozen bundle (ui/common/procpool.py) starts as this program:
    # this turns it into the helper instead of a second window
    multiprocessing.freeze_support()
    sys.exit(main())
