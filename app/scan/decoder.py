"""Find and read QR codes in a BGR frame: cheap full-frame views first, then the candidates."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import cv2
import numpy as np

from . import deblur, grid
from . import preprocess as pp
from .budget import Deadline, cost, zx_cost
from .color import classify_color
from .engines import Hit, Quad, map_points, zx_read, zx_read_inverted
from .locate import Box, box_from_points, find_candidates
from .types import ScanResult

DEFAULT_BUDGET_MS = 56.0  # p95 must stay under 60 ms per 1280x720 frame
MIN_SYNTH_FRAC = 0.3  # a read from a deblurred crop must be at least this part of the crop's side
GRID_MS = 25.0  # what the module-grid decoder may take on a located symbol it cannot read
PROBE_STEPS = 1  # the cheap look: the first candidate's plain and sharpened views
# the smallest candidate (frame pixels, shorter side) worth the deblur bank when no symbol was
# located: on seed 7 every code read only after deblurring was boxed at 128 px or more, while
# blurred-looking clutter (text, lines, tiles) is mostly boxed under 96 px (#14)
MIN_DEBLUR_SIDE = 96

View = tuple[np.ndarray, float, int, int, float, float, bool]


def _crop_views(frame: np.ndarray, box: Box) -> Iterator[View]:
    """Views of one candidate region, in the order they paid off on the benchmark frames.

    Each is (view, scale, x0, y0, min_frac, cost of making it, light-on-dark retry).
    The higher-contrast channel first when it clearly beats luma (a yellow or over-exposed code:
    on seed 7 this order read 3 more yellow frames of 168 and no fewer of the other colours),
    else luma alone; then the deblur bank on each, then CLAHE and glare flattening of the crops
    (these rescue some faint yellow codes when time is left). The plain, sharpened and
    deblurred views are also read light-on-dark (#14).
    """
    c, x0, y0 = pp.crop(frame, box)
    if c.shape[0] < 12 or c.shape[1] < 12:
        return
    px = c.shape[0] * c.shape[1]
    g = pp.gray(c)
    best = pp.best_channel(c, g)
    chans = (best, g) if best is not g else (g,)
    ups = []
    for ch in chans:
        up, s = pp.upscale_for(ch)
        ups.append((up, s))
        yield up, s, x0, y0, 0.0, cost("crop", px), True
        sharp = pp.unsharp(pp.stretch(up), sigma=max(1.0, 1.2 * s), amount=1.5)
        yield sharp, s, x0, y0, 0.0, cost("sharp", up.size), True
    # the blur is measured on the high-contrast channel (luma of a yellow code is too faint to
    # show its edge slopes), and applied to luma too: luma keeps the full resolution
    psfs = list(deblur.psf_bank(chans[0]))
    psf_cost = cost("psf", px)
    banks = [[(ch, p) for p in psfs] for ch in chans]
    # the first three guesses of each channel hold most of the reads: interleave by rank
    order = [b[i : i + 3] for i in (0, 3) for b in banks]
    for ch, (sigma, length, angle, k) in (item for part in order for item in part):
        up2, s2 = pp.upscale_for(deblur.wiener(ch, sigma, length, angle, k), 640, 4.0)
        # deconvolution ringing can form a small fake symbol that passes its own error check
        # (a version-1 '223004' inside a blurred green code, live benchmark scene 128): a read
        # from a deblurred view must span a plausible part of the crop
        yield up2, s2, x0, y0, MIN_SYNTH_FRAC, cost("wiener", px) + psf_cost, True
        psf_cost = 0.0
    for up, s in ups:
        # local contrast on the crop: faint yellow, dim, glared
        yield pp.clahe(up), s, x0, y0, 0.0, cost("clahe", up.size), False
        flat = pp.stretch(up, max(15, int(max(up.shape) / 12) | 1))
        yield flat, s, x0, y0, 0.0, cost("stretch", up.size), False


class FrameDecoder:
    """Reads the QR codes in one frame within a budget; the first stage that reads wins."""

    def __init__(
        self,
        budget_ms: float = DEFAULT_BUDGET_MS,
        max_regions: int = 2,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """budget_ms: work units from a fixed cost per step (MS_PER_MP), so the answer does not
        depend on machine load; a unit is a CPU ms of the build VM at its most pessimistic (a
        whole 56-unit budget measured 30-46 ms of CPU there); clock: count time on this clock
        instead (time.perf_counter = the old wall-clock budget, for the benchmark's baseline)."""
        self.budget_ms = budget_ms
        self.max_regions = max_regions
        self.clock = clock

    def decode(self, frame_bgr: np.ndarray) -> list[ScanResult]:
        """All codes read from the frame (usually one), with corners in frame pixels and colour."""
        return self.decode_within(frame_bgr, self.budget_ms)

    def decode_within(
        self,
        frame_bgr: np.ndarray,
        budget_ms: float,
        hints: tuple[Box, ...] = (),
        keep_going: Callable[[], bool] = lambda: True,
    ) -> list[ScanResult]:
        """decode() with an explicit budget, candidate boxes to try first, and a cancel check.

        Order measured on the benchmark: luma (reads ~78 %), then the best candidate's cheap
        crop views, then CLAHE on the whole frame, then deblurring the candidate, then the rest;
        last, when GRID_MS are left, our grid decoder on a symbol zxing located but could not
        correct (on the single-frame set it reads what the views read, at 8-15 ms a symbol, so
        it goes where it costs nothing; the live worker's longer budget reaches it).
        """
        t0 = time.perf_counter()
        frame = _as_bgr(frame_bgr)
        if frame is None:
            return []
        dl = Deadline(budget_ms, keep_going, self.clock)
        g = pp.gray(frame)
        hits = zx_read(g, with_errors=True)
        if good := [h for h in hits if h.text]:
            return _results(frame, good, t0)
        dl.charge(zx_cost(g))
        found = find_candidates(frame, self.max_regions)
        dl.charge(cost("find", g.size))
        # located, not read: checksum errors, mostly glare (a 1 px "symbol" in clutter is none)
        quads = [h.points for h in hits if _plausible(box_from_points(h.points))]
        if found or quads or hints:
            # the light-on-dark pass; where the finder (which sees both polarities) boxed
            # nothing and zxing located nothing, a frame is not worth it (#14: a cheap miss)
            hits = zx_read_inverted(g, with_errors=True)
            if good := [h for h in hits if h.text]:
                return _results(frame, good, t0)
            dl.charge(zx_cost(g))
            quads += [h.points for h in hits if _plausible(box_from_points(h.points))]
        if quads and (good := _second_look(g)):
            return _results(frame, good, t0)
        dl.charge(4 * zx_cost(g) if quads else 0.0)  # two views, each both polarities
        located = [box_from_points(q) for q in quads]
        boxes = _merge(list(hints) + located + found)[: self.max_regions + len(hints)]
        if not boxes:
            # nothing code-like: no symbol located, no two-axis edge texture (#14: a miss
            # costs one zxing pass and the finder, not the whole budget)
            return []
        regions = [_crop_views(frame, b) for b in boxes]
        symbol = bool(quads)  # any symbol zxing found, read or not, in any view so far
        full = iter(
            [
                (lambda: pp.clahe(g), cost("clahe", g.size)),
                (lambda: pp.min_channel(frame), cost("min", g.size)),
            ]
        )
        # a wrong first box (clutter) must not eat the whole budget: regions take turns
        plan: list[tuple[int | str | None, int]] = [
            (0, 2),
            (None, 1),
            (1, 2),
            (0, 6),
            (1, 6),
            (0, 99),
            (1, 99),
            (2, 99),
            (None, 1),
            ("grid", 1),
        ]
        for k, (region, n) in enumerate(plan):
            if region == "grid":
                if (
                    (quad := grid.largest(quads)) is not None
                    and dl.left(GRID_MS)
                    and (hit := _grid_read(frame, quad)) is not None
                ):
                    return _results(frame, [hit], t0)
                dl.charge(GRID_MS if quads else 0.0)
            elif region is None:
                step = next(full, None)
                if step is not None:
                    view = step[0]()
                    if good := [h for h in zx_read(view) if h.text]:
                        return _results(frame, good, t0)
                    dl.charge(step[1] + zx_cost(view))
            elif isinstance(region, int) and region < len(regions):
                for view, s, x0, y0, frac, made, inv in _take(regions[region], n):
                    hit, seen = _read_view(view, s, x0, y0, frac, inv)
                    if hit is not None:
                        return _results(frame, [hit], t0)
                    dl.charge(made + zx_cost(view) * (2 if inv else 1))
                    symbol = symbol or seen
                    if not dl.step_left():
                        return []
            if not dl.step_left():
                return []
            if k + 1 == PROBE_STEPS and not symbol and not _worth_deblurring(frame, boxes, hints):
                # after the cheap look, no symbol located anywhere, and no candidate both blurred
                # and big enough for deconvolution to bring back: clutter (tiles, posters,
                # text), not a code (#14; no read lost on the generated and real tables)
                return []
        return []

    def decode_region(
        self, frame: np.ndarray, box: Box, keep_going: Callable[[], bool] = lambda: True
    ) -> Hit | None:
        """Spend effort on one candidate box: views and deblurring until a read or time is up."""
        for view, s, x0, y0, frac, _cost, inv in _crop_views(frame, box):
            if hit := _first_text(view, s, x0, y0, frac, inv):
                return hit
            if not keep_going():
                return None
        return None


def _worth_deblurring(frame: np.ndarray, boxes: list[Box], hints: tuple[Box, ...]) -> bool:
    """True when a candidate crop looks blurred (not deblur.looks_sharp) and is boxed at
    MIN_DEBLUR_SIDE px or more; a hint (where the live path saw a code before) at any size."""
    for b in boxes:
        if b not in hints and min(b[2], b[3]) < MIN_DEBLUR_SIDE:
            continue
        c = pp.crop(frame, b)[0]
        if min(c.shape[:2]) >= 12 and not deblur.looks_sharp(pp.best_channel(c)):
            return True
    return False


def _second_look(g: np.ndarray) -> list[Hit]:
    """A located symbol that did not read, read again whole: turned 180 degrees (zxing's
    sampling is not symmetric: a label on a curved bottle read at 0 and 90 but not 180 or 270
    degrees) and with the global binariser (an engraved code the local one cannot threshold)."""
    h, w = g.shape[:2]
    turned = [
        Hit(x.text, tuple((w - 1 - px, h - 1 - py) for px, py in x.points), x.inverted)
        for x in zx_read(cv2.rotate(g, cv2.ROTATE_180), invert=True)
        if x.text
    ]
    return turned or [x for x in zx_read(g, binarizer="global", invert=True) if x.text]


def _read_view(
    view: np.ndarray, s: float, x0: int, y0: int, min_frac: float, invert: bool
) -> tuple[Hit | None, bool]:
    """_first_text, and whether zxing located any symbol in the view (read or not)."""
    hits = zx_read(view, with_errors=True, invert=invert)
    for h in hits:
        if h.text and _side(h.points) >= min_frac * max(view.shape[:2]):
            return Hit(h.text, map_points(h.points, s, x0, y0), h.inverted), True
    return None, bool(hits)


def _grid_read(frame: np.ndarray, quad: Quad) -> Hit | None:
    """Our own module-grid decoder on a symbol zxing located but could not correct: it treats
    glare-blown modules as erasures, which Reed-Solomon corrects at twice the rate of errors."""
    got = grid.read_quad(pp.min_channel(frame), quad)
    return Hit(got.text, quad) if got is not None else None


def _take(views: Iterator, n: int) -> Iterator:
    """Up to n more views from a region's lazy view sequence (resumes where it stopped)."""
    for _ in range(n):
        v = next(views, None)
        if v is None:
            return
        yield v


def _first_text(
    view: np.ndarray, s: float, x0: int, y0: int, min_frac: float = 0.0, invert: bool = False
) -> Hit | None:
    """The first text read from a view, corners mapped to the frame; symbols whose shorter side
    is under min_frac of the view's longer side are not trusted (see MIN_SYNTH_FRAC)."""
    for h in zx_read(view, invert=invert):
        if h.text and _side(h.points) >= min_frac * max(view.shape[:2]):
            return Hit(h.text, map_points(h.points, s, x0, y0), h.inverted)
    return None


def _side(points: tuple[tuple[float, float], ...]) -> float:
    """The shortest edge of a symbol's corner quad."""
    p = np.asarray(points, np.float32)
    return float(min(np.linalg.norm(p[i] - p[(i + 1) % 4]) for i in range(4)))


def _as_bgr(frame: np.ndarray | None) -> np.ndarray | None:
    """8-bit BGR view of what a camera or file gave us; None for anything that is not an image."""
    if not isinstance(frame, np.ndarray) or frame.size == 0 or frame.dtype != np.uint8:
        return None
    if frame.ndim == 2:
        return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    if frame.ndim == 3 and frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR)
    if frame.ndim != 3 or frame.shape[2] != 3:
        return None
    return frame


def _iou(a: Box, b: Box) -> float:
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / float(a[2] * a[3] + b[2] * b[3] - inter or 1)


def _plausible(b: Box) -> bool:
    """A box that can hold a QR code: 12 px or more each way, not long and thin."""
    return b[2] >= 12 and b[3] >= 12 and max(b[2], b[3]) <= 2.5 * min(b[2], b[3])


def _merge(boxes: list[Box]) -> list[Box]:
    """Drop implausible boxes and ones that mostly overlap an earlier box (the same code twice).

    Overlap, not containment: a small code inside a large bogus box must survive.
    """
    out: list[Box] = []
    for b in boxes:
        if not _plausible(b):
            continue
        if not any(_iou(b, o) > 0.5 for o in out):
            out.append(b)
    return out


def _results(frame: np.ndarray, hits: list[Hit], t0: float) -> list[ScanResult]:
    ms = (time.perf_counter() - t0) * 1000.0
    seen: set[str] = set()
    out = []
    for h in hits:
        if h.text in seen:
            continue
        seen.add(h.text or "")
        color = classify_color(frame, h.points, light_on_dark=h.inverted)
        out.append(ScanResult(h.text or "", h.points, color, ms))
    return out
