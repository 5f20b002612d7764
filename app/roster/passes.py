"""Signed passes: a QR text 'GP1:' + base32(fields + Ed25519 signature), small enough for QR v7.

Fields (big-endian): kind (1 resident, 2 visitor), key id (4 bytes), subject (resident or
visitor-pass id), serial (re-issue bumps it: older cards are revoked), valid from / until
(local minutes since 2020-01-01, until exclusive) and the household. Base32 keeps the text
in QR alphanumeric mode, so ~150 characters fit version 7 at error correction M.
"""

from __future__ import annotations

import base64
import hashlib
import sqlite3
import struct
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.clock import Clock, local_iso, utc_iso
from app.errors import KnownError
from app.ids import uuid7
from app.privacy import mask_name
from app.records.identity import Identity
from app.records_writer import write_record
from app.roster.changes import write_change
from app.scan.payload import PASS_PREFIX
from db import roster as q
from db.connection import transaction

KEY_PREFIX = "GPK1:"
KIND_RESIDENT, KIND_VISITOR = 1, 2
EPOCH = datetime(2020, 1, 1)
_HEAD = struct.Struct(">B4sIHIIB")
SIG_LEN = 64
MAX_HOUSEHOLD_BYTES = 24  # keeps the worst case inside QR version 7-M


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def _unb32(text: str) -> bytes:
    text = text.strip().upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def _minutes(moment: datetime) -> int:
    return int((moment.replace(tzinfo=None) - EPOCH).total_seconds() // 60)


def _moment(minutes: int) -> datetime:
    return EPOCH + timedelta(minutes=minutes)


def key_id_of(public_raw: bytes) -> bytes:
    return hashlib.sha256(public_raw).digest()[:4]


def _public_raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


# ----------------------------------------------------------------- keys
def ensure_signing_key(conn: sqlite3.Connection, clock: Clock) -> Ed25519PrivateKey:
    """The compound's key pair, made on first use and kept in the database."""
    row = q.signing_key(conn)
    if row is None:
        key = Ed25519PrivateKey.generate()
        public = _public_raw(key)
        with transaction(conn):
            q.insert_key(
                conn,
                {
                    "key_id": key_id_of(public).hex(),
                    "public_key": public.hex(),
                    "private_key": key.private_bytes_raw().hex(),
                    "label": "local",
                    "created_utc": utc_iso(clock.now()),
                },
            )
        row = q.signing_key(conn)
        assert row is not None
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(row["private_key"]))


def signing_key_or_none(conn: sqlite3.Connection) -> Ed25519PrivateKey | None:
    row = q.signing_key(conn)
    return (
        None
        if row is None
        else Ed25519PrivateKey.from_private_bytes(bytes.fromhex(row["private_key"]))
    )


def export_public_key(conn: sqlite3.Connection, clock: Clock) -> str:
    """'GPK1:<base32 public key>': a short text for a file or a QR code."""
    return KEY_PREFIX + _b32(_public_raw(ensure_signing_key(conn, clock)))


def public_key_bytes(text: str) -> bytes:
    """The raw Ed25519 key in a 'GPK1:' text; KnownError('key_file_bad') for anything else."""
    text = text.strip()
    try:
        if not text.startswith(KEY_PREFIX):
            raise ValueError("prefix")
        raw = _unb32(text[len(KEY_PREFIX) :])
        Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, TypeError):
        raise KnownError("key_file_bad") from None
    return raw


def is_trusted(conn: sqlite3.Connection, key_id: str) -> bool:
    return any(r["key_id"] == key_id for r in q.pass_keys(conn))


def import_public_key(conn: sqlite3.Connection, text: str, clock: Clock, label: str = "") -> str:
    """Trust another gate's compound key; returns its key id."""
    raw = public_key_bytes(text)
    kid = key_id_of(raw).hex()
    with transaction(conn):
        q.insert_key(
            conn,
            {
                "key_id": kid,
                "public_key": raw.hex(),
                "label": label or "imported",
                "created_utc": utc_iso(clock.now()),
            },
        )
    return kid


