"""The app-level sync service the window and the command line share (no Qt).

It opens its own connection to the gate database (sync is a long reader and a short
writer), so it never holds up the gate's writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from app.clock import Clock, SystemClock
from app.sync import state
from app.sync.ack import AckResult, import_ack
from app.sync.backoff import Backoff
from app.sync.bundle import export_bundle
from app.sync.client import SyncClient, SyncReport
from app.sync.identity import SyncIdentity, load_identity
from app.sync.transport import HttpTransport, Transport
from db.connection import connect


class SyncService:
    def __init__(
        self,
        db_path: Path | str,
        transport: Transport | None = None,
        clock: Clock | None = None,
        backoff: Backoff | None = None,
        max_attempts: int = 6,
        batch_size: int = 500,
    ) -> None:
        self.db_path = db_path
        self.transport = transport or HttpTransport()
        self.clock = clock or SystemClock()
        self.backoff = backoff
        self.max_attempts = max_attempts
        self.batch_size = batch_size

    def _conn(self) -> sqlite3.Connection:
        return connect(self.db_path)

    def status(self) -> state.SyncStatus:
        conn = self._conn()
        try:
            return state.read_status(conn)
        finally:
            conn.close()

    def identity(self) -> SyncIdentity:
        conn = self._conn()
        try:
            return load_identity(conn)
        finally:
            conn.close()

    def _client(
        self, conn: sqlite3.Connection, sleep: Callable[[float], None] | None
    ) -> SyncClient:
        backoff = self.backoff or Backoff(sleep=sleep)
        return SyncClient(
            conn,
            self.transport,
            self.clock,
            backoff,
            batch_size=self.batch_size,
            max_attempts=self.max_attempts,
        )

    def sync_now(
        self,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> SyncReport:
        conn = self._conn()
        try:
            return self._client(conn, sleep).run(progress, cancelled)
        finally:
            conn.close()

    def enrol(self, text: str, name: str = "") -> SyncIdentity:
        conn = self._conn()
        try:
            return self._client(conn, None).enrol(text, name)
        finally:
            conn.close()

    def import_ack(self, path: Path) -> AckResult:
        """Mark the events a server ack (from the USB stick) acknowledges; AckRefused if it
        is not this gate's or not from its server."""
        conn = self._conn()
        try:
            return import_ack(conn, Path(path), self.clock)
        finally:
            conn.close()

    def export_bundle(
        self,
        out_dir: Path,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        from_seq: int | None = None,
        everything: bool = False,
    ) -> Path:
        conn = self._conn()
        try:
            return export_bundle(
                conn,
                out_dir,
                from_seq=from_seq,
                everything=everything,
                clock=self.clock,
                progress=progress,
                cancelled=cancelled,
            )
        finally:
            conn.close()
