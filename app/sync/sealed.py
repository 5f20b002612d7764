"""Sealed USB bundles (#13): a lost stick leaks nothing but which gate wrote it.

sealed bundle = a zip of envelope.json (format, device id, the server key it is sealed to, an
ephemeral X25519 public key, a nonce) + sealed.bin: the whole plain, signed bundle
(app.sync.bundle) encrypted with ChaCha20-Poly1305 under a key from X25519(ephemeral, server)
and HKDF-SHA256. The envelope's exact bytes are the associated data, so the device id it
names (and the keys) cannot be changed without the server's decryption failing.

Sign, then encrypt: the Ed25519 signature stays on the plain bundle inside, so the server
checks the signature over exactly what it ingests, with the same code as a plain bundle, and
the gate's public key and key id are hidden on the stick as well. Anyone can encrypt to the
server's public key, so the encryption proves nothing about the sender: the signature inside
does, and the server also checks that the signed manifest names the envelope's device.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from app import ziplimits
from app.signatures import is_public_key_hex, key_id_of

FORMAT = "gatepost-sealed-bundle"
VERSION = 1
ENVELOPE = "envelope.json"
SEALED = "sealed.bin"
MAX_ENVELOPE_BYTES = 4096
_INFO = b"gatepost sealed bundle v1"
_NONCE_BYTES = 12


class SealRefused(Exception):
    """The sealed bundle cannot be opened here; `reason` is a short code (bundle_why_*)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class BoxKey:
    """An X25519 key pair (hex): the server's, which bundles are sealed to."""

    private_key_hex: str
    public_key_hex: str

    @property
    def key_id(self) -> str:
        return key_id_of(self.public_key_hex)

    @classmethod
    def generate(cls) -> BoxKey:
        private = X25519PrivateKey.generate()
        return cls(
            private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex(),
            _raw(private.public_key()).hex(),
        )


def _raw(key: X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _key(shared: bytes, ephemeral: bytes, server: bytes) -> bytes:
    # both public keys in the salt: the key belongs to this exchange and no other
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral + server, info=_INFO)
    return hkdf.derive(shared)


def seal(plain: bytes, server_public_key_hex: str, device_id: str) -> bytes:
    """The sealed bundle's bytes for a plain bundle, readable only with the server's key."""
    server = bytes.fromhex(server_public_key_hex)
    ephemeral = X25519PrivateKey.generate()
    ephemeral_pub = _raw(ephemeral.public_key())
    nonce = os.urandom(_NONCE_BYTES)
    envelope = json.dumps(
        {
            "format": FORMAT,
            "version": VERSION,
            "device_id": device_id,
            "server_key_id": key_id_of(server_public_key_hex),
            "ephemeral_key": ephemeral_pub.hex(),
            "nonce": nonce.hex(),
            "aead": "chacha20poly1305",
            "kdf": "hkdf-sha256",
        },
        separators=(",", ":"),
    ).encode("ascii")
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(server))
    sealed = ChaCha20Poly1305(_key(shared, ephemeral_pub, server)).encrypt(nonce, plain, envelope)
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr(ENVELOPE, envelope)
        zf.writestr(SEALED, sealed)  # ciphertext does not compress
    return buf.getvalue()


def is_sealed(zf: zipfile.ZipFile) -> bool:
    return ENVELOPE in zf.namelist()


def _envelope_problem(envelope: Any) -> str | None:
    """Why this envelope cannot be opened (a bundle_why_* reason), or None."""
    if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
        return "sealed_bad_envelope"
    if envelope.get("version") != VERSION:
        return "unknown_version"
    device, nonce = envelope.get("device_id"), envelope.get("nonce")
    shapes = (
        isinstance(device, str) and 0 < len(device) <= 64,
        is_public_key_hex(envelope.get("ephemeral_key")),
        isinstance(envelope.get("server_key_id"), str),
        isinstance(nonce, str) and len(nonce) == 2 * _NONCE_BYTES,
    )
    if not all(shapes):
        return "sealed_bad_envelope"
    try:
        bytes.fromhex(str(nonce))
    except ValueError:
        return "sealed_bad_envelope"
    return None


def read_envelope(zf: zipfile.ZipFile) -> tuple[dict[str, Any], bytes]:
    """The envelope (checked for shape) and its exact bytes; raises SealRefused."""
    try:
        raw = ziplimits.read_member(zf, ENVELOPE, MAX_ENVELOPE_BYTES)
        envelope = json.loads(raw.decode("ascii"))
    except (ziplimits.ZipRefused, UnicodeDecodeError, ValueError, RecursionError):
        raise SealRefused("sealed_bad_envelope") from None
    problem = _envelope_problem(envelope)
    if problem is not None:
        raise SealRefused(problem)
    return envelope, raw


def open_sealed(zf: zipfile.ZipFile, key: BoxKey) -> tuple[dict[str, Any], bytes]:
    """(envelope, the plain bundle's bytes); the archive's directory was checked by the caller
    (ziplimits), so only the ciphertext's declared size is ever read. Raises SealRefused."""
    envelope, aad = read_envelope(zf)
    if envelope["server_key_id"] != key.key_id:
        raise SealRefused("other_server")
    try:
        sealed = ziplimits.read_member(zf, SEALED)
    except ziplimits.ZipRefused as exc:
        raise SealRefused(exc.reason) from None
    ephemeral = bytes.fromhex(envelope["ephemeral_key"])
    server = bytes.fromhex(key.public_key_hex)
    try:
        private = X25519PrivateKey.from_private_bytes(bytes.fromhex(key.private_key_hex))
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral))
        plain = ChaCha20Poly1305(_key(shared, ephemeral, server)).decrypt(
            bytes.fromhex(envelope["nonce"]), sealed, aad
        )
    except (InvalidTag, ValueError):  # altered, truncated, or a low-order ephemeral key
        raise SealRefused("sealed_altered") from None
    return envelope, plain
