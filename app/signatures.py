"""Ed25519 signatures checked the same way everywhere: sync batches and acks, USB bundles, the
daily report's digest. A key (Ed25519 or X25519) is named by the first 16 hex digits of its
SHA-256."""

from __future__ import annotations

import base64
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def is_public_key_hex(value: object) -> bool:
    """32 bytes in hex: the form every public key takes in a QR code, an ack or a database."""
    if not isinstance(value, str) or len(value) != 64:
        return False
    try:
        bytes.fromhex(value)
    except ValueError:
        return False
    return True


def key_id_of(public_key_hex: str) -> str:
    return hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()[:16]


def verify(public_key_hex: str, signature_b64: str, data: bytes) -> bool:
    """True when signature_b64 is this key's Ed25519 signature over data."""
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        key.verify(base64.b64decode(signature_b64, validate=True), data)
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False
