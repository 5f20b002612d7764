"""The report as plain data (no db import, so the ui's PDF renderer can use it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Report:
    date_from: str
    date_to: str
    checkpoint_id: str
    checkpoint_name: str
    totals: dict[str, int]
    by_category: list[dict[str, Any]]
    by_hour: list[int]
    refusal_reasons: dict[str, int]
    fevers: list[dict[str, Any]]
    refusals: list[dict[str, Any]]
    shifts: list[dict[str, Any]] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)  # signed day digests (#17), for the PDF
