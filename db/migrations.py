"""Named schema steps in run order, each applied with its record in one transaction.

Every gate's database records the names of the steps it ran (table _sqlite_migrations, set
'gatepost', kept from the sqlite-utils runner used before #11). Never rename, reorder or edit
a step once released: append new ones to STEPS. The numbers in the names are the issues'
order, not the run order (m003 ran before m002): STEPS is the order. A database that has
steps this build does not know was written by a newer Gatepost and is refused.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from db import migrate as runner
from db.migrate import MIGRATION_SET, TABLE, NewerDatabase, Step, applied_names, run
from db.migrations_people import m002_roster, m003_shifts_officer_audit
from db.migrations_records import (
    m001_gate_desk,
    m003_shifts_counter_indexes,
    m004_sync_state,
    m004_sync_usb_acks,
    m013_sync_box_key,
    m017_backfill,
    m017_clock_marks,
    m017_clock_suspect,
)

__all__ = ["MIGRATION_SET", "STEPS", "TABLE", "NewerDatabase", "applied_names", "migrate"]


STEPS: tuple[Step, ...] = (
    ("m001_gate_desk", m001_gate_desk),
    ("m003_shifts_officer_audit", m003_shifts_officer_audit),
    ("m003_shifts_counter_indexes", m003_shifts_counter_indexes),
    ("m002_roster", m002_roster),
    ("m004_sync_state", m004_sync_state),
    ("m004_sync_usb_acks", m004_sync_usb_acks),
    ("m017_clock_suspect", m017_clock_suspect),
    ("m017_clock_marks", m017_clock_marks),
    ("m017_backfill", m017_backfill),
    ("m013_sync_box_key", m013_sync_box_key),
)


def known_names(steps: Sequence[Step] = STEPS) -> list[str]:
    return runner.known_names(steps)


def migrate(conn: sqlite3.Connection, steps: Sequence[Step] = STEPS) -> int:
    """Apply this build's pending steps (see db/migrate.py)."""
    return run(conn, steps)
