"""Known errors carry a code the UI and CLI turn into words; anything else is a bug."""

from __future__ import annotations

from typing import Any

from app.i18n import t


class KnownError(Exception):
    """An expected failure (bad input, damaged file, camera gone) with a message code."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def message(self, lang: str = "zh") -> str:
        return t(self.code, lang, **self.params)

    def __str__(self) -> str:
        return self.message("en")


class NewerDatabaseError(KnownError):
    """The database was written by a newer Gatepost; opening it could lose data."""
