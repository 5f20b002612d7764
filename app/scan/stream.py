"""Live camera path: a cheap look at every frame, deep effort on the tracked candidate in a thread."""
from __future__ import annotations

import threading
import time

import numpy as np

from . import preprocess as pp
from .color import classify_color
from .decoder import FrameDecoder, _as_bgr
from .engines import zx_read
from .locate import Box, box_from_points, find_candidates
from .types import ScanResult

REPEAT_AFTER_S = 1.5  # the same code is reported again only after it has been out of view this long


def _overlap(a: Box, b: Box) -> bool:
    ax, ay = a[0] + a[2] / 2, a[1] + a[3] / 2
    return b[0] <= ax <= b[0] + b[2] and b[1] <= ay <= b[1] + b[3]


class StreamDecoder:
    """Feed every camera frame; returns a ScanResult the first time a code is read, else None.

    feed() does only the cheap work (one zxing pass on luma plus the candidate finder, a few ms);
    the latest frame with a candidate goes to a worker thread that runs the full decoder on it,
    the tracked box first, with a longer budget than a single frame gets.
    A read by the worker is returned by the next feed() call. Call close() to stop the worker.
    """

    def __init__(self, decoder: FrameDecoder | None = None, deep: bool = True,
                 region_budget_ms: float = 150.0) -> None:
        self._dec = decoder or FrameDecoder()
        self._budget = region_budget_ms / 1000.0
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._job: tuple[np.ndarray, Box, int, int, float] | None = None
        self._found: ScanResult | None = None
        self._closed = False
        self._busy = False  # worker is deep in a region: written by the worker, read by feed()
        self._track: Box | None = None
        self._last_text: str | None = None
        self._last_seen = 0.0
        self._thread: threading.Thread | None = None
        if deep:
            self._thread = threading.Thread(target=self._work, name="scan-deep", daemon=True)
            self._thread.start()

    # ---------------------------------------------------------------- per-frame path
    def feed(self, frame_bgr: np.ndarray) -> ScanResult | None:
        """Cheap per-frame step: read directly if easy, else hand the tracked region to the worker."""
        t0 = time.perf_counter()
        frame = _as_bgr(frame_bgr)
        if frame is None:
            return None
        with self._lock:
            deep, self._found = self._found, None
        if deep is not None and (r := self._report(deep)) is not None:
            return r
        hits = zx_read(pp.gray(frame), downscale=False, with_errors=True)
        for h in hits:
            if h.text:
                ms = (time.perf_counter() - t0) * 1000.0
                r = self._report(ScanResult(h.text, h.points, classify_color(frame, h.points), ms))
                if r is not None:
                    return r
                return None  # the code just reported is still in view: nothing new to do
        boxes = [box_from_points(h.points) for h in hits]
        if not boxes and self._busy:
            return None  # the worker cannot take a new region yet: skip the candidate search
        boxes += find_candidates(frame, max_boxes=2)
        if not boxes:
            self._track = None
            return None
        box = next((b for b in boxes if self._track and _overlap(b, self._track)), boxes[0])
        self._track = box
        if self._thread is not None:
            with self._wake:  # the whole frame: the worker may need the frame-wide views too
                self._job = (frame.copy(), box, t0)
                self._wake.notify()
        return None

    def _report(self, r: ScanResult) -> ScanResult | None:
        """Suppress repeats of the code just read while it stays in view."""
        now = time.monotonic()
        fresh = r.text != self._last_text or now - self._last_seen > REPEAT_AFTER_S
        self._last_text, self._last_seen = r.text, now
        return r if fresh else None

    def reset(self) -> None:
        """Forget the last read, e.g. after the guard has handled the person."""
        with self._lock:
            self._last_text, self._track, self._job, self._found = None, None, None, None

    # ---------------------------------------------------------------- deep path
    def _work(self) -> None:
        while True:
            with self._wake:
                while self._job is None and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                frame, box, t0 = self._job
                self._job = None
                self._busy = True
            try:
                found = self._dec.decode_within(frame, self._budget * 1000.0, hints=(box,),
                                                keep_going=lambda: not self._closed)
            finally:
                self._busy = False
            if found:
                r = found[0]
                ms = (time.perf_counter() - t0) * 1000.0
                with self._lock:
                    self._found = ScanResult(r.text, r.points, r.color, ms)

    def close(self) -> None:
        """Stop the worker thread; feed() keeps working afterwards, cheap stage only."""
        with self._wake:
            self._closed = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            self._thread = None

    def __enter__(self) -> StreamDecoder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
