"""UUIDv7 event ids: time-ordered, so ids sort like the events they name."""

from __future__ import annotations

import os
import time
import uuid


def uuid7(ms: int | None = None) -> str:
    """A UUID version 7 (RFC 9562) as a string."""
    if ms is None:
        ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 68) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))
