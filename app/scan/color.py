"""Classify a health code's colour from the pixels of its dark modules."""

from __future__ import annotations

import colorsys

import cv2
import numpy as np

# Chroma of the modules relative to the white, divided by the module/white contrast, so a small
# or blurred code (modules mixed with white) keeps its score. Measured on 625 generated frames:
# black <= 0.07 except one glare frame (0.22, off every hue band), colours >= 0.22.
CHROMA_COLOUR = 0.15
CHROMA_BLACK = 0.10
MIN_CONTRAST = 0.08  # modules within 8 % of the white: too washed out to judge
MAX_PIXELS = 20_000  # subsample big codes: the statistics do not need more, the budget does


def _quad_pixels(frame_bgr: np.ndarray, points: tuple[tuple[float, float], ...]) -> np.ndarray:
    """Pixels inside the code's quadrilateral, shrunk 8 % so background never leaks in."""
    pts = np.asarray(points, dtype=np.float32).reshape(-1, 2)
    c = pts.mean(axis=0)
    pts = c + (pts - c) * 0.92
    h, w = frame_bgr.shape[:2]
    x0, y0 = np.clip(np.floor(pts.min(axis=0)).astype(int), 0, [w - 1, h - 1])
    x1, y1 = np.clip(np.ceil(pts.max(axis=0)).astype(int) + 1, 1, [w, h])
    if x1 - x0 < 4 or y1 - y0 < 4:
        return np.empty((0, 3), np.float32)
    step = max(1, int(np.ceil(((x1 - x0) * (y1 - y0) / MAX_PIXELS) ** 0.5)))  # big codes
    roi = frame_bgr[y0:y1:step, x0:x1:step]
    mask = np.zeros(roi.shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round((pts - (x0, y0)) / step).astype(np.int32)], 255)
    return roi[mask > 0].astype(np.float32)


def _quantile(v: np.ndarray, q: float) -> float:
    """One quantile by partial sort: np.percentile is several times slower at this size."""
    k = min(len(v) - 1, max(0, int(q * (len(v) - 1))))
    return float(np.partition(v, k)[k])


def classify_color(
    frame_bgr: np.ndarray, points: tuple[tuple[float, float], ...], light_on_dark: bool = False
) -> str:
    """Return green/yellow/red/black/unknown from the code's dark modules relative to its white.

    Module colour is divided by the local white (cancels white balance and screen brightness);
    the darkest quarter of pixels is used, which glare spares; hue bands are separated by gaps
    that answer "unknown", so a red or yellow code is never called green.
    light_on_dark (a code read inverted): light coloured modules on a dark screen are judged by
    their own hue (the dark side, divided by a coloured "white", means nothing), so a red code
    in dark mode is never called black; white modules on a colour (WeChat style) as above, by
    the dark side (#14).
    """
    if frame_bgr is None or frame_bgr.ndim != 3 or not points or len(points) < 3:
        return "unknown"
    px = _quad_pixels(frame_bgr, points)
    if px.shape[0] < 32:
        return "unknown"
    lum = px.mean(axis=1)
    lo, hi = _quantile(lum, 0.25), _quantile(lum, 0.85)
    if hi - lo < 12:
        return "unknown"
    white = px[lum >= hi].mean(axis=0) + 1.0
    dark = np.median(px[lum <= lo] / white, axis=0)  # B, G, R relative to the local white
    if light_on_dark:
        light = white / float(white.max())  # the light modules' own colour, brightest = 1
        b, g, r = (float(v) for v in light)
        if max(b, g, r) - min(b, g, r) >= CHROMA_COLOUR:
            return _hue_band(b, g, r)  # coloured modules on a dark screen: their hue
        # white or grey modules: on a colour (WeChat style) the dark side has the hue, below
    return _judge(*(float(v) for v in np.clip(dark, 0.0, 1.0)))


def _judge(b: float, g: float, r: float) -> str:
    """Colour name of the dark modules (B, G, R relative to the white)."""
    contrast = 1.0 - (b + g + r) / 3.0
    if contrast < MIN_CONTRAST:
        return "unknown"
    chroma = (max(b, g, r) - min(b, g, r)) / contrast
    if chroma < CHROMA_BLACK:
        return "black"
    if chroma < CHROMA_COLOUR:
        return "unknown"
    return _hue_band(b, g, r)


def _hue_band(b: float, g: float, r: float) -> str:
    hue = colorsys.rgb_to_hsv(r, g, b)[0] * 360.0
    if hue < 20 or hue >= 335:
        return "red"
    if 32 <= hue < 70:
        return "yellow"
    if 95 <= hue < 160:
        return "green"
    return "unknown"
