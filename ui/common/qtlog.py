"""Qt's own warnings (a failed connection, a missing plugin, a painter misuse) go to
gatepost.log like everything else, with the file and line Qt names."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

log = logging.getLogger("gatepost.qt")

_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def qt_message_to_log(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    where = f" ({context.file}:{context.line})" if context is not None and context.file else ""
    log.log(_LEVELS.get(kind, logging.WARNING), "%s%s", message, where)


def install_qt_log() -> Any:
    """Install the handler; returns the one it replaced (tests put it back)."""
    return qInstallMessageHandler(qt_message_to_log)