def _trusted(conn: sqlite3.Connection) -> dict[bytes, Ed25519PublicKey]:
    return {
        bytes.fromhex(r["key_id"]): Ed25519PublicKey.from_public_bytes(
            bytes.fromhex(r["public_key"])
        )
        for r in q.pass_keys(conn)
    }


# ----------------------------------------------------------------- sign / parse
@dataclass(frozen=True)
class PassFields:
    kind: int
    key_id: bytes
    subject: int
    serial: int
    valid_from: datetime
    valid_until: datetime  # exclusive
    household: str


def sign(key: Ed25519PrivateKey, f: PassFields) -> str:
    house = f.household.encode("utf-8")[:MAX_HOUSEHOLD_BYTES].decode("utf-8", "ignore").encode()
    body = (
        _HEAD.pack(
            f.kind,
            key_id_of(_public_raw(key)),
            f.subject,
            f.serial & 0xFFFF,
            _minutes(f.valid_from),
            _minutes(f.valid_until),
            len(house),
        )
        + house
    )
    return PASS_PREFIX + _b32(body + key.sign(b"GP1" + body))


def parse(text: str) -> tuple[PassFields, bytes, bytes]:
    """(fields, signed body, signature); raises ValueError when it is not a pass at all."""
    if not text.startswith(PASS_PREFIX):
        raise ValueError("prefix")
    try:
        data = _unb32(text[len(PASS_PREFIX) :])
    except (ValueError, TypeError) as exc:
        raise ValueError("base32") from exc
    if len(data) < _HEAD.size + SIG_LEN:
        raise ValueError("short")
    body, sig = data[:-SIG_LEN], data[-SIG_LEN:]
    kind, kid, subject, serial, since, until, n = _HEAD.unpack(body[: _HEAD.size])
    house = body[_HEAD.size :]
    if len(house) != n or kind not in (KIND_RESIDENT, KIND_VISITOR):
        raise ValueError("layout")
    return (
        PassFields(
            kind,
            kid,
            subject,
            serial,
            _moment(since),
            _moment(until),
            house.decode("utf-8", "replace"),
        ),
        body,
        sig,
    )


# ----------------------------------------------------------------- issuing
def _day_span(first: date, last: date) -> tuple[datetime, datetime]:
    return datetime.combine(first, datetime.min.time()), datetime.combine(
        last + timedelta(days=1), datetime.min.time()
    )


def resident_pass(
    conn: sqlite3.Connection,
    clock: Clock,
    resident_id: int,
    first: date,
    last: date,
    who: str = "-",
) -> str:
    """The pass for a resident at their current serial (issuing serial 1 the first time)."""
    resident = q.get_resident(conn, resident_id)
    if resident is None:
        raise KnownError("resident_unknown", id=resident_id)
    key = ensure_signing_key(conn, clock)
    if resident["pass_serial"] == 0:
        resident = write_change(conn, clock, "pass_issue", who, {"pass_serial": 1}, resident_id)
    since, until = _day_span(first, last)
    return sign(
        key,
        PassFields(
            KIND_RESIDENT,
            b"",
            resident_id,
            resident["pass_serial"],
            since,
            until,
            resident["household"],
        ),
    )


def reissue(conn: sqlite3.Connection, clock: Clock, resident_id: int, who: str = "-") -> int:
    """Bump the serial: every card printed before is refused from now on."""
    resident = q.get_resident(conn, resident_id)
    if resident is None:
        raise KnownError("resident_unknown", id=resident_id)
    serial = (int(resident["pass_serial"]) + 1) & 0xFFFF
    write_change(conn, clock, "pass_reissue", who, {"pass_serial": serial}, resident_id)
    return serial


