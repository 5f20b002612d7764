"""Thin wrappers over the QR engines so the decoder deals in plain tuples, not library objects."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import zxingcpp

_QR = zxingcpp.BarcodeFormat.QRCode
Quad = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Hit:
    """One symbol zxing saw: its text (None when only located) and corners in view pixels."""

    text: str | None
    points: Quad


def _quad(b: zxingcpp.Barcode) -> Quad:
    p = b.position
    return tuple(
        (float(q.x), float(q.y)) for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
    )


def _text(b: zxingcpp.Barcode) -> str:
    """Prefer the payload bytes as UTF-8: health codes are UTF-8, and a charset guess
    (Shift-JIS, Latin-1) on unmarked byte-mode data is how other readers garble Chinese names."""
    try:
        raw = bytes(b.bytes)
        return raw.decode("utf-8") if raw else b.text
    except UnicodeDecodeError:
        return b.text


def zx_read(
    gray: np.ndarray,
    *,
    downscale: bool = True,
    binarizer: str = "local",
    with_errors: bool = False,
    invert: bool = False,
) -> list[Hit]:
    """Read QR codes from one 8-bit view; with_errors also returns located, unread symbols;
    invert also tries the view light-on-dark (dark-mode phones, WeChat-style personal codes):
    zxing retries inverted only when the normal pass finds nothing, so a read costs the same."""
    binz = {"local": zxingcpp.Binarizer.LocalAverage, "global": zxingcpp.Binarizer.GlobalHistogram}[
        binarizer
    ]
    found = zxingcpp.read_barcodes(
        np.ascontiguousarray(gray),
        formats=_QR,
        try_rotate=True,
        try_downscale=downscale,
        try_invert=invert,
        binarizer=binz,
        return_errors=with_errors,
    )
    out = []
    for b in found:
        ok = b.valid and bool(b.text) and not b.error
        if ok:
            out.append(Hit(_text(b), _quad(b)))
        elif with_errors:
            out.append(Hit(None, _quad(b)))
    return out


def map_points(points: Quad, scale: float, x0: float, y0: float) -> Quad:
    """Map corners from a cropped, scaled view back to frame coordinates."""
    return tuple((x / scale + x0, y / scale + y0) for x, y in points)
