"""uuid7: strictly increasing within a millisecond and across a clock step back (#11)."""

from __future__ import annotations

import time
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from app.ids import Uuid7Generator, uuid7


def _check(ids: list[str]) -> None:
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    as_uuids = [uuid.UUID(i) for i in ids]
    assert all(a < b for a, b in zip(as_uuids, as_uuids[1:], strict=False))
    for u in as_uuids:
        assert u.version == 7
        assert u.variant == uuid.RFC_4122


def test_many_calls_in_the_same_millisecond_stay_in_order() -> None:
    ids = [uuid7() for _ in range(5000)]  # thousands of ids fall into each millisecond
    _check(ids)
    assert all(a < b for a, b in zip(ids, ids[1:], strict=False))


def test_the_timestamp_is_the_clock_in_milliseconds() -> None:
    before = time.time_ns() // 1_000_000
    made = uuid.UUID(uuid7()).int >> 80
    after = time.time_ns() // 1_000_000
    assert before <= made <= after


@settings(max_examples=200, deadline=None)
@given(steps=st.lists(st.integers(min_value=-5, max_value=3), min_size=1, max_size=300))
def test_strictly_increasing_whatever_the_clock_does(steps: list[int]) -> None:
    """The clock stays put, moves on or steps back between calls: ids still increase."""
    now = [1_764_000_000_000]

    def clock() -> int:
        return now[0]

    gen = Uuid7Generator(clock)
    ids = []
    for step in steps:
        now[0] += step
        ids.append(gen())
    _check(ids)
    assert all(a < b for a, b in zip(ids, ids[1:], strict=False))
    assert uuid.UUID(ids[0]).int >> 80 == 1_764_000_000_000 + steps[0]


def test_a_full_counter_borrows_the_next_millisecond() -> None:
    gen = Uuid7Generator(lambda: 1000)
    gen._last_ms, gen._last_rand = 1000, (1 << 74) - 1  # the counter is at its end
    nxt = uuid.UUID(gen())
    assert nxt.int >> 80 == 1001
    assert nxt.version == 7 and nxt.variant == uuid.RFC_4122
