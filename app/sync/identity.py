"""The device's sync identity: its own Ed25519 key, the server it pairs with, its token."""

from __future__ import annotations

import base64
import sqlite3
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from app.errors import KnownError
from app.signatures import is_public_key_hex, key_id_of
from db.connection import transaction

ENROL_SCHEME = "gatepost"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass
class SyncIdentity:
    device_id: str
    private_key_hex: str
    public_key_hex: str
    key_id: str
    server_url: str | None
    token: str | None

    def sign(self, data: bytes) -> str:
        key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(self.private_key_hex))
        return b64(key.sign(data))

    @property
    def enrolled(self) -> bool:
        return bool(self.server_url and self.token)


def load_identity(conn: sqlite3.Connection) -> SyncIdentity:
    """This device's identity; the key pair is made on first use and never leaves the db."""
    device_id = conn.execute("SELECT device_id FROM device WHERE id = 1").fetchone()[0]
    row = conn.execute("SELECT * FROM sync_identity WHERE id = 1").fetchone()
    if row is None:
        private = Ed25519PrivateKey.generate()
        priv_hex = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex()
        pub_hex = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
        with transaction(conn):
            conn.execute(
                "INSERT OR IGNORE INTO sync_identity(id, private_key, public_key, key_id) "
                "VALUES (1, ?, ?, ?)",
                (priv_hex, pub_hex, key_id_of(pub_hex)),
            )
        row = conn.execute("SELECT * FROM sync_identity WHERE id = 1").fetchone()
    return SyncIdentity(
        device_id,
        row["private_key"],
        row["public_key"],
        row["key_id"],
        row["server_url"],
        row["token"],
    )


def save_enrolment(conn: sqlite3.Connection, server_url: str, token: str, now_utc: str) -> None:
    with transaction(conn):
        conn.execute(
            "UPDATE sync_identity SET server_url = ?, token = ?, enrolled_utc = ? WHERE id = 1",
            (server_url, token, now_utc),
        )
        conn.execute("UPDATE sync_status SET stopped = 0, last_error = NULL WHERE id = 1")


@dataclass(frozen=True)
class EnrolmentOffer:
    server_url: str
    code: str
    server_key: str | None = None  # the server's signing key (hex): what USB acks are checked by
    box_key: str | None = None  # the server's X25519 key (hex): what USB bundles are sealed to


def enrolment_text(
    server_url: str, code: str, server_key: str | None = None, box_key: str | None = None
) -> str:
    """What the server's QR code holds; with the server's public key, a gate that reads it
    trusts USB acks signed by that key only (not by whichever key its first ack names), and
    with its box key it seals its USB bundles to the server (#13)."""
    fields = {"server": server_url, "code": code}
    if server_key:
        fields["key"] = server_key
    if box_key:
        fields["box"] = box_key
    return f"{ENROL_SCHEME}://enrol?" + urlencode(fields)


def parse_enrolment(text: str) -> EnrolmentOffer:
    """Read the QR text (or a pasted copy); anything else is a clear error, never a crash."""
    text = (text or "").strip()
    parts = urlsplit(text)
    if parts.scheme != ENROL_SCHEME or parts.netloc != "enrol":
        raise KnownError("enrol_bad_text")
    query = parse_qs(parts.query)
    server = (query.get("server") or [""])[0].strip().rstrip("/")
    code = (query.get("code") or [""])[0].strip()
    target = urlsplit(server)
    if target.scheme not in ("http", "https") or not target.hostname or not code:
        raise KnownError("enrol_bad_text")
    key, box = ((query.get(name) or [""])[0].strip().lower() or None for name in ("key", "box"))
    if any(value is not None and not is_public_key_hex(value) for value in (key, box)):
        raise KnownError("enrol_bad_text")
    return EnrolmentOffer(server, code, key, box)
