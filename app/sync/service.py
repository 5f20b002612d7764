"""The app-level sync service the window and the command line share (no Qt).

It opens its own connection to the gate database (sync is a long reader and a short
writer), so it never holds up the gate's writes.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.clock import Clock, SystemClock, utc_iso
from app.errors import KnownError
from app.sync import state
from app.sync.ack import AckResult, import_ack, pinned_box_key
from app.sync.backoff import Backoff
from app.sync.bundle import export_bundle
from app.sync.client import SyncClient, SyncReport
from app.sync.identity import SyncIdentity, load_identity
from app.sync.transport import HttpTransport, Transport
from db import settings_store
from db.connection import connect

log = logging.getLogger(__name__)

PENDING_KEY = "sync_pending_enrolment"  # a pairing QR read while the server was unreachable
UNREACHABLE = ("enrol_unreachable", "enrol_unreachable_key_kept")


@dataclass(frozen=True)
class Attempt:
    """One short attempt's outcome and the status after it (read on the same thread)."""

    report: SyncReport
    status: state.SyncStatus
    pending_enrolment: bool
    skipped: bool = False  # a timer's attempt with nothing to do: not paired, or 401/403


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

    def enrol_or_keep(self, text: str, name: str = "") -> SyncIdentity:
        """Pair now; when the server cannot be reached, keep the QR text so that the next
        attempt pairs first (a gate offline for weeks must not need the code scanned again).
        Still raises the unreachable KnownError, so the volunteer is told."""
        conn = self._conn()
        try:
            try:
                ident = self._client(conn, None).enrol(text, name)
            except KnownError as exc:
                if exc.code in UNREACHABLE:
                    settings_store.put(conn, PENDING_KEY, text)
                    raise KnownError(
                        "enrol_kept_for_later", detail=exc.params.get("detail", "")
                    ) from exc
                raise
            settings_store.put(conn, PENDING_KEY, "")
            return ident
        finally:
            conn.close()

    def pending_enrolment(self) -> str | None:
        conn = self._conn()
        try:
            return settings_store.get(conn, PENDING_KEY) or None
        finally:
            conn.close()

    def _enrol_pending(self, conn: sqlite3.Connection) -> KnownError | None:
        """Try the kept pairing text; kept again if still unreachable, dropped (and returned)
        when the server refuses it: then it will never work and the volunteer must know."""
        text = settings_store.get(conn, PENDING_KEY)
        if not text:
            return None
        try:
            self._client(conn, None).enrol(text)
        except KnownError as exc:
            if exc.code in UNREACHABLE:
                return None
            settings_store.put(conn, PENDING_KEY, "")
            detail = str(exc.params.get("reason", ""))
            state.record_error(conn, utc_iso(self.clock.now()), exc.code, detail)
            log.warning("kept pairing code dropped: %s", exc.code)
            return exc
        settings_store.put(conn, PENDING_KEY, "")
        log.info("paired with the kept pairing code")
        return None

    def attempt(
        self,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        budget_s: float = 20.0,
        monotonic: Callable[[], float] = time.monotonic,
        auto: bool = False,
    ) -> Attempt:
        """One bounded attempt for the window's timer: a kept pairing first, then one try at
        the server (no backoff sleeping here) and batches until `budget_s` has passed.
        An `auto` attempt does nothing when the gate is not paired (and has no kept pairing)
        or the server refused its token: only a person pressing 立即同步 or a new pairing
        tries again then."""
        deadline = monotonic() + budget_s
        conn = self._conn()
        try:
            if auto and not settings_store.get(conn, PENDING_KEY):
                now = state.read_status(conn)
                if not now.enrolled or now.stopped:
                    return Attempt(SyncReport(), now, False, skipped=True)
            refused = self._enrol_pending(conn)
            if refused is not None:
                report = SyncReport(error=refused.code, error_detail=str(refused))
                return Attempt(report, state.read_status(conn), False)
            report = SyncClient(
                conn,
                self.transport,
                self.clock,
                Backoff(sleep=lambda _s: None),
                batch_size=self.batch_size,
                max_attempts=1,
            ).run(progress, cancelled, deadline=deadline, monotonic=monotonic)
            pending = bool(settings_store.get(conn, PENDING_KEY))
            return Attempt(report, state.read_status(conn), pending)
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

    def bundles_sealed(self) -> bool:
        """Whether USB bundles will be encrypted (a server key is pinned); else warn (#13)."""
        conn = self._conn()
        try:
            return pinned_box_key(conn) is not None
        finally:
            conn.close()

    def export_bundle(
        self,
        out_dir: Path,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        from_seq: int | None = None,
        everything: bool = False,
        require_sealed: bool = False,
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
                require_sealed=require_sealed,
            )
        finally:
            conn.close()
