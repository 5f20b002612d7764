"""The steps that make the gate's own rooms: the desk (passages, fever checks, voids, the
outbox), shifts and the officer's audit, the roster, and the clock marks (#17). Released steps
are frozen: db/migrations.py lists every step in run order."""

from __future__ import annotations

import sqlite3

from db.migrate import append_only, run_script


def m001_gate_desk(conn: sqlite3.Connection) -> None:
    run_script(
        conn,
        """
        CREATE TABLE device (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            device_id TEXT NOT NULL,
            hash_key TEXT NOT NULL,
            created_utc TEXT NOT NULL
        );
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_utc TEXT
        );
        CREATE TABLE fever_checks (
            id TEXT PRIMARY KEY,
            ts_utc TEXT NOT NULL,
            ts_local TEXT NOT NULL,
            local_date TEXT NOT NULL,
            checkpoint_id TEXT NOT NULL,
            volunteer TEXT NOT NULL,
            direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
            category TEXT NOT NULL,
            code_color TEXT NOT NULL,
            payload_kind TEXT,
            payload_hash TEXT,
            identity_method TEXT NOT NULL,
            person_name TEXT, id_number TEXT, building TEXT, unit TEXT, room TEXT,
            resident_id INTEGER,
            temperature REAL NOT NULL
        );
        CREATE TABLE passages (
            id TEXT PRIMARY KEY,
            ts_utc TEXT NOT NULL,
            ts_local TEXT NOT NULL,
            local_date TEXT NOT NULL,
            checkpoint_id TEXT NOT NULL,
            volunteer TEXT NOT NULL,
            direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
            category TEXT NOT NULL CHECK (category IN
                ('resident', 'visitor', 'courier', 'worker', 'official')),
            code_color TEXT NOT NULL CHECK (code_color IN
                ('green', 'yellow', 'red', 'black', 'unknown', 'none')),
            payload_kind TEXT,
            payload_hash TEXT,
            identity_method TEXT NOT NULL CHECK (identity_method IN
                ('scan', 'pass', 'id_number', 'name_room', 'none')),
            person_name TEXT, id_number TEXT, building TEXT, unit TEXT, room TEXT,
            resident_id INTEGER,
            temperature REAL,
            fever INTEGER NOT NULL DEFAULT 0,
            fever_check_id TEXT REFERENCES fever_checks(id),
            retest_temperature REAL,
            decision TEXT NOT NULL CHECK (decision IN ('pass', 'refused')),
            reason TEXT,
            override_reason TEXT,
            disposition TEXT,
            note TEXT
        );
        CREATE INDEX passages_by_date ON passages(local_date, ts_utc);
        CREATE UNIQUE INDEX passages_one_outcome_per_fever ON passages(fever_check_id)
            WHERE fever_check_id IS NOT NULL;
        CREATE INDEX fever_checks_by_date ON fever_checks(local_date);
        CREATE TABLE voids (
            id TEXT PRIMARY KEY,
            ts_utc TEXT NOT NULL,
            ts_local TEXT NOT NULL,
            target_id TEXT NOT NULL UNIQUE REFERENCES passages(id),
            reason TEXT NOT NULL,
            volunteer TEXT NOT NULL
        );
        CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            event_id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            body TEXT NOT NULL,
            created_utc TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            acked_utc TEXT
        );
        CREATE INDEX outbox_pending ON outbox(seq) WHERE acked_utc IS NULL;
        """,
    )
    for table in ("passages", "voids", "fever_checks"):
        append_only(conn, table)


# --- #5 shifts, officer, reports (feature prefix m003_shifts_)
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


def m003_shifts_counter_indexes(conn: sqlite3.Connection) -> None:
    """Today's counters and 'visitors inside' stay fast on a year of passages (#5 benchmarks):
    a covering index for day_counters, and a partial index that finds a visitor's way out."""
    run_script(
        conn,
        """
        CREATE INDEX passages_day_counts ON passages(local_date, decision, direction, id);
        CREATE INDEX passages_out_by_identity ON passages(
            category, coalesce(payload_hash, id_number, person_name, ''), ts_utc)
            WHERE direction = 'out' AND decision = 'pass';
        """,
    )


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


def m017_clock_suspect(conn: sqlite3.Connection) -> None:
    """#17: a passage written while the clock was in doubt says so, with the seconds (monotonic)
    since the last time the clock was trusted; the newest trusted record is found by index."""
    for sql in (  # one by one: executescript would commit the runner's transaction
        "ALTER TABLE passages ADD COLUMN clock_suspect INTEGER",
        "ALTER TABLE passages ADD COLUMN clock_trusted_utc TEXT",
        "ALTER TABLE passages ADD COLUMN clock_offset_s REAL",
        "CREATE INDEX passages_by_ts_utc ON passages(ts_utc)",
    ):
        conn.execute(sql)


def m017_clock_marks(conn: sqlite3.Connection) -> None:
    """#17: times heard from the server (sync replies), beside this gate's clock then."""
    conn.execute(
        "CREATE TABLE clock_marks (id INTEGER PRIMARY KEY, source TEXT NOT NULL, "
        "their_utc TEXT NOT NULL, our_utc TEXT NOT NULL)"
    )


def m017_backfill(conn: sqlite3.Connection) -> None:
    """#17: a passage typed in afterwards from the paper register keeps its paper time as its
    time (so it counts in that day) and says so: the sheet's page, when and by whom it was
    typed in."""
    for sql in (
        "ALTER TABLE passages ADD COLUMN backfill_page INTEGER",
        "ALTER TABLE passages ADD COLUMN entered_utc TEXT",
        "ALTER TABLE passages ADD COLUMN entered_by TEXT",
    ):
        conn.execute(sql)
