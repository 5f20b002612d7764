"""Volunteers on duty: sign-in, handover, shift log (#5)."""
from __future__ import annotations

import sqlite3

from db import shifts as shift_db


def on_duty_name(conn: sqlite3.Connection, checkpoint_id: str) -> str | None:
    """The signed-in volunteer's name at this checkpoint, or None when nobody is signed in."""
    row = shift_db.open_shift(conn, checkpoint_id)
    return None if row is None else str(row["volunteer"])
