"""Exceptions that end a thread go to gatepost.log with their traceback, never only to stderr
(under pythonw there is no stderr: a thread that died was a silent gate)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger("gatepost.threads")


def _log_thread_exception(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "?"
    log.error(
        "thread %s ended by an uncaught exception",
        name,
        exc_info=(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback),
    )


def install_thread_hook() -> Callable[[Any], Any]:
    """Route threading.excepthook to the log; returns the hook it replaced."""
    previous = threading.excepthook
    threading.excepthook = _log_thread_exception
    return previous
