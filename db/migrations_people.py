"""The steps that make the people's rooms: volunteers' shifts and log, the officer's audit and
PIN (#5), residents and their passes (the roster), each with the passage indexes its feature
needed. Released steps are frozen: db/migrations.py lists every step in run order."""

from __future__ import annotations

import sqlite3

from db.migrate import append_only, run_script


def m003_shifts_officer_audit(conn: sqlite3.Connection) -> None:
    run_script(
        conn,
        """
        CREATE TABLE volunteers (
            id TEXT PRIMARY KEY,
            ts_utc TEXT NOT NULL,
            name TEXT NOT NULL,
            phone TEXT
        );
        CREATE TABLE shift_events (
            id TEXT PRIMARY KEY,
            ts_utc TEXT NOT NULL,
            ts_local TEXT NOT NULL,
            local_date TEXT NOT NULL,
            checkpoint_id TEXT NOT NULL,
            shift_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('start', 'end', 'ack')),
            volunteer_id TEXT,
            volunteer TEXT NOT NULL,
            phone TEXT,
            confirmed INTEGER NOT NULL DEFAULT 1,
            summary TEXT,
            note TEXT
        );
        CREATE INDEX shift_events_by_shift ON shift_events(shift_id, kind);
        CREATE INDEX shift_events_by_time ON shift_events(checkpoint_id, kind, ts_utc);
        CREATE INDEX shift_events_by_date ON shift_events(local_date);
        CREATE TABLE shift_log (
            id TEXT PRIMARY KEY,
            ts_utc TEXT NOT NULL,
            ts_local TEXT NOT NULL,
            local_date TEXT NOT NULL,
            checkpoint_id TEXT NOT NULL,
            shift_id TEXT,
            volunteer TEXT NOT NULL,
            text TEXT NOT NULL
        );
        CREATE INDEX shift_log_by_date ON shift_log(local_date);
        CREATE INDEX shift_log_by_shift ON shift_log(shift_id);
        CREATE TABLE audit_log (
            id TEXT PRIMARY KEY,
            ts_utc TEXT NOT NULL,
            ts_local TEXT NOT NULL,
            local_date TEXT NOT NULL,
            actor TEXT NOT NULL,
            volunteer TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX audit_log_by_action ON audit_log(action, ts_utc);
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        CREATE TABLE officer_pin (
            id TEXT PRIMARY KEY,
            ts_utc TEXT NOT NULL,
            algo TEXT NOT NULL,
            salt TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE TRIGGER officer_pin_no_delete BEFORE DELETE ON officer_pin
            BEGIN SELECT RAISE(ABORT, 'officer_pin is append-only'); END;
        CREATE INDEX passages_by_date_reason ON passages(local_date, reason)
            WHERE reason IS NOT NULL;
        CREATE INDEX voids_by_ts ON voids(ts_utc);
        """,
    )
    for table in ("volunteers", "shift_events", "shift_log", "audit_log", "officer_pin"):
        append_only(conn, table)


def m002_roster(conn: sqlite3.Connection) -> None:
    """Residents (current state), their append-only change log, the compound's pass keys."""
    run_script(
        conn,
        """
        CREATE TABLE residents (
            id INTEGER PRIMARY KEY,
            id_number TEXT UNIQUE,
            name TEXT NOT NULL,
            phone TEXT,
            building TEXT NOT NULL DEFAULT '',
            unit TEXT NOT NULL DEFAULT '',
            room TEXT NOT NULL DEFAULT '',
            household TEXT NOT NULL DEFAULT '',
            tags TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'normal'
                CHECK (status IN ('normal', 'observation', 'moved_out')),
            obs_start TEXT,
            obs_end TEXT,
            pass_serial INTEGER NOT NULL DEFAULT 0,
            updated_utc TEXT NOT NULL,
            updated_by TEXT NOT NULL
        );
        CREATE INDEX residents_by_room ON residents(building, unit, room);
        CREATE INDEX residents_by_household ON residents(household);
        CREATE TABLE roster_changes (
            id TEXT PRIMARY KEY,
            ts_utc TEXT NOT NULL,
            ts_local TEXT NOT NULL,
            resident_id INTEGER NOT NULL REFERENCES residents(id),
            action TEXT NOT NULL,
            who TEXT NOT NULL,
            source TEXT,
            state TEXT NOT NULL
        );
        CREATE INDEX roster_changes_by_resident ON roster_changes(resident_id, ts_utc);
        CREATE TABLE pass_keys (
            key_id TEXT PRIMARY KEY,
            public_key TEXT NOT NULL,
            private_key TEXT,
            label TEXT NOT NULL DEFAULT '',
            created_utc TEXT NOT NULL
        );
        CREATE TABLE visitor_passes (
            id INTEGER PRIMARY KEY,
            event_id TEXT NOT NULL UNIQUE,
            ts_utc TEXT NOT NULL,
            host_household TEXT NOT NULL,
            visitor_name TEXT NOT NULL,
            valid_from TEXT NOT NULL,
            valid_until TEXT NOT NULL,
            issued_by TEXT NOT NULL
        );
        CREATE INDEX passages_by_hash ON passages(payload_hash, local_date);
        """,
    )
    for table in ("roster_changes", "visitor_passes"):
        append_only(conn, table)
