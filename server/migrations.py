"""The server's schema: named steps in run order, each one text with the SQL that differs
between SQLite and PostgreSQL in braces (server/store.py applies and records them)."""

from __future__ import annotations

# The SQL that differs between the dialects, in one table; every migration below is written
# once with these names in braces and formatted for the store's dialect.
DIALECT_SQL: dict[str, dict[str, str]] = {
    "sqlite": {"bigint": "INTEGER", "serial_pk": "INTEGER PRIMARY KEY AUTOINCREMENT"},
    "postgres": {"bigint": "BIGINT", "serial_pk": "BIGSERIAL PRIMARY KEY"},
}

# (name, DDL): named steps in run order; append new steps at the end only (names are stored)
MIGRATIONS: list[tuple[str, str]] = [
    (
        "s001_sync_core",
        """
        CREATE TABLE devices (
            device_id TEXT PRIMARY KEY,
            name TEXT NOT NULL DEFAULT '',
            public_key TEXT NOT NULL,
            key_id TEXT NOT NULL,
            token_hash TEXT,
            revoked INTEGER NOT NULL DEFAULT 0,
            enrolled_via TEXT NOT NULL,
            enrolled_utc TEXT NOT NULL,
            last_sync_utc TEXT,
            acked_seq {bigint} NOT NULL DEFAULT 0,
            max_seq {bigint} NOT NULL DEFAULT 0
        );
        CREATE TABLE events (
            event_id TEXT PRIMARY KEY,
            device_id TEXT NOT NULL,
            seq {bigint} NOT NULL,
            kind TEXT NOT NULL,
            body TEXT NOT NULL,
            created_utc TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            local_date TEXT,
            received_utc TEXT NOT NULL,
            UNIQUE (device_id, seq)
        );
        CREATE INDEX events_by_date ON events(local_date, device_id);
        CREATE TABLE quarantine (
            id {serial_pk},
            device_id TEXT NOT NULL,
            seq {bigint} NOT NULL,
            event_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            body TEXT NOT NULL,
            created_utc TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            reason TEXT NOT NULL,
            received_utc TEXT NOT NULL,
            UNIQUE (device_id, seq, hash)
        );
        CREATE TABLE enrol_codes (
            code_hash TEXT PRIMARY KEY,
            created_utc TEXT NOT NULL,
            expires_utc TEXT NOT NULL,
            used_utc TEXT,
            device_id TEXT
        );
        CREATE TABLE officers (
            username TEXT PRIMARY KEY,
            password_hash TEXT NOT NULL,
            created_utc TEXT NOT NULL
        );
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            username TEXT NOT NULL,
            expires_utc TEXT NOT NULL
        )
        """,
    ),
    (
        "s002_sync_server_key",
        # the server's own Ed25519 key: it signs the acks carried back to never-online gates
        """
        CREATE TABLE server_key (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            private_key TEXT NOT NULL,
            public_key TEXT NOT NULL,
            key_id TEXT NOT NULL,
            created_utc TEXT NOT NULL
        )
        """,
    ),
    (
        "s003_officer_audit",
        # logins (good, wrong, locked out) and every officer action; the lockout is replayed
        # from it, so a restart does not reset it
        """
        CREATE TABLE officer_audit (
            id {serial_pk},
            at_utc TEXT NOT NULL,
            username TEXT NOT NULL,
            address TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX officer_audit_by_action ON officer_audit(action, username, at_utc);
        CREATE INDEX officer_audit_by_address ON officer_audit(action, address, at_utc)
        """,
    ),
    (
        "s004_gate_code_compound",
        # #15: the gate's short code (app/gate_code.py; filled for existing rows by
        # server/fills.py) and the compound it stands in (street / community; '' is
        # 未分组), also carried by a pairing code to the gate that uses it
        """
        ALTER TABLE devices ADD COLUMN gate_code TEXT;
        ALTER TABLE devices ADD COLUMN street TEXT NOT NULL DEFAULT '';
        ALTER TABLE devices ADD COLUMN community TEXT NOT NULL DEFAULT '';
        ALTER TABLE enrol_codes ADD COLUMN street TEXT NOT NULL DEFAULT '';
        ALTER TABLE enrol_codes ADD COLUMN community TEXT NOT NULL DEFAULT '';
        CREATE UNIQUE INDEX devices_by_gate_code ON devices(gate_code)
        """,
    ),
    (  # the server's X25519 key, shaped like server_key: gates seal USB bundles to it (#13)
        "s005_bundle_box_key",
        "CREATE TABLE server_box_key (id INTEGER PRIMARY KEY CHECK (id = 1), private_key TEXT "
        "NOT NULL, public_key TEXT NOT NULL, key_id TEXT NOT NULL, created_utc TEXT NOT NULL)",
    ),
    (
        "s006_rollups",
        # #15: counts kept at ingest (server/rollups.py), so the officer's page reads O(gates)
        # rows: per gate and day a counter per name; the passages voided so far; per gate the
        # highest sequence held, its missing ranges and the floor below which it was purged;
        # the days an officer exported (retention warns before purging a day never exported)
        """
        CREATE TABLE day_rollups (
            device_id TEXT NOT NULL,
            day TEXT NOT NULL,
            name TEXT NOT NULL,
            n {bigint} NOT NULL,
            PRIMARY KEY (device_id, day, name)
        );
        CREATE INDEX day_rollups_by_day ON day_rollups(day);
        CREATE TABLE voided (
            device_id TEXT NOT NULL,
            target_id TEXT NOT NULL,
            received_utc TEXT NOT NULL,
            PRIMARY KEY (device_id, target_id)
        );
        CREATE TABLE gate_sync (
            device_id TEXT PRIMARY KEY,
            top_seq {bigint} NOT NULL DEFAULT 0,
            gap_count {bigint} NOT NULL DEFAULT 0,
            floor_seq {bigint} NOT NULL DEFAULT 0
        );
        CREATE TABLE gate_gaps (
            device_id TEXT NOT NULL,
            lo {bigint} NOT NULL,
            hi {bigint} NOT NULL,
            PRIMARY KEY (device_id, lo)
        );
        CREATE TABLE day_exports (
            day TEXT PRIMARY KEY,
            first_utc TEXT NOT NULL,
            last_utc TEXT NOT NULL,
            n {bigint} NOT NULL DEFAULT 1
        );
        CREATE INDEX events_undated ON events(received_utc) WHERE local_date IS NULL
        """,
    ),
    (
        "s007_export_cells",
        # #15: an event's cells in the officer's CSV (masked, neutralised, quoted), written at
        # ingest so a district day's CSV joins text instead of decoding 10 million bodies
        # (server/export_rows.py); NULL for the events stored before: built at export time
        """
        ALTER TABLE events ADD COLUMN export_head TEXT;
        ALTER TABLE events ADD COLUMN export_tail TEXT
        """,
    ),
]


def migration_sql(ddl: str, dialect: str) -> list[str]:
    """One migration's statements for a dialect."""
    text = ddl.format(**DIALECT_SQL[dialect])
    return [stmt.strip() for stmt in text.split(";") if stmt.strip()]
