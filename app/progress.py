"""The one progress bar for long command-line work (imports, exports, sync, bundles)."""

from __future__ import annotations

import sys
from typing import TextIO


class StderrBar:
    """Call with (done, total); redraws one stderr line at most once per whole percent.

    The line is ended at 100 %, or by finish()/close() when the work stops early
    (cancelled, refused), so the next message starts on a line of its own.
    """

    def __init__(self, label: str, stream: TextIO | None = None, width: int = 30) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self._last = -1
        self._open = False  # a bar line is drawn and not yet ended

    def __call__(self, done: int, total: int) -> None:
        pct = 100 if total <= 0 else min(100, done * 100 // total)
        if pct == self._last:
            return
        self._last = pct
        filled = self.width * pct // 100
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {pct:3d}% {done}/{total}")
        self._open = True
        if pct >= 100:
            self.finish()
            return
        self.stream.flush()

    def finish(self) -> None:
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False

    close = finish
