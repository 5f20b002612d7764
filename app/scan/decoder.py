"""Find and read QR codes in a BGR frame (zxing-cpp on a few views of the frame)."""
from __future__ import annotations

import time

import cv2
import numpy as np
import zxingcpp

from .color import classify_color
from .types import ScanResult

_CLAHE = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))


def _views(frame_bgr: np.ndarray):
    gray = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY)
    yield gray
    yield _CLAHE.apply(gray)
    yield frame_bgr.min(axis=2)


class FrameDecoder:
    """Reads the QR codes in one frame; tries cheap views first and stops at the first hit."""

    def decode(self, frame_bgr: np.ndarray) -> list[ScanResult]:
        t0 = time.perf_counter()
        if frame_bgr is None or frame_bgr.size == 0:
            return []
        if frame_bgr.ndim == 2:
            frame_bgr = cv2.cvtColor(frame_bgr, cv2.COLOR_GRAY2BGR)
        for view in _views(frame_bgr):
            found = zxingcpp.read_barcodes(view, formats=zxingcpp.BarcodeFormat.QRCode)
            found = [b for b in found if b.valid and b.text]
            if found:
                ms = (time.perf_counter() - t0) * 1000.0
                out = []
                for b in found:
                    p = b.position
                    pts = tuple(
                        (float(q.x), float(q.y))
                        for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
                    )
                    out.append(ScanResult(b.text, pts, classify_color(frame_bgr, pts), ms))
                return out
        return []
