"""Thin wrappers over the QR engines so the decoder deals in plain tuples, not library objects."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

_QR = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
Quad = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Hit:
    """One symbol zxing saw: its text (None when only located), corners in view pixels, and
    whether it was light-on-dark (the colour is then judged on the other side, see color.py)."""

    text: str | None
    points: Quad
    inverted: bool = False


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
    invert also reads the view light-on-dark (dark-mode phones, WeChat-style personal codes)
    when the normal pass reads nothing: as zxing's own try_invert, a read costs the same and a
    miss one more pass, but we know which polarity read (the colour depends on it)."""
    view = np.ascontiguousarray(gray)
    out = _zx(view, downscale, binarizer, with_errors, False)
    if invert and not any(h.text for h in out):
        out += zx_read_inverted(
            view, downscale=downscale, binarizer=binarizer, with_errors=with_errors
        )
    return out


def zx_read_inverted(
    gray: np.ndarray, *, downscale: bool = True, binarizer: str = "local", with_errors: bool = False
) -> list[Hit]:
    """The light-on-dark half of zx_read(invert=True) alone: its hits are marked inverted."""
    view = cv2.bitwise_not(np.ascontiguousarray(gray))
    return _zx(view, downscale, binarizer, with_errors, True)


def _zx(view: np.ndarray, downscale: bool, binarizer: str, errors: bool, inv: bool) -> list[Hit]:
    binz = {"local": zxingcpp.Binarizer.LocalAverage, "global": zxingcpp.Binarizer.GlobalHistogram}[
        binarizer
    ]
    found = zxingcpp.read_barcodes(
        view,
        formats=_QR,
        try_rotate=True,
        try_downscale=downscale,
        try_invert=False,
        binarizer=binz,
        return_errors=errors,
    )
    out = []
    for b in found:
        ok = b.valid and bool(b.text) and not b.error
        if ok:
            out.append(Hit(_text(b), _quad(b), inv))
        elif errors:
            out.append(Hit(None, _quad(b), inv))
    return out


def map_points(points: Quad, scale: float, x0: float, y0: float) -> Quad:
    """Map corners from a cropped, scaled view back to frame coordinates."""
    return tuple((x / scale + x0, y / scale + y0) for x, y in points)
