"""UUIDv7 event ids: time-ordered, so ids sort like the events they name."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable

_RAND_BITS = 74  # rand_a (12) + rand_b (62): the counter that keeps one millisecond in order
_RAND_MAX = (1 << _RAND_BITS) - 1
_STEP_MAX = 1 << 32  # a random step keeps the next id unguessable from this one


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class Uuid7Generator:
    """Strictly increasing UUIDv7 (RFC 9562, method 2: a monotonic random counter).

    Within one millisecond, and when the clock steps back, the next id keeps the last id's
    timestamp and adds a random step to its 74 random bits; on overflow it borrows the next
    millisecond. So ids sort like the calls that made them, as strings and as UUIDs."""

    def __init__(self, clock_ms: Callable[[], int] = _now_ms) -> None:
        self._clock_ms = clock_ms
        self._lock = threading.Lock()
        self._last_ms = -1
        self._last_rand = 0

    def __call__(self) -> str:
        with self._lock:
            ms = self._clock_ms() & ((1 << 48) - 1)
            if ms > self._last_ms:
                rand = int.from_bytes(os.urandom(10), "big") >> (80 - _RAND_BITS + 1)  # top bit 0
            else:
                ms = self._last_ms
                step = 1 + int.from_bytes(os.urandom(4), "big") % _STEP_MAX
                rand = self._last_rand + step
                if rand > _RAND_MAX:  # a 2**73 run in one millisecond: borrow the next one
                    ms += 1
                    rand = int.from_bytes(os.urandom(10), "big") >> (80 - _RAND_BITS + 1)
            self._last_ms, self._last_rand = ms, rand
        return _format(ms, rand)


def _format(ms: int, rand: int) -> str:
    value = ms << 80
    value |= 0x7 << 76
    value |= (rand >> 62) << 64  # rand_a: the 12 high bits
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)  # rand_b: the 62 low bits
    return str(uuid.UUID(int=value))


uuid7 = Uuid7Generator()
"""A UUID version 7 as a string, later than every id this process made before."""
