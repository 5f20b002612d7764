"""Every string shown to a person, in Chinese (default) and English, keyed by a stable code.

One table per area (app/i18n/<area>.py); a code is defined once, in one table
(tests/unit/test_i18n.py checks both languages and their placeholders)."""

from __future__ import annotations

from typing import Any

LANGS = ("zh", "en")

from app.i18n import admin as _admin
from app.i18n import cli as _cli
from app.i18n import gate as _gate
from app.i18n import reports as _reports
from app.i18n import roster as _roster
from app.i18n import server as _server
from app.i18n import setup as _setup
from app.i18n import shifts as _shifts
from app.i18n import storage as _storage
from app.i18n import sync as _sync

AREAS = (
    _admin,
    _cli,
    _gate,
    _reports,
    _roster,
    _server,
    _setup,
    _shifts,
    _storage,
    _sync,
)


def _merged() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for area in AREAS:
        twice = merged.keys() & area.MESSAGES.keys()
        if twice:
            raise RuntimeError(f"message codes defined twice: {sorted(twice)}")
        merged.update(area.MESSAGES)
    return merged


MESSAGES: dict[str, tuple[str, str]] = _merged()


def t(code: str, lang: str = "zh", **params: Any) -> str:
    """The message for a code in a language; unknown codes show themselves (never crash)."""
    pair = MESSAGES.get(code)
    text = code if pair is None else pair[1 if lang == "en" else 0]
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError, ValueError):
        return text
