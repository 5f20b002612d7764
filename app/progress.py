"""A plain progress bar on stderr for long command-line work."""

from __future__ import annotations

import sys
from typing import TextIO


class StderrBar:
    """Call with (done, total); redraws one line, at most once per whole percent."""

    def __init__(self, label: str, stream: TextIO | None = None, width: int = 30) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self._last = -1

    def __call__(self, done: int, total: int) -> None:
        pct = 100 if total <= 0 else min(100, done * 100 // total)
        if pct == self._last:
            return
        self._last = pct
        filled = self.width * pct // 100
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {pct:3d}% {done}/{total}")
        if pct >= 100:
            self.stream.write("\n")
        self.stream.flush()
