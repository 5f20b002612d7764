"""Sample a located QR symbol's module grid from a frame as soft values, and decode it with
erasures (app/scan/qrcodec.py): the stage for codes zxing finds but cannot correct.

Each module is sampled at its centre (a small patch, through the symbol's homography) in
min(B,G,R), where every code colour is dark. A module is compared with the light and dark levels
of its neighbourhood, not with one threshold: a glare spot or a shadow moves both levels. Where a
neighbourhood has lost its contrast (glare has blown the screen out, or the code is off the
edge), its modules are unknown: erasures, which Reed-Solomon corrects at twice the rate of
errors. The version is the one whose finder, timing and alignment patterns the samples match.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import cv2
import numpy as np

from .qrcodec import GridRead, decode_grid
from .qrgeometry import expected_function, side

Quad = Sequence[Sequence[float]] | np.ndarray  # four corners, as zxing or np.asarray gives them
Q = TypeVar("Q", bound=Quad)

MIN_MODULE_PX = 1.2  # finer grids are not sampled: their modules are mixed by the optics
MIN_PATTERN_SCORE = 0.35  # mean agreement with the function patterns to trust a version
LOST_CONTRAST = 0.3  # a neighbourhood under this part of the code's contrast is unknown
WINDOW = 1  # modules each side of the neighbourhood for the first guess of the local levels
LEVEL_SIGMA = 0.7  # modules: how far the light and dark levels are smoothed
_OFFSETS = np.array(
    [(dx, dy) for dx in (-0.22, 0.0, 0.22) for dy in (-0.22, 0.0, 0.22)], np.float32
)


def largest(quads: Sequence[Q]) -> Q | None:
    """The quad of largest area: zxing also reports a finder pattern or two on their own when it
    cannot place the whole symbol, and those small quads hold no grid."""

    def area(q: Quad) -> float:
        return float(abs(cv2.contourArea(np.asarray(q, np.float32).reshape(-1, 1, 2))))

    return max(quads, key=area, default=None)


def versions_for(quad: Quad, max_version: int = 40) -> list[int]:
    """Versions whose modules would be at least MIN_MODULE_PX on the quad's shorter side."""
    q = np.asarray(quad, np.float32)
    short = min(float(np.linalg.norm(q[i] - q[(i + 1) % 4])) for i in range(4))
    return [v for v in range(1, max_version + 1) if short / side(v) >= MIN_MODULE_PX]


