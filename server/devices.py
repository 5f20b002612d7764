"""Gates known to the server: one-time enrolment codes, revocable tokens, public keys."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from app import gate_code
from app.clock import Clock
from app.signatures import is_public_key_hex, key_id_of
from app.sync.identity import enrolment_text
from server.store import Store, utc_now


def _h(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Compound:
    """Where a gate stands: its street (街道) and community (社区); both empty is 未分组."""

    street: str = ""
    community: str = ""

    @classmethod
    def of(cls, street: Any, community: Any) -> Compound:
        return cls(str(street or "").strip()[:100], str(community or "").strip()[:100])


def new_enrolment(
    store: Store, server_url: str, valid_hours: int = 24, compound: Compound | None = None
) -> str:
    """A one-time code, returned as the QR text the gate scans; the gate that uses it is put in
    the compound given here."""
    code = "-".join(secrets.token_hex(3).upper() for _ in range(3))
    now = datetime.now(UTC)
    where = compound or Compound()
    with store.tx() as tx:
        tx.execute(
            "INSERT INTO enrol_codes(code_hash, created_utc, expires_utc, street, community) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                _h(code),
                now.isoformat(),
                (now + timedelta(hours=valid_hours)).isoformat(),
                where.street,
                where.community,
            ),
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
            "SELECT expires_utc, used_utc, street, community FROM enrol_codes WHERE code_hash = ?",
            (_h(str(code)),),
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
        where = Compound.of(row["street"], row["community"])
        _upsert_device(tx, device_id, public_key, name, "online", now, _h(token), where)
    return token


def _free_code(tx: Any, device_id: str) -> str:
    """The new gate's code (derived from its id, as the gate shows it); one already held by
    another gate is refused, so the code on the gate window always names this gate here."""
    code = gate_code.derive(device_id)
    if tx.one("SELECT device_id FROM devices WHERE gate_code = ?", (code,)) is not None:
        raise EnrolError("gate_code_taken")
    return code


def _upsert_device(
    tx: Any,
    device_id: str,
    public_key: str,
    name: str,
    via: str,
    now: str,
    token_hash: str | None,
    where: Compound,
) -> None:
    existing = tx.one("SELECT device_id FROM devices WHERE device_id = ?", (device_id,))
    if existing is None:
        tx.execute(
            "INSERT INTO devices(device_id, name, public_key, key_id, token_hash, revoked, "
            "enrolled_via, enrolled_utc, gate_code, street, community) "
            "VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)",
            (
                device_id,
                name[:100],
                public_key,
                key_id_of(public_key),
                token_hash,
                via,
                now,
                _free_code(tx, device_id),
                where.street,
                where.community,
            ),
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


def revoke(
    store: Store,
    device_id: str,
    *,
    officer: str = "cli",
    address: str = "cli",
    clock: Clock | None = None,
) -> bool:
    """Revoke a gate's token (its syncs get 403, its bundles are refused); audited with the
    gate's code and name, in the same transaction."""
    from server.audit import audit

    with store.tx() as tx:
        row = tx.one("SELECT gate_code, name FROM devices WHERE device_id = ?", (device_id,))
        tx.execute("UPDATE devices SET revoked = 1 WHERE device_id = ?", (device_id,))
        done = tx.rowcount == 1
        if done and row is not None:
            detail = {"device_id": device_id, "gate_code": row["gate_code"], "name": row["name"]}
            audit(tx, officer, address, "revoke", detail, clock=clock)
    return done


def enrol_offline(
    store: Store,
    device_id: str,
    public_key: str,
    name: str = "",
    *,
    officer: str,
    address: str = "cli",
    replace: bool = False,
    compound: Compound | None = None,
) -> str:
    """An officer enrols a never-online gate by its device id and public key (read off the
    gate), so its bundles are accepted; returns its gate code. Re-keying a known gate needs
    replace=True; it drops the old token (the old key's gate must pair again). Audited either
    way."""
    from server.audit import audit

    if not isinstance(device_id, str) or not device_id or len(device_id) > 64:
        raise EnrolError("bad_device_id")
    public_key = (public_key or "").strip().lower()
    if not is_public_key_hex(public_key):
        raise EnrolError("bad_public_key")
    with store.tx() as tx:
        known = tx.one(
            "SELECT public_key, gate_code FROM devices WHERE device_id = ?", (device_id,)
        )
        if known is not None and known["public_key"] == public_key:
            return str(known["gate_code"])
        if known is not None and not replace:
            raise EnrolError("device_exists")
        now = utc_now()
        if known is None:
            _upsert_device(
                tx, device_id, public_key, name, "bundle", now, None, compound or Compound()
            )
        else:
            tx.execute(
                "UPDATE devices SET public_key = ?, key_id = ?, token_hash = NULL "
                "WHERE device_id = ?",
                (public_key, key_id_of(public_key), device_id),
            )
        row = tx.one("SELECT gate_code FROM devices WHERE device_id = ?", (device_id,))
        code = str(row["gate_code"]) if row else ""
        detail = {"device_id": device_id, "key_id": key_id_of(public_key), "gate_code": code}
        audit(tx, officer, address, "gate_rekeyed" if known else "gate_enrolled", detail)
    return code
