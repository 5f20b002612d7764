"""Live camera path: a cheap look at every frame, deep effort on the tracked candidate."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

import numpy as np

from . import fusion, grid
from . import preprocess as pp
from .color import classify_color
from .decoder import FrameDecoder, _as_bgr, _merge
from .engines import Quad, map_points, zx_read
from .locate import Box, box_from_points, find_candidates
from .types import ScanResult

log = logging.getLogger(__name__)

REPEAT_AFTER_S = 1.5  # the same code is reported again only after it has been out of view this long


def _overlap(a: Box, b: Box) -> bool:
    ax, ay = a[0] + a[2] / 2, a[1] + a[3] / 2
    return b[0] <= ax <= b[0] + b[2] and b[1] <= ay <= b[1] + b[3]


def _follow(tracks: list[Box | None], boxes: list[Box]) -> tuple[list[Box | None], list[bool]]:
    """Match this frame's candidate boxes to the two tracks: a box over a track continues it
    (same = True); the best remaining boxes take the free slots as new tracks."""
    new: list[Box | None] = [None, None]
    same = [False, False]
    used: set[int] = set()
    for slot, t in enumerate(tracks):
        if t is None:
            continue
        k = next((i for i, b in enumerate(boxes) if i not in used and _overlap(b, t)), None)
        if k is not None:
            new[slot], same[slot] = boxes[k], True
            used.add(k)
    for i, b in enumerate(boxes[:2]):
        if i in used:
            continue
        free = next((s for s in (0, 1) if new[s] is None), None)
        if free is None:
            break
        new[free] = b
        used.add(i)
    return new, same


class StreamDecoder:
    """Feed every camera frame; returns a ScanResult the first time a code is read, else None.

    feed() does only the cheap work (one zxing pass on luma plus the candidate finder, a few ms);
    the latest frame with a candidate goes to a worker thread that runs the full decoder on it,
    the tracked box first, with a longer budget than a single frame gets. When that frame alone does
    not read, the worker aligns the tracked box's crops from the last frames (up to 15) and reads
    their per-pixel mean and median (app.scan.fusion): noise and moving glare average out.
    A symbol zxing locates on the per-frame pass but cannot correct (glare over part of it, a
    smudge) is kept too, a small crop per frame; the worker samples its module grid from each,
    averages them and decodes with erasures (app.scan.grid): what glare hides in one frame,
    another frame shows.
    Two candidate regions are tracked, each with its own crop history: clutter (a poster, a
    printed grid) can rank above the code in the candidate finder, so after a failed deep pass
    on one the worker's next job is the other's.
    A read by the worker is returned by the next feed() call. Call close() to stop the worker.
    """

    def __init__(
        self,
        decoder: FrameDecoder | None = None,
        deep: bool = True,
        region_budget_ms: float = 150.0,
        fuse: bool = True,
        superres: bool = False,
    ) -> None:
        """superres: after the fused views, also read the crops shift-and-added onto a finer
        grid (fusion.shift_and_add). Off by default: it reads codes near 1 px per module in the
        unit tests, but on the 448 generated live scenes it read no more than without it
        (docs/BENCHMARKS.md, #14)."""
        self._dec = decoder or FrameDecoder()
        self._budget = region_budget_ms / 1000.0
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._job: tuple[np.ndarray, Box, int, float] | None = None  # frame, box, slot, t0
        self._found: ScanResult | None = None
        self._closed = False
        self._busy = False  # worker is deep in a region: written by the worker, read by feed()
        # two tracked candidates (the code may rank below clutter in the candidate finder):
        # each with its own crop history; the worker takes them in turn after a failed pass
        self._tracks: list[Box | None] = [None, None]
        self._histories = [fusion.CropHistory(), fusion.CropHistory()] if fuse else None
        self._turn = 0  # the slot the next job is for; guarded by self._lock
        self.fused_reads = 0  # reads that needed the multi-frame fusion (for the benchmark)
        self.grid_reads = 0  # reads by the module-grid decoder (for the benchmark)
        self.sr_reads = 0  # reads from the super-resolved crops (for the benchmark)
        # located-but-unread symbols from feed(): (BGR crop, quad in the crop, crop origin x and
        # y, track generation), guarded by _lock
        self._located: deque[tuple[np.ndarray, np.ndarray, int, int, int]] = deque(
            maxlen=fusion.MAX_FRAMES
        )
        self._votes = grid.GridVotes() if fuse else None  # the worker's alone
        self._track_gen = 0  # bumped when the track restarts: the worker then clears its votes
        self._votes_gen = 0  # the track the worker's votes belong to
        self._last_text: str | None = None
        self._last_seen = 0.0
        self._thread: threading.Thread | None = None
        self._deep = deep
        self._superres_on = superres
        self.failed_jobs = 0  # deep jobs that raised (logged; the worker went on)
        self.restarts = 0  # times revive() found the worker gone and started a new one
        if deep:
            self._start_worker()

    def _start_worker(self) -> None:
        self._thread = threading.Thread(target=self._work, name="scan-deep", daemon=True)
        self._thread.start()

    def alive(self) -> bool:
        """False when the deep worker should run and does not (the watchdog's question)."""
        if not self._deep or self._closed:
            return True
        return self._thread is not None and self._thread.is_alive()

    def revive(self) -> bool:
        """Start the deep worker again if it stopped; True when it had to (tell the volunteer)."""
        if self.alive():
            return False
        log.error("the deep decode worker had stopped; starting a new one")
        with self._lock:
            self._busy = False
        self.restarts += 1
        self._start_worker()
        return True

    # ---------------------------------------------------------------- per-frame path
    def feed(self, frame_bgr: np.ndarray) -> ScanResult | None:
        """Cheap per-frame step: read if easy, else hand the tracked region to the worker."""
        t0 = time.perf_counter()
        frame = _as_bgr(frame_bgr)
        if frame is None:
            return None
        with self._lock:
            deep, self._found = self._found, None
        if deep is not None and (r := self._report(deep)) is not None:
            return r
        hits = zx_read(pp.gray(frame), downscale=False, with_errors=True, invert=True)
        for h in hits:
            if h.text:
                ms = (time.perf_counter() - t0) * 1000.0
                color = classify_color(frame, h.points, light_on_dark=h.inverted)
                r = self._report(ScanResult(h.text, h.points, color, ms))
                if r is not None:
                    return r
                return None  # the code just reported is still in view: nothing new to do
        boxes = [box_from_points(h.points) for h in hits]
        if not boxes and self._busy:
            # the worker cannot take a new region yet: skip the candidate search, but keep the
            # tracked regions' pixels for fusion (small copies)
            self._remember(frame, list(self._tracks), [t is not None for t in self._tracks])
            return None
        # a degenerate located quad (a 1x1 box from a stray finder-like blob) is not a region
        boxes = _merge(boxes + find_candidates(frame, max_boxes=2))
        tracks, same = _follow(self._tracks, boxes)
        self._tracks = tracks
        self._remember(frame, tracks, same)
        if not boxes:
            return None
        if self._votes is not None and hits:  # located, not read: pixels for the grid decoder
            quad = grid.largest([h.points for h in hits])
            if quad is not None:
                self._keep_located(frame, quad)
        if self._thread is not None:
            with self._wake:  # the whole frame: the worker may need the frame-wide views too
                slot = self._turn if tracks[self._turn] is not None else 1 - self._turn
                box = tracks[slot]
                assert box is not None
                self._job = (frame.copy(), box, slot, t0)
                self._wake.notify()
        return None

    def _keep_located(self, frame: np.ndarray, points: Quad) -> None:
        """A copy of the pixels around a located symbol (with a margin), for the worker."""
        c = fusion.cut(frame, box_from_points(points), pad=0.1)
        if min(c.pixels.shape[:2]) < 16:
            return
        quad = np.asarray(points, np.float32) - np.array([c.x0, c.y0], np.float32)
        with self._lock:
            self._located.append((c.pixels, quad, c.x0, c.y0, self._track_gen))

    def _remember(self, frame: np.ndarray, tracks: list[Box | None], same: list[bool]) -> None:
        """Keep each tracked box's crop for fusion; a new or lost track starts its history
        afresh. When no track goes on, the located symbols kept for the grid votes go too."""
        if self._histories is None:
            return
        with self._lock:
            for slot, (box, kept) in enumerate(zip(tracks, same, strict=True)):
                if not kept:
                    self._histories[slot].clear()
                if box is not None:
                    self._histories[slot].add(frame, box)
            if not any(same):
                self._located.clear()
                self._track_gen += 1

    def _report(self, r: ScanResult) -> ScanResult | None:
        """Suppress repeats of the code just read while it stays in view."""
        now = time.monotonic()
        fresh = r.text != self._last_text or now - self._last_seen > REPEAT_AFTER_S
        self._last_text, self._last_seen = r.text, now
        return r if fresh else None

    def reset(self) -> None:
        """Forget the last read, e.g. after the guard has handled the person."""
        with self._lock:
            self._last_text, self._job, self._found = None, None, None
            self._tracks = [None, None]
            for h in self._histories or ():
                h.clear()
            self._located.clear()
            self._track_gen += 1

    # ---------------------------------------------------------------- deep path
    def _work(self) -> None:
        while True:
            with self._wake:
                while self._job is None and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                job, self._job = self._job, None
                assert job is not None  # the loop above waits for one
                frame, box, slot, t0 = job
                self._busy = True
            try:
                found = self._deep_job(frame, box, slot)
            except Exception:  # one bad frame costs that frame, never the live reading
                self.failed_jobs += 1
                log.exception("deep decode failed on one frame; the worker goes on")
                found = []
            finally:
                self._busy = False
            if found:
                r = found[0]
                ms = (time.perf_counter() - t0) * 1000.0
                with self._lock:
                    self._found = ScanResult(r.text, r.points, r.color, ms)

    def _deep_job(self, frame: np.ndarray, box: Box, slot: int) -> list[ScanResult]:
        """The grid votes, the full decoder on the tracked box, then the fused crops."""
        found = self._voted()
        if not found:
            found = self._dec.decode_within(
                frame,
                self._budget * 1000.0,
                hints=(box,),
                keep_going=lambda: not self._closed,
            )
        if not found:
            found = self._fused(box, slot)
        if not found:
            with self._lock:  # this candidate failed: the other one's turn next
                self._turn = 1 - slot
        return found

    def _voted(self) -> list[ScanResult]:
        """Add the located symbols kept since the last job to the grid votes; the first read."""
        if self._votes is None:
            return []
        with self._lock:
            items = list(self._located)
            self._located.clear()
            gen = self._track_gen
        if self._votes_gen != gen:
            self._votes.clear()
            self._votes_gen = gen
        for crop, quad, x0, y0, g in items:
            if g != gen or self._closed:
                continue
            got = self._votes.add(pp.min_channel(crop), quad)
            if got is not None:
                self.grid_reads += 1
                self._votes.clear()
                pts = tuple((float(x) + x0, float(y) + y0) for x, y in quad)
                local = tuple((float(x), float(y)) for x, y in quad)
                return [ScanResult(got.text, pts, classify_color(crop, local), 0.0)]
        return []

    def _fused(self, box: Box, slot: int) -> list[ScanResult]:
        """Read the tracked region from the aligned crops of the last frames (worker thread)."""
        if self._histories is None:
            return []
        with self._lock:
            crops = self._histories[slot].snapshot()
        if len(crops) < fusion.MIN_FRAMES:
            return []
        # the worker thread's CPU time, not the wall clock: a busy PC must not cut the pass short
        end = time.thread_time() + self._budget
        alive = lambda: not self._closed and time.thread_time() < end  # noqa: E731
        regs, x0, y0 = fusion.register(crops, box)  # once, for the fused views and the SR view
        if len(regs) < fusion.MIN_FRAMES:
            return []
        for img in fusion.combine(fusion.warped(regs)):
            local = (box[0] - x0, box[1] - y0, box[2], box[3])
            hit = self._dec.decode_region(img, local, keep_going=alive)
            if hit is not None:
                self.fused_reads += 1
                pts = map_points(hit.points, 1.0, x0, y0)
                color = classify_color(img, hit.points, light_on_dark=hit.inverted)
                return [ScanResult(hit.text or "", pts, color, 0.0)]
            if not alive():
                return []
        return self._superres(regs, box, x0, y0, alive) if self._superres_on else []

    def _superres(
        self,
        regs: fusion.Registered,
        box: Box,
        x0: int,
        y0: int,
        alive: Callable[[], bool],
    ) -> list[ScanResult]:
        """A small code the fused views did not read: the same registered crops shift-and-added
        onto a finer grid (fusion.shift_and_add), read by the same region decoder; only what
        its check accepts."""
        img, f = fusion.shift_and_add(regs)
        if img is None or not alive():
            return []
        local = ((box[0] - x0) * f, (box[1] - y0) * f, box[2] * f, box[3] * f)
        hit = self._dec.decode_region(img, local, keep_going=alive)
        if hit is None:
            return []
        self.sr_reads += 1
        color = classify_color(img, hit.points, light_on_dark=hit.inverted)
        return [ScanResult(hit.text or "", map_points(hit.points, f, x0, y0), color, 0.0)]

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
