"""Moved to app.idcard (#11): the roster checks ID numbers too and must not import app.gate.

Kept only for main.py's `validate` command until the cli/ package imports app.idcard."""

from app.idcard import check_char, normalise_id, validate_id

__all__ = ["check_char", "normalise_id", "validate_id"]
