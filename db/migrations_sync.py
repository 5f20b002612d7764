"""The steps that make sync's rooms: the gate's identity and status, what the server turned
away, the USB acks and the server keys it pinned. Released steps are frozen: db/migrations.py
lists every step in run order."""

from __future__ import annotations

import sqlite3

from db.migrate import append_only, run_script


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
