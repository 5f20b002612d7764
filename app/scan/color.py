"""Classify a health code's colour from the pixels of its dark modules."""
from __future__ import annotations

import numpy as np


def classify_color(frame_bgr: np.ndarray, points: tuple[tuple[float, float], ...]) -> str:
    """Return green/yellow/red/black/unknown from the darker half of the code region.

    Hue is measured on the darkest pixels inside the code's bounding box relative to the
    brightest (the white background), so a white-balance cast cancels out.
    """
    if frame_bgr is None or frame_bgr.ndim != 3 or not points:
        return "unknown"
    pts = np.asarray(points, dtype=np.float32)
    h, w = frame_bgr.shape[:2]
    x0, y0 = np.clip(pts.min(axis=0).astype(int), 0, [w - 1, h - 1])
    x1, y1 = np.clip(pts.max(axis=0).astype(int) + 1, 1, [w, h])
    roi = frame_bgr[y0:y1, x0:x1].reshape(-1, 3).astype(np.float32)
    if roi.shape[0] < 16:
        return "unknown"
    lum = roi.mean(axis=1)
    lo, hi = np.percentile(lum, 25), np.percentile(lum, 90)
    if hi - lo < 15:
        return "unknown"
    white = roi[lum >= hi].mean(axis=0) + 1.0
    dark = roi[lum <= lo] / white  # normalise by the local white: cancels colour casts
    b, g, r = np.median(dark, axis=0)
    mx, mn = max(b, g, r), min(b, g, r)
    if mx < 1e-3:
        return "black"
    sat = (mx - mn) / mx
    if sat < 0.25:
        return "black"
    # hue in degrees, from normalised rgb
    import colorsys

    hue = colorsys.rgb_to_hsv(float(r), float(g), float(b))[0] * 360.0
    if hue < 25 or hue >= 330:
        return "red"
    if 35 <= hue < 70:
        return "yellow"
    if 80 <= hue < 170:
        return "green"
    return "unknown"
