"""The officer role: a PIN kept only as a scrypt hash, a lockout, and the audit log.

Lockout state is derived from the audit log itself (every wrong PIN is an audit entry), so
restarting the program does not reset it, and the tests move time with a FakeClock.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
from datetime import datetime, timedelta
from typing import Any

from app.clock import Clock, SystemClock, local_iso, utc_iso
from app.database import GateDatabase
from app.errors import KnownError
from app.ids import uuid7
from app.records_writer import write_record
from app.settings import Settings
from app.shifts import on_duty_name
from db import officer as officer_db
from db.connection import transaction

MAX_FAILURES = 5
LOCK_SECONDS = 300
# ≥ 250 ms a try on the booth PC (#13 item 4): n=2^16, r=8, p=2 uses 64 MB; older hashes keep
# the parameters written in their `algo` column and still verify. Tests lower SCRYPT through
# a fixture (tests/conftest.py), never through a setting.
PRODUCTION_SCRYPT = {"n": 2**16, "r": 8, "p": 2}
SCRYPT = dict(PRODUCTION_SCRYPT)
LEGACY_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
MIN_PIN_DIGITS = 6  # a new PIN; a 4-digit one set before still verifies

# the guarded actions, as written to the audit log
SETTINGS_CHANGE = "settings_change"
YELLOW_OVERRIDE = "yellow_override"
EXPORT = "export"
UNMASKED_VIEW = "unmasked_view"
VOID_OLDER = "void_older"
DELETE = "delete"
PURGE = "purge"
AUDIT_EXPORT = "audit_export"
PIN_SET = "pin_set"
PIN_FAILED = "pin_failed"
GUARDED_ACTIONS = (
    SETTINGS_CHANGE,
    YELLOW_OVERRIDE,
    EXPORT,
    UNMASKED_VIEW,
    VOID_OLDER,
    DELETE,
    AUDIT_EXPORT,
)


def algo_name(params: dict[str, int]) -> str:
    return f"scrypt:n={params['n']},r={params['r']},p={params['p']}"


def algo_params(algo: str | None) -> dict[str, int]:
    """The scrypt parameters recorded with a hash ('scrypt:n=16384,r=8,p=1')."""
    try:
        kind, _, rest = str(algo).partition(":")
        params = {k: int(v) for k, v in (part.split("=") for part in rest.split(","))}
        if kind == "scrypt" and set(params) == {"n", "r", "p"}:
            return params
    except ValueError:
        pass
    return dict(LEGACY_SCRYPT)


def _hash(pin: str, salt: bytes, params: dict[str, int] | None = None) -> str:
    params = params or SCRYPT
    need = 128 * params["r"] * (params["n"] + params["p"] + 2)
    return hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, maxmem=need + (16 << 20), dklen=32, **params
    ).hex()


def valid_pin(pin: str | None) -> str:
    pin = (pin or "").strip()
    if not (pin.isdigit() and MIN_PIN_DIGITS <= len(pin) <= 12):
        raise KnownError("pin_invalid", min=MIN_PIN_DIGITS)
    return pin


class OfficerAuth:
    """verify(pin) for guarded actions; audit(action, detail) for what was done."""

    def __init__(self, gdb: GateDatabase, clock: Clock | None = None) -> None:
        self.gdb = gdb
        self.conn: sqlite3.Connection = gdb.conn
        self.clock = clock or SystemClock()

    # ----- the PIN
    def has_pin(self) -> bool:
        return officer_db.current_pin(self.conn) is not None

    def set_pin(self, new_pin: str, old_pin: str | None = None) -> None:
        """Set the first PIN, or change it when the old one is given and right."""
        new_pin = valid_pin(new_pin)
        if self.has_pin() and (not old_pin or not self.verify(old_pin)):
            raise KnownError("pin_wrong", left=self.attempts_left())
        salt = secrets.token_bytes(16)
        now = self.clock.now()
        pin_row = {
            "id": uuid7(),
            "ts_utc": utc_iso(now),
            "algo": algo_name(SCRYPT),
            "salt": salt.hex(),
            "hash": _hash(new_pin, salt, SCRYPT),
        }
        with transaction(self.conn):  # the hash itself never leaves the device: no event
            officer_db.insert_pin(self.conn, pin_row)
            self.audit(PIN_SET, {"first": old_pin is None})

    def lock_remaining(self) -> int:
        """Seconds left in a lockout (0 when not locked)."""
        until = self._lock_until()
        if until is None:
            return 0
        left = (until - self.clock.now()).total_seconds()
        return max(0, int(left + 0.999))

    def _failures_since_success(self) -> list[datetime]:
        pin = officer_db.current_pin(self.conn)
        since = pin["ts_utc"] if pin else None
        rows = self.conn.execute(
            "SELECT action, ts_local FROM audit_log WHERE action IN (?, ?) "
            "AND (? IS NULL OR ts_utc >= ?) ORDER BY ts_utc, rowid",
            (PIN_FAILED, "pin_ok", since, since),
        ).fetchall()
        fails: list[datetime] = []
        for r in rows:
            if r["action"] == "pin_ok":
                fails = []
            else:
                fails.append(datetime.fromisoformat(r["ts_local"]))
        return fails

    def _state(self) -> tuple[int, datetime | None]:
        """(failures counting toward a lock, lock end) replayed from the audit log."""
        fails = self._failures_since_success()
        count, lock_until = 0, None
        for t in fails:
            if lock_until is not None and t >= lock_until:
                count, lock_until = 0, None
            count += 1
            if count >= MAX_FAILURES:
                lock_until = t + timedelta(seconds=LOCK_SECONDS)
        return count, lock_until

    def _lock_until(self) -> datetime | None:
        _, until = self._state()
        if until is None or self.clock.now() >= until:
            return None
        return until

    def attempts_left(self) -> int:
        count, until = self._state()
        if until is not None and self.clock.now() >= until:
            return MAX_FAILURES
        return max(0, MAX_FAILURES - count)

    def verify(self, pin: str | None) -> bool:
        """True for the right PIN; a wrong one is audited; raises KnownError when locked."""
        stored = officer_db.current_pin(self.conn)
        if stored is None:
            raise KnownError("pin_not_set")
        left = self.lock_remaining()
        if left:
            raise KnownError("pin_locked", minutes=(left + 59) // 60)
        candidate = _hash(
            str(pin or ""), bytes.fromhex(stored["salt"]), algo_params(stored["algo"])
        )
        if hmac.compare_digest(candidate, stored["hash"]):
            if self._state()[0]:  # reset the counter only when there was something to reset
                self.audit("pin_ok", {})
            return True
        self.audit(PIN_FAILED, {})
        return False

    def authorize(self, pin: str | None, action: str, detail: dict[str, Any] | None = None) -> None:
        """Verify the PIN for a guarded action and audit it; raise KnownError otherwise."""
        if not self.verify(pin):
            left = self.attempts_left()
            if left == 0:
                raise KnownError("pin_locked", minutes=LOCK_SECONDS // 60)
            raise KnownError("pin_wrong", left=left)
        self.audit(action, detail or {})

    # ----- the audit log
    def audit(
        self, action: str, detail: dict[str, Any] | None = None, actor: str = "officer"
    ) -> dict[str, Any]:
        """Who (the officer, and the volunteer on duty), when, what: append-only, with its event."""
        now = self.clock.now()
        checkpoint = str(Settings(self.conn).get("checkpoint_id"))
        row = {
            "id": uuid7(),
            "ts_utc": utc_iso(now),
            "ts_local": local_iso(now),
            "local_date": now.date().isoformat(),
            "actor": actor,
            "volunteer": on_duty_name(self.conn, checkpoint) or "-",
            "action": action,
            "detail": json.dumps(detail or {}, ensure_ascii=False, sort_keys=True),
        }
        write_record(self.conn, "audit", officer_db.insert_audit, row)
        return row

    def audit_log(self, action: str | None = None) -> list[dict[str, Any]]:
        return officer_db.audit_rows(self.conn, action)
