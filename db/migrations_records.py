"""The steps that make the records' rooms: the desk's passages, fever checks and voids, their
indexes and clock marks (#17), and their way out (the outbox, sync state, USB acks, the server
keys pinned). Released steps are frozen: db/migrations.py lists every step in run order."""

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


def m004_sync_state(conn: sqlite3.Connection) -> None:
    """Sync identity (key, token, server), status, and what the server turned away."""
    run_script(
        conn,
        """
        CREATE TABLE sync_identity (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            private_key TEXT NOT NULL,
            public_key TEXT NOT NULL,
            key_id TEXT NOT NULL,
            server_url TEXT,
            token TEXT,
            enrolled_utc TEXT
        );
        CREATE TABLE sync_status (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            online INTEGER NOT NULL DEFAULT 0,
            last_success_utc TEXT,
            last_attempt_utc TEXT,
            last_error TEXT,
            last_error_detail TEXT,
            server_acked_seq INTEGER NOT NULL DEFAULT 0,
            stopped INTEGER NOT NULL DEFAULT 0,
            last_bundle_seq INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE sync_rejections (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            seq INTEGER NOT NULL,
            event_id TEXT NOT NULL,
            reason TEXT NOT NULL,
            at_utc TEXT NOT NULL
        );
        """,
    )
    append_only(conn, "sync_rejections")


def m004_sync_usb_acks(conn: sqlite3.Connection) -> None:
    """USB acknowledgements (#6 follow-up): the server key this gate trusts (pinned by the
    first ack it accepts) and a log of every ack imported."""
    run_script(
        conn,
        """
        CREATE TABLE sync_ack_server (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            server_public_key TEXT NOT NULL,
            server_key_id TEXT NOT NULL,
            pinned_utc TEXT NOT NULL
        );
        CREATE TABLE sync_ack_imports (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            imported_utc TEXT NOT NULL,
            acked_seq INTEGER NOT NULL,
            newly_acked INTEGER NOT NULL,
            server_key_id TEXT NOT NULL,
            created_utc TEXT NOT NULL
        );
        """,
    )
    for table in ("sync_ack_server", "sync_ack_imports"):
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


def m013_sync_box_key(conn: sqlite3.Connection) -> None:
    """#13: the server key USB bundles are sealed to (X25519), pinned from the pairing QR or
    a signed ack; append-only like the ack key beside it."""
    run_script(
        conn,
        """
        CREATE TABLE sync_box_key (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            server_box_key TEXT NOT NULL,
            server_box_key_id TEXT NOT NULL,
            pinned_utc TEXT NOT NULL
        );
        """,
    )
    append_only(conn, "sync_box_key")
