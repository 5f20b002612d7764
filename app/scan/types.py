"""What the scan engine reports: plain data, no Qt, no OpenCV objects."""

from __future__ import annotations

from dataclasses import dataclass, field

COLORS = ("green", "yellow", "red", "black", "unknown")


@dataclass(frozen=True)
class ScanResult:
    """One code read from one frame."""

    text: str
    points: tuple[tuple[float, float], ...] = field(default=())
    color: str = "unknown"
    ms: float = 0.0
