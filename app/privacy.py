"""Masking for screens and exports, and the keyed hash that replaces raw health-code payloads."""

from __future__ import annotations

import hashlib
import hmac


def mask_id(value: str | None) -> str:
    """3502**********123X: region and the last four, nothing between."""
    if not value:
        return ""
    if len(value) <= 8:
        return value[:1] + "*" * (len(value) - 1)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****5678."""
    if not value:
        return ""
    if len(value) < 7:
        return value[:1] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    """张*三 / 张* / J*** Smith-like: keep the first and (for 3+) the last character."""
    if not value:
        return ""
    if len(value) == 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def payload_hash(key: bytes, payload: str) -> str:
    """HMAC-SHA256 of the payload under the device key: comparable, never reversible."""
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()
