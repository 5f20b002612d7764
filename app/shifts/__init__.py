"""Volunteers on duty: sign-in, handover, shift log (#5)."""

from __future__ import annotations

import sqlite3

from db import shifts as shift_db


def on_duty_name(conn: sqlite3.Connection, checkpoint_id: str) -> str | None:
    """The signed-in volunteer's name at this checkpoint, or None when nobody is signed in."""
    row = shift_db.open_shift(conn, checkpoint_id)
    return None if row is None else str(row["volunteer"])


def volunteer_on_duty(conn: sqlite3.Connection, checkpoint_id: str, fallback: str = "") -> str:
    """The signed-in volunteer; once a checkpoint uses shifts, nobody signed in is '-' (said
    plainly), and the old 'volunteer' setting only applies to a gate that never had a shift."""
    name = on_duty_name(conn, checkpoint_id)
    if name is not None:
        return name
    if shift_db.any_shift(conn, checkpoint_id):
        return "-"
    return fallback or "-"
