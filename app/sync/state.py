"""What the window shows about sync: online, waiting, last success, last error (a message code)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from app.i18n import t
from db.connection import transaction


@dataclass(frozen=True)
class SyncStatus:
    online: bool
    waiting: int
    last_success_utc: str | None
    last_attempt_utc: str | None
    last_error: str | None  # a code in app.i18n.MESSAGES
    last_error_detail: str | None
    server_acked_seq: int
    stopped: bool  # 401/403: no automatic retries until re-enrolled or asked by hand
    enrolled: bool
    rejected: int = 0  # events the server quarantined (the officer sees them)


def _ensure(conn: sqlite3.Connection) -> None:
    if conn.execute("SELECT 1 FROM sync_status WHERE id = 1").fetchone() is None:
        with transaction(conn):
            conn.execute("INSERT OR IGNORE INTO sync_status(id) VALUES (1)")


def read_status(conn: sqlite3.Connection) -> SyncStatus:
    _ensure(conn)
    row = conn.execute("SELECT * FROM sync_status WHERE id = 1").fetchone()
    waiting = conn.execute("SELECT count(*) FROM outbox WHERE acked_utc IS NULL").fetchone()[0]
    ident = conn.execute("SELECT server_url, token FROM sync_identity WHERE id = 1").fetchone()
    return SyncStatus(
        online=bool(row["online"]),
        waiting=int(waiting),
        last_success_utc=row["last_success_utc"],
        last_attempt_utc=row["last_attempt_utc"],
        last_error=row["last_error"],
        last_error_detail=row["last_error_detail"],
        server_acked_seq=int(row["server_acked_seq"]),
        stopped=bool(row["stopped"]),
        enrolled=bool(ident and ident["server_url"] and ident["token"]),
        rejected=int(conn.execute("SELECT count(*) FROM sync_rejections").fetchone()[0]),
    )


def record_success(conn: sqlite3.Connection, now_utc: str, acked_seq: int | None) -> None:
    _ensure(conn)
    with transaction(conn):
        conn.execute(
            "UPDATE sync_status SET online = 1, last_success_utc = ?, last_attempt_utc = ?, "
            "last_error = NULL, last_error_detail = NULL, stopped = 0, "
            "server_acked_seq = coalesce(?, server_acked_seq) WHERE id = 1",
            (now_utc, now_utc, acked_seq),
        )


def record_error(
    conn: sqlite3.Connection,
    now_utc: str,
    code: str,
    detail: str | None = None,
    *,
    online: bool = False,
    stopped: bool = False,
) -> None:
    _ensure(conn)
    with transaction(conn):
        conn.execute(
            "UPDATE sync_status SET online = ?, last_attempt_utc = ?, last_error = ?, "
            "last_error_detail = ?, stopped = ? WHERE id = 1",
            (int(online), now_utc, code, detail, int(stopped)),
        )


def _local_when(utc_text: str, now_local: datetime) -> str:
    try:
        when = datetime.fromisoformat(utc_text.replace("Z", "+00:00")).astimezone(now_local.tzinfo)
    except ValueError:
        return utc_text
    if when.date() == now_local.date():
        return when.strftime("%H:%M")
    return when.strftime("%m-%d %H:%M")


def describe(status: SyncStatus, lang: str, now_local: datetime) -> dict[str, str]:
    """The words the status widget shows, from message codes (no Qt here)."""
    if status.last_success_utc:
        last = t("sync_last_success", lang, when=_local_when(status.last_success_utc, now_local))
    else:
        last = t("sync_never", lang)
    error = ""
    if status.last_error and status.last_error != "sync_cancelled":
        error = t(status.last_error, lang, reason=status.last_error_detail or "", seq="?")
    elif status.rejected:
        error = t("sync_rejected_some", lang, n=status.rejected)
    return {
        "state": t("sync_online" if status.online else "sync_offline_state", lang),
        "waiting": t("sync_waiting", lang, n=status.waiting),
        "last": last,
        "error": error,
    }
