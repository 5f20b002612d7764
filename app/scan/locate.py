"""Cheap candidate finder: where in the frame is something QR-like worth spending effort on."""

from __future__ import annotations

import cv2
import numpy as np

from .preprocess import planes

Box = tuple[int, int, int, int]  # x, y, w, h in frame pixels


def _edge_map(g: np.ndarray) -> np.ndarray:
    """Edges in both axes: QR modules give strong gradients in x and y at once, text mostly not."""
    gx = cv2.convertScaleAbs(cv2.Sobel(g, cv2.CV_16S, 1, 0, ksize=3))
    gy = cv2.convertScaleAbs(cv2.Sobel(g, cv2.CV_16S, 0, 1, ksize=3))
    return cv2.min(cv2.blur(gx, (5, 5)), cv2.blur(gy, (5, 5)))


def find_candidates(frame_bgr: np.ndarray, max_boxes: int = 2, work_width: int = 640) -> list[Box]:
    """Boxes of dense two-axis edge texture, largest evidence first; a few ms on 1280x720."""
    H, W = frame_bgr.shape[:2]
    f = max(1.0, W / work_width)
    small = (
        cv2.resize(frame_bgr, (int(W / f), int(H / f)), interpolation=cv2.INTER_AREA)
        if f > 1.0
        else frame_bgr
    )
    # min(B,G,R): dark, green, red and yellow modules are all dark in it; max(B,G,R) too: a
    # light-on-dark yellow code (light modules, dark screen) has no contrast in min, whose blue
    # is dark on both sides (#14: the finder boxed 0 of 4 such seed-7 codes that read when boxed)
    b, gr, r = planes(small)
    e = cv2.max(_edge_map(cv2.min(cv2.min(b, gr), r)), _edge_map(cv2.max(cv2.max(b, gr), r)))
    # components on a half-size evidence map: the box only needs to be roughly right
    e = cv2.resize(cv2.blur(e, (9, 9)), None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    f *= 2.0
    peak = float(e.max())
    if peak < 6:
        return []
    _t, mask = cv2.threshold(e, max(5.0, 0.45 * peak), 255, cv2.THRESH_BINARY)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    n, _lab, st, _c = cv2.connectedComponentsWithStats(mask, connectivity=8)
    cands = []
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in st[i])
        if w < 5 or h < 5 or area < 0.35 * w * h:
            continue
        if max(w, h) > 3.0 * min(w, h):  # text lines and bars are long and thin
            continue
        cands.append((area, (int(x * f), int(y * f), int(w * f), int(h * f))))
    cands.sort(key=lambda c: -c[0])
    return [b for _s, b in cands[:max_boxes]]


def box_from_points(points: tuple[tuple[float, float], ...]) -> Box:
    """Axis-aligned box around a located (but unread) symbol's corners."""
    p = np.asarray(points, np.float32)
    x0, y0 = p.min(axis=0)
    x1, y1 = p.max(axis=0)
    return int(x0), int(y0), int(max(1, x1 - x0)), int(max(1, y1 - y0))