def visitor_pass(
    conn: sqlite3.Connection,
    clock: Clock,
    host_household: str,
    visitor_name: str,
    until: datetime | None = None,
    who: str = "-",
) -> tuple[int, str]:
    """A visitor pass linked to a host household: today only unless a set time is given."""
    key = ensure_signing_key(conn, clock)
    now = clock.now().replace(tzinfo=None, second=0, microsecond=0)
    end = until.replace(tzinfo=None) if until else _day_span(now.date(), now.date())[1]
    event_id = uuid7()
    row = {
        "event_id": event_id,
        "ts_utc": utc_iso(clock.now()),
        "host_household": host_household,
        "visitor_name": visitor_name,
        "valid_from": now.isoformat(),
        "valid_until": end.isoformat(),
        "issued_by": who,
    }
    pass_id = write_record(
        conn,
        "visitor_pass",
        q.insert_visitor_pass,
        row,
        event=lambda new_id: (event_id, {**row, "id": new_id}),
    )
    return pass_id, sign(key, PassFields(KIND_VISITOR, b"", pass_id, 0, now, end, host_household))


# ----------------------------------------------------------------- checking at the gate
@dataclass
class PassCheck:
    ok: bool
    reason_code: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    kind: str = "resident"
    resident_id: int | None = None
    masked_name: str = ""
    person_name: str | None = None
    id_number: str | None = None
    building: str | None = None
    unit: str | None = None
    room: str | None = None
    household: str | None = None
    valid_until: str | None = None

    def identity(self) -> Identity:
        """The Identity to fill the passage (method 'pass')."""
        return Identity(
            method="pass",
            person_name=self.person_name,
            id_number=self.id_number,
            building=self.building,
            unit=self.unit,
            room=self.room,
            resident_id=self.resident_id,
        )


def resolve_pass(conn: sqlite3.Connection, text: str, now: datetime) -> PassCheck:
    """Verify a scanned pass and say who it is, or why it is refused."""
    try:
        f, body, sig = parse(text)
    except ValueError:
        return PassCheck(False, "pass_malformed")
    key = _trusted(conn).get(f.key_id)
    if key is None:
        return PassCheck(False, "pass_other_key")
    try:
        key.verify(sig, b"GP1" + body)
    except InvalidSignature:
        return PassCheck(False, "pass_forged")
    moment = now.replace(tzinfo=None)
    last_day = f.valid_until - timedelta(minutes=1)
    shown_until = (
        last_day.date().isoformat()
        if f.kind == KIND_RESIDENT
        else local_iso(f.valid_until)[:16].replace("T", " ")
    )
    # the signature holds: say who it is even when refused (the refusal is recorded for them)
    resident: dict[str, Any] | None = None
    if f.kind == KIND_VISITOR:
        visit = q.get_visitor_pass(conn, f.subject)
        name = visit["visitor_name"] if visit else None
        check = PassCheck(
            True,
            None,
            {"household": f.household},
            "visitor",
            None,
            mask_name(name),
            name,
            None,
            household=f.household,
            valid_until=shown_until,
        )
    else:
        resident = q.get_resident(conn, f.subject)
        if resident is None:
            return PassCheck(False, "pass_unknown_resident")
        check = PassCheck(
            True,
            None,
            {},
            "resident",
            resident["id"],
            mask_name(resident["name"]),
            resident["name"],
            resident["id_number"],
            resident["building"],
            resident["unit"],
            resident["room"],
            resident["household"],
            shown_until,
        )
    if resident is not None and resident["status"] == "moved_out":
        check.ok, check.reason_code = False, "pass_moved_out"
    elif moment >= f.valid_until:
        check.ok, check.reason_code, check.params = False, "pass_expired", {"until": shown_until}
    elif moment < f.valid_from:
        since = f.valid_from.date().isoformat()
        check.ok, check.reason_code, check.params = False, "pass_not_yet_valid", {"since": since}
    elif resident is not None and f.serial != resident["pass_serial"]:
        check.ok, check.reason_code = False, "pass_revoked"
    return check
