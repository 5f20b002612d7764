"""The live decoder's deep worker: one frame that raises is logged, the next ones are read (#12)."""

from __future__ import annotations

import logging
import time

import numpy as np
import pytest

from app.scan import stream
from app.scan.stream import StreamDecoder
from app.scan.types import ScanResult

BOX = (100, 100, 120, 120)


class FlakyDecoder:
    """A frame decoder that raises on its first job and reads every later one."""

    def __init__(self, bad_jobs: int = 1) -> None:
        self.calls = 0
        self.bad_jobs = bad_jobs

    def decode_within(self, frame, budget_ms, hints=(), keep_going=None) -> list[ScanResult]:
        self.calls += 1
        if self.calls <= self.bad_jobs:
            raise ValueError(f"corrupt frame {self.calls}")
        return [ScanResult(f"CODE-{self.calls}", ((0, 0), (1, 0), (1, 1), (0, 1)), "green", 1.0)]


@pytest.fixture
def only_deep(monkeypatch):
    """Every frame goes to the deep worker: the cheap pass reads nothing, one candidate box."""
    monkeypatch.setattr(stream, "zx_read", lambda *a, **k: [])
    monkeypatch.setattr(stream, "find_candidates", lambda frame, max_boxes=2: [BOX])


def feed_until(dec: StreamDecoder, want: callable, seconds: float = 5.0) -> ScanResult | None:
    frame = np.full((480, 640, 3), 90, np.uint8)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        found = dec.feed(frame)
        if found is not None or want():
            return found
        time.sleep(0.01)  # a camera's frame interval, not a wait for a result
    return None


def test_a_raising_frame_is_logged_and_the_next_frames_are_still_read(only_deep, caplog):
    flaky = FlakyDecoder(bad_jobs=1)
    dec = StreamDecoder(decoder=flaky, fuse=False)
    try:
        with caplog.at_level(logging.ERROR, logger="app.scan.stream"):
            first = feed_until(dec, lambda: dec.failed_jobs == 1)
            assert first is None and dec.failed_jobs == 1
            found = feed_until(dec, lambda: False)
        assert found is not None and found.text.startswith("CODE-")
        assert dec.alive() and dec.restarts == 0
        assert "Traceback" in caplog.text and "ValueError: corrupt frame 1" in caplog.text
        assert "in _deep_job" in caplog.text  # where it happened, for whoever reads the log
    finally:
        dec.close()


def test_revive_restarts_a_worker_that_is_gone(only_deep):
    dec = StreamDecoder(decoder=FlakyDecoder(bad_jobs=0), fuse=False)
    try:
        assert not dec.revive()  # alive: nothing to do
        # a worker that ended anyway (e.g. killed by something outside Python's reach)
        with dec._wake:
            dec._closed = True
            dec._wake.notify_all()
        dec._thread.join(2)
        dec._closed = False
        assert not dec.alive()
        assert dec.revive() and dec.restarts == 1 and dec.alive()
        assert feed_until(dec, lambda: False) is not None
    finally:
        dec.close()


def test_a_closed_decoder_is_not_revived():
    dec = StreamDecoder(decoder=FlakyDecoder(), fuse=False)
    dec.close()
    assert dec.alive() and not dec.revive()
