"""Sort a decoded payload into what the gate understands, refusing what it must never show."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass

MAX_PAYLOAD_CHARS = 2048
PASS_PREFIX = "GP1:"  # our own signed passes (see app/roster, issue #4)


# Unicode bidi overrides/isolates reorder what the guard sees: a classic display-spoofing trick.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


@dataclass(frozen=True)
class Payload:
    kind: str  # "pass" | "healthcode" | "text" | "refused"
    text: str | None  # None when refused: never show a refused payload raw
    reason: str | None = None  # error code when refused


def classify_payload(raw: str | bytes) -> Payload:
    """Classify a payload; refuse binary, huge or control-character payloads with a reason code."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            return Payload("refused", None, "payload_binary")
    if len(raw) > MAX_PAYLOAD_CHARS:
        return Payload("refused", None, "payload_too_long")
    if not raw.strip():
        return Payload("refused", None, "payload_empty")
    if any(ch in _BIDI for ch in raw):
        return Payload("refused", None, "payload_bidi_controls")
    bad = sum(
        1
        for ch in raw
        if unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") and ch not in "\t\r\n"
    )
    if bad:
        return Payload("refused", None, "payload_control_chars")
    if raw.startswith(PASS_PREFIX):
        return Payload("pass", raw)
    low = raw.lower()
    if low.startswith(("http://", "https://")) or low.startswith("hc:"):
        return Payload("healthcode", raw)
    return Payload("text", raw)


def keyed_hash(text: str, key: bytes) -> str:
    """HMAC-SHA256 of a health-code payload: lets the log match repeat visits without storing it."""
    if not key:
        raise ValueError("keyed_hash needs a non-empty key")
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()
