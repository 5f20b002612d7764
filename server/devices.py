"""Gates known to the server: one-time enrolment codes, revocable tokens, public keys."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from app.signatures import is_public_key_hex, key_id_of
from app.sync.identity import enrolment_text
from server.store import Store, utc_now


def _h(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_enrolment(store: Store, server_url: str, valid_hours: int = 24) -> str:
    """A one-time code, returned as the QR text the gate scans."""
    code = "-".join(secrets.token_hex(3).upper() for _ in range(3))
    now = datetime.now(UTC)
    with store.tx() as tx:
        tx.execute(
            "INSERT INTO enrol_codes(code_hash, created_utc, expires_utc) VALUES (?, ?, ?)",
            (_h(code), now.isoformat(), (now + timedelta(hours=valid_hours)).isoformat()),
        )
    # the keys USB acks are signed with and USB bundles sealed to, in the QR code
    from server.acks import server_box_key, server_key

    return enrolment_text(
        server_url, code, server_key(store).public_key_hex, server_box_key(store).public_key_hex
    )


class EnrolError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def enrol(store: Store, code: str, device_id: str, public_key: str, name: str = "") -> str:
    """Use a code once for a new gate (or the same gate with the same key, which gets a fresh
    token): a code never re-keys an existing gate, so a stolen code cannot take one over."""
    if not isinstance(device_id, str) or not device_id or len(device_id) > 64:
        raise EnrolError("bad_device_id")
    if not is_public_key_hex(public_key):
        raise EnrolError("bad_public_key")
    token = secrets.token_urlsafe(32)
    now = utc_now()
    with store.tx() as tx:
        row = tx.one(
            "SELECT expires_utc, used_utc FROM enrol_codes WHERE code_hash = ?", (_h(str(code)),)
        )
        if row is None:
            raise EnrolError("unknown_code")
        if row["used_utc"]:
            raise EnrolError("code_used")
        if row["expires_utc"] < datetime.now(UTC).isoformat():
            raise EnrolError("code_expired")
        known = tx.one("SELECT public_key FROM devices WHERE device_id = ?", (device_id,))
        if known is not None and known["public_key"] != public_key:
            raise EnrolError("device_exists")  # the code stays unused
        tx.execute(
            "UPDATE enrol_codes SET used_utc = ?, device_id = ? WHERE code_hash = ?",
            (now, device_id, _h(str(code))),
        )
        _upsert_device(tx, device_id, public_key, name, "online", now, _h(token))
    return token


def _upsert_device(
    tx: Any, device_id: str, public_key: str, name: str, via: str, now: str, token_hash: str | None
) -> None:
    existing = tx.one("SELECT device_id FROM devices WHERE device_id = ?", (device_id,))
    if existing is None:
        tx.execute(
            "INSERT INTO devices(device_id, name, public_key, key_id, token_hash, revoked, "
            "enrolled_via, enrolled_utc) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
            (device_id, name[:100], public_key, key_id_of(public_key), token_hash, via, now),
        )
    else:
        tx.execute(
            "UPDATE devices SET public_key = ?, key_id = ?, token_hash = ?, revoked = 0, "
            "name = CASE WHEN ? = '' THEN name ELSE ? END WHERE device_id = ?",
            (public_key, key_id_of(public_key), token_hash, name[:100], name[:100], device_id),
        )


@dataclass
class Device:
    device_id: str
    public_key: str
    key_id: str
    revoked: bool
    token_hash: str | None


def get_device(store: Store, device_id: str) -> Device | None:
    with store.tx() as tx:
        row = tx.one("SELECT * FROM devices WHERE device_id = ?", (device_id,))
    if row is None:
        return None
    return Device(
        row["device_id"], row["public_key"], row["key_id"], bool(row["revoked"]), row["token_hash"]
    )


def check_token(device: Device | None, token: str) -> str | None:
    """None when the token is good; else 'unauthorised' (401) or 'revoked' (403)."""
    if device is None or not device.token_hash or not token:
        return "unauthorised"
    if not secrets.compare_digest(device.token_hash, _h(token)):
        return "unauthorised"
    if device.revoked:
        return "revoked"
    return None


def revoke(store: Store, device_id: str) -> bool:
    with store.tx() as tx:
        tx.execute("UPDATE devices SET revoked = 1 WHERE device_id = ?", (device_id,))
        return tx.rowcount == 1


def enrol_offline(
    store: Store,
    device_id: str,
    public_key: str,
    name: str = "",
    *,
    officer: str,
    address: str = "cli",
    replace: bool = False,
) -> None:
    """An officer enrols a never-online gate by its device id and public key (read off the
    gate), so its bundles are accepted. Re-keying a known gate needs replace=True; it drops the
    old token (the old key's gate must pair again). Audited either way."""
    from server.audit import audit

    if not isinstance(device_id, str) or not device_id or len(device_id) > 64:
        raise EnrolError("bad_device_id")
    public_key = (public_key or "").strip().lower()
    if not is_public_key_hex(public_key):
        raise EnrolError("bad_public_key")
    with store.tx() as tx:
        known = tx.one("SELECT public_key FROM devices WHERE device_id = ?", (device_id,))
        if known is not None and known["public_key"] == public_key:
            return
        if known is not None and not replace:
            raise EnrolError("device_exists")
        now = utc_now()
        if known is None:
            _upsert_device(tx, device_id, public_key, name, "bundle", now, None)
        else:
            tx.execute(
                "UPDATE devices SET public_key = ?, key_id = ?, token_hash = NULL "
                "WHERE device_id = ?",
                (public_key, key_id_of(public_key), device_id),
            )
        detail = {"device_id": device_id, "key_id": key_id_of(public_key)}
        audit(tx, officer, address, "gate_rekeyed" if known else "gate_enrolled", detail)
