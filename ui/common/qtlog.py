"""Qt's messages go to gatepost.log, never lost and never on the terminal (#12, #16): its
warnings (a failed connection, a missing plugin, a painter misuse) with the file and line Qt
names; its multimedia and audio chatter at debug. A booth without speakers or a webcam is
normal; the volunteer never sees a stream of "Couldn't load va library" or
"pa_context_connect() failed".

`level_for` decides the log level of one Qt message: one handler, one rule.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

log = logging.getLogger("gatepost.qt")

LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
# device probing that fails on an ordinary booth PC: hardware video decoding, PipeWire, FFmpeg
DEVICE_CATEGORIES = ("qt.multimedia",)
AUDIO = re.compile(r"pulseaudio|pa_context|\balsa\b|audio device|no audio|QSoundEffect", re.I)


class QuietQtLog:
    """Routes Qt messages to logging; device chatter at debug, a missing sound device once."""

    def __init__(self) -> None:
        self.audio_reported = False

    def level_for(self, kind: QtMsgType, category: str, message: str) -> int:
        if AUDIO.search(message):
            if self.audio_reported:
                return logging.DEBUG
            self.audio_reported = True
            return logging.INFO  # the one line: which device, why
        if category.startswith(DEVICE_CATEGORIES) and kind != QtMsgType.QtFatalMsg:
            return logging.DEBUG
        return LEVELS.get(kind, logging.WARNING)

    def __call__(self, kind: QtMsgType, context: QMessageLogContext | None, message: str) -> None:
        category = str(getattr(context, "category", "") or "")
        level = self.level_for(kind, category, message)
        if level == logging.INFO and AUDIO.search(message):
            log.info("no sound device, the gate beeps instead: %s", message)
            return
        file = getattr(context, "file", None)
        where = f" ({file}:{getattr(context, 'line', '?')})" if file else ""
        prefix = f"{category}: " if category and category != "default" else ""
        log.log(level, "%s%s%s", prefix, message, where)


def install_qt_log() -> Any:
    """Install the one handler (before QtMultimedia loads); returns the one it replaced."""
    return qInstallMessageHandler(QuietQtLog())