def sample(channel: np.ndarray, quad: Quad, version: int) -> np.ndarray:
    """Mean of a small patch at each module centre: an N x N float32 grid, in channel units."""
    n = side(version)
    src = np.array([[0, 0], [n, 0], [n, n], [0, n]], np.float32)
    h = cv2.getPerspectiveTransform(src, np.asarray(quad, np.float32).reshape(4, 2))
    cy, cx = np.mgrid[0:n, 0:n].astype(np.float32) + 0.5
    pts = np.stack([cx.ravel(), cy.ravel()], 1)
    pts = (pts[:, None, :] + _OFFSETS[None, :, :]).reshape(-1, 1, 2)
    xy = cv2.perspectiveTransform(pts, h).reshape(n * n, len(_OFFSETS), 2)
    mx = np.ascontiguousarray(xy[..., 0])
    my = np.ascontiguousarray(xy[..., 1])
    vals = cv2.remap(channel, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return vals.astype(np.float32).mean(axis=1).reshape(n, n)


def soften(grid: np.ndarray, rounds: int = 1) -> np.ndarray:
    """Dark-ness in [-1, 1] per module from the local light and dark levels; 0 where unknown.

    First guess: the extremes of a wide neighbourhood. Then, a few times: the light level is
    the smoothed mean of the modules now called light, the dark level that of the dark ones
    (normalised convolution, ~1.5 modules), so a glare spot's bright fringe raises only the
    levels of the modules under it and not those a few modules away.
    """
    k = np.ones((2 * WINDOW + 1, 2 * WINDOW + 1), np.uint8)
    hi = cv2.blur(cv2.dilate(grid, k, borderType=cv2.BORDER_REPLICATE), (3, 3))
    lo = cv2.blur(cv2.erode(grid, k, borderType=cv2.BORDER_REPLICATE), (3, 3))
    spread = (hi - lo).ravel()
    q3 = int(0.75 * (spread.size - 1))
    typical = float(np.partition(spread, q3)[q3])  # the 75th percentile, without a full sort
    if typical <= 1.0:
        return np.zeros_like(grid)
    for _ in range(rounds):
        dark = (hi + lo - 2.0 * grid) > 0
        hi = _level(grid, ~dark, hi)
        lo = _level(grid, dark, lo)
    contrast = hi - lo
    s = np.clip((hi + lo - 2.0 * grid) / np.maximum(contrast, 1e-3), -1.0, 1.0)
    s *= np.clip(contrast / typical, 0.0, 1.0)  # faded neighbourhoods count for less
    s[contrast < LOST_CONTRAST * typical] = 0.0
    return s.astype(np.float32)


def _level(grid: np.ndarray, member: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Smoothed mean of the grid over the member modules; fallback where too few are near."""
    w = member.astype(np.float32)
    num = cv2.GaussianBlur(grid * w, (0, 0), LEVEL_SIGMA, borderType=cv2.BORDER_REPLICATE)
    den = cv2.GaussianBlur(w, (0, 0), LEVEL_SIGMA, borderType=cv2.BORDER_REPLICATE)
    return np.where(den > 0.05, num / np.maximum(den, 1e-6), fallback).astype(np.float32)


def pattern_score(soft: np.ndarray, version: int) -> float:
    """Mean agreement of the samples with the version's known function modules (1 = perfect)."""
    val, known = expected_function(version)
    return float((soft[known] * (2.0 * val[known] - 1.0)).mean())


def rank_versions(channel: np.ndarray, quad: Quad, versions: Sequence[int]) -> list[int]:
    """Versions ordered by how well the two timing lines' samples correlate with their
    alternating pattern: a cheap first test (the wrong module count puts them out of phase).
    All versions in one transform: the timing modules sit at fixed fractions of the symbol."""
    if not versions:
        return []
    h = cv2.getPerspectiveTransform(
        np.array([[0, 0], [1, 0], [1, 1], [0, 1]], np.float32),
        np.asarray(quad, np.float32).reshape(4, 2),
    )
    along, across, owner, want = [], [], [], []
    for k, v in enumerate(versions):
        n = side(v)
        i = np.arange(8, n - 8)
        along.append((i + 0.5) / n)
        across.append(np.full(len(i), 6.5 / n))
        owner.append(np.full(len(i), k))
        want.append(np.where(i % 2 == 0, -1.0, 1.0))  # dark (low) on even modules
    a, c = np.concatenate(along), np.concatenate(across)
    pts = np.concatenate([np.stack([a, c], 1), np.stack([c, a], 1)]).astype(np.float32)
    xy = cv2.perspectiveTransform(pts.reshape(-1, 1, 2), h).reshape(-1, 2)
    vals = (
        cv2.remap(
            channel,
            np.ascontiguousarray(xy[:, :1]),
            np.ascontiguousarray(xy[:, 1:]),
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
        .astype(np.float64)
        .ravel()
    )
    own = np.tile(np.concatenate(owner), 2)
    w = np.tile(np.concatenate(want), 2)
    scores = []
    for k in range(len(versions)):
        sel = own == k
        x = vals[sel] - vals[sel].mean()
        norm = float(np.sqrt((x * x).sum() * sel.sum()))
        scores.append(float((x * w[sel]).sum()) / norm if norm > 0 else 0.0)
    return [v for _s, v in sorted(zip(scores, versions, strict=True), key=lambda t: -t[0])]


def ranked_grids(
    channel: np.ndarray, quad: Quad, versions: Sequence[int] | None = None, keep: int = 2
) -> list[tuple[float, int, np.ndarray]]:
    """(pattern score, version, soft grid) of the likeliest versions, best first.

    Versions are ranked by their timing lines (cheap), the best four are sampled in full and
    ranked again by all their function patterns; those under MIN_PATTERN_SCORE are dropped.
    """
    cands = list(versions) if versions is not None else versions_for(quad)
    if len(cands) > 4:
        cands = rank_versions(channel, quad, cands)[:4]
    ranked = []
    for v in cands:
        soft = soften(sample(channel, quad, v))
        score = pattern_score(soft, v)
        if score >= MIN_PATTERN_SCORE:
            ranked.append((score, v, soft))
    ranked.sort(key=lambda r: -r[0])
    return ranked[:keep]


def read_quad(
    channel: np.ndarray, quad: Quad, versions: Sequence[int] | None = None, tries: int = 2
) -> GridRead | None:
    """Decode the symbol inside quad (corners TL, TR, BR, BL of the symbol, quiet zone out)."""
    for _score, v, soft in ranked_grids(channel, quad, versions, tries):
        got = decode_grid(soft, v)
        if got is not None:
            return got
    return None


class GridVotes:
    """One symbol's soft grids from several frames, averaged: a module hidden by glare in one
    frame and visible in another is known in the average, so moving glare costs no erasures.

    Frames are matched by version only (the tracked region holds one code; a grid sampled at the
    wrong version fails its pattern score and is not added). Not thread-safe: one owner.
    """

    def __init__(self) -> None:
        self._sum: dict[int, np.ndarray] = {}
        self._n: dict[int, int] = {}

    def __len__(self) -> int:
        return max(self._n.values(), default=0)

    def clear(self) -> None:
        self._sum.clear()
        self._n.clear()

    def add(self, channel: np.ndarray, quad: Quad) -> GridRead | None:
        """Sample one frame's view of the symbol; the read from it alone, else from the average."""
        ranked = ranked_grids(channel, quad, sorted(self._n), keep=1) if self._n else []
        if not ranked:  # a first frame, or the known version did not fit this quad
            ranked = ranked_grids(channel, quad, keep=1)
        if not ranked:
            return None
        _score, v, soft = ranked[0]
        got = decode_grid(soft, v)
        if got is not None:
            return got
        self._sum[v] = self._sum[v] + soft if v in self._sum else soft.copy()
        self._n[v] = self._n.get(v, 0) + 1
        if self._n[v] < 2:
            return None
        return decode_grid(self._sum[v] / self._n[v], v)
