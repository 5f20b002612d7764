"""The sender: ask the server what it holds, resend from there in batches, never lose or repeat.

One run: GET head -> acked_seq; send every local event after min(acked_seq, first unacked - 1)
in batches; mark exactly the events the server answered (accepted, duplicate, rejected). A
rejected event is kept in sync_rejections and shown; it never blocks the queue. 401/403 stop
and alert; 413 halves the batch; anything retryable waits with backoff and tries again.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.clock import Clock, SystemClock, utc_iso
from app.errors import KnownError
from app.i18n import MESSAGES, t
from app.sync import state
from app.sync.ack import pin_box_key, pin_server_key
from app.sync.backoff import Backoff
from app.sync.identity import SyncIdentity, load_identity, parse_enrolment, save_enrolment
from app.sync.protocol import BatchReply, event_from_row
from app.sync.transport import AuthRefused, Refused, Retryable, TooLarge, Transport
from db.connection import transaction

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (events done, events to send)


@dataclass
class SyncReport:
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    batches: int = 0
    attempts: int = 0
    acked_seq: int = 0
    ok: bool = False
    cancelled: bool = False
    error: str | None = None  # message code
    error_detail: str | None = None
    delays: list[float] = field(default_factory=list)
    more: bool = False  # the deadline came with events still to send: go on soon
    retry_after: float | None = None  # what the server asked for with its last 429/503


class SyncClient:
    def __init__(
        self,
        conn: sqlite3.Connection,
        transport: Transport,
        clock: Clock | None = None,
        backoff: Backoff | None = None,
        batch_size: int = 500,
        max_attempts: int = 6,
    ) -> None:
        self.conn = conn
        self.transport = transport
        self.clock = clock or SystemClock()
        self.backoff = backoff or Backoff()
        self.batch_size = batch_size
        self.max_attempts = max_attempts

    def _now(self) -> str:
        return utc_iso(self.clock.now())

    # ----- enrolment
    def enrol(self, text: str, name: str = "") -> SyncIdentity:
        """Pair with the server named in the QR text; the token and server are stored."""
        offer = parse_enrolment(text)
        if offer.server_key:
            # the QR code on the officer's screen is the trusted channel: its key is the one
            # USB acks must be signed by, pinned before (and whether or not) the server answers
            if not pin_server_key(self.conn, offer.server_key, self._now()):
                raise KnownError("enrol_other_server")
        if offer.box_key and not pin_box_key(self.conn, offer.box_key, self._now()):
            raise KnownError("enrol_other_server")  # from now on bundles are sealed to it
        ident = load_identity(self.conn)
        body = {"device_id": ident.device_id, "public_key": ident.public_key_hex, "name": name}
        try:
            reply = self.transport.enrol(offer.server_url, offer.code, body)
        except Refused as exc:
            raise EnrolRefused(exc.reason) from None
        except (Retryable, AuthRefused, TooLarge) as exc:
            code = "enrol_unreachable_key_kept" if offer.server_key else "enrol_unreachable"
            raise KnownError(code, detail=str(exc)) from None
        save_enrolment(self.conn, offer.server_url, reply["token"], self._now())
        return load_identity(self.conn)

    # ----- one run
    def _pending_total(self, after: int) -> int:
        return int(
            self.conn.execute("SELECT count(*) FROM outbox WHERE seq > ?", (after,)).fetchone()[0]
        )

    def _start_cursor(self, acked: int) -> int:
        row = self.conn.execute("SELECT min(seq) FROM outbox WHERE acked_utc IS NULL").fetchone()
        first_unacked = row[0]
        if first_unacked is None:
            return acked
        return min(acked, int(first_unacked) - 1)

    def _batch(self, cursor: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT * FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", (cursor, self.batch_size)
        ).fetchall()
        return [event_from_row(r) for r in rows]

    def _apply(self, reply: BatchReply, report: SyncReport) -> None:
        now = self._now()
        with transaction(self.conn):
            self.conn.executemany(
                "UPDATE outbox SET acked_utc = ? WHERE seq = ? AND acked_utc IS NULL",
                [(now, r.seq) for r in reply.results],
            )
            for r in reply.results:
                if r.status == "rejected":
                    self.conn.execute(
                        "INSERT INTO sync_rejections(seq, event_id, reason, at_utc) "
                        "VALUES (?, ?, ?, ?)",
                        (r.seq, r.event_id, r.reason or "rejected", now),
                    )
            if reply.server_utc:  # the gate's clock guard compares (#17)
                self.conn.execute(
                    "INSERT INTO clock_marks(source, their_utc, our_utc) VALUES ('server', ?, ?)",
                    (reply.server_utc, now),
                )
        for r in reply.results:
            setattr(report, r.status, getattr(report, r.status) + 1)
        report.acked_seq = reply.acked_seq

    def _send(self, ident: SyncIdentity, events: list[dict[str, Any]], report: SyncReport) -> None:
        """Send one batch; a 413 halves it until a single event is still too large."""
        try:
            reply = self.transport.send(ident, events)
        except TooLarge:
            if len(events) == 1:
                raise KnownError("sync_event_too_large", seq=events[0]["seq"]) from None
            half = len(events) // 2
            self._send(ident, events[:half], report)
            self._send(ident, events[half:], report)
            return
        report.batches += 1
        self._apply(reply, report)

    def run(
        self,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
        deadline: float | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> SyncReport:
        """One sync run; the outcome is both returned and stored for the status widget.

        With a deadline (a `monotonic()` time) no new batch starts after it: the run ends ok
        with `more` set, and the caller schedules the next one (the window's short attempts)."""
        report = SyncReport()
        ident = load_identity(self.conn)
        if not ident.enrolled:
            report.error = "sync_not_enrolled"
            state.record_error(self.conn, self._now(), report.error)
            return report
        is_cancelled = cancelled or (lambda: False)
        self.backoff.reset()
        failures = 0  # in a row; progress resets it
        while True:
            report.attempts += 1
            try:
                acked = self.transport.head(ident)
                cursor = self._start_cursor(acked)
                total, done = self._pending_total(cursor), 0
                if progress:
                    progress(0, total)
                while True:
                    if is_cancelled():
                        report.cancelled = True
                        state.record_error(self.conn, self._now(), "sync_cancelled", online=True)
                        return report
                    events = self._batch(cursor)
                    if not events:
                        break
                    if deadline is not None and report.batches and monotonic() >= deadline:
                        report.more = True
                        break
                    self._send(ident, events, report)
                    cursor = events[-1]["seq"]
                    done += len(events)
                    self.backoff.reset()  # progress was made: start the backoff again small
                    failures = 0
                    if progress:
                        progress(done, total)
                if report.batches == 0:
                    report.acked_seq = acked
                report.ok = True
                report.error = report.error_detail = None
                state.record_success(self.conn, self._now(), report.acked_seq)
                return report
            except AuthRefused as exc:
                report.error, report.error_detail = "sync_auth_refused", str(exc)
                state.record_error(self.conn, self._now(), report.error, str(exc), stopped=True)
                return report
            except KnownError as exc:
                report.error, report.error_detail = exc.code, str(exc)
                state.record_error(self.conn, self._now(), exc.code, str(exc), online=True)
                return report
            except Refused as exc:
                report.error, report.error_detail = "sync_refused", exc.reason
                state.record_error(self.conn, self._now(), report.error, exc.reason, online=True)
                return report
            except Retryable as exc:
                log.info("sync attempt %d failed: %s", report.attempts, exc.detail)
                report.error, report.error_detail = "sync_offline", exc.detail
                report.retry_after = exc.retry_after
                state.record_error(self.conn, self._now(), report.error, exc.detail)
                failures += 1
                give_up = 0 < self.max_attempts <= failures  # 0: retry until cancelled
                if give_up or is_cancelled():
                    report.cancelled = is_cancelled()
                    return report
                report.delays.append(self.backoff.wait(exc.retry_after))
                if is_cancelled():
                    report.cancelled = True
                    return report


def enrol_refusal_code(reason: str) -> str:
    """The message for a pairing refusal: the server's reason in words when it is a known one."""
    specific = f"enrol_refused_{reason}"
    return specific if specific in MESSAGES else "enrol_refused"


class EnrolRefused(KnownError):
    """The server refused the pairing code: code enrol_refused, said in words when known."""

    def __init__(self, reason: str) -> None:
        super().__init__("enrol_refused", reason=reason)

    def message(self, lang: str = "zh") -> str:
        return t(enrol_refusal_code(str(self.params["reason"])), lang, **self.params)
