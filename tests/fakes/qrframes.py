"""Synthetic camera frames of a coloured QR code on a phone-like card, for scan-engine tests."""

from __future__ import annotations

import cv2
import numpy as np
import segno

RGB = {"green": (0, 160, 0), "yellow": (240, 192, 0), "red": (208, 32, 32), "black": (10, 10, 10)}


def qr_matrix(payload: str, ecc: str = "M") -> np.ndarray:
    """Module matrix (1 = dark) without quiet zone, UTF-8 byte mode for non-ASCII text."""
    if payload.isascii():
        q = segno.make_qr(payload, error=ecc, boost_error=False)
    else:
        q = segno.make_qr(payload, error=ecc, boost_error=False, mode="byte", encoding="utf-8")
    return np.array([list(r) for r in q.matrix], dtype=np.uint8)


def frame(
    payload: str,
    color: str = "green",
    module_px: float = 4.0,
    size=(640, 480),
    angle: float = 0.0,
    blur_modules: float = 0.0,
    wb=(1.0, 1.0, 1.0),
    exposure: float = 1.0,
    noise: float = 2.0,
    jpeg: int = 85,
    seed: int = 0,
) -> np.ndarray:
    """A BGR frame: code of `color` on a white card, rotated, blurred, tinted, noisy, JPEG'd."""
    rng = np.random.default_rng(seed)
    m = qr_matrix(payload)
    n = m.shape[0] + 8  # quiet zone of 4 modules
    card = np.full((n, n, 3), 245, np.uint8)
    r, g, b = RGB[color]
    card[4:-4, 4:-4][m.astype(bool)] = (b, g, r)
    side = int(round(n * module_px))
    big = cv2.resize(card, (n * 8, n * 8), interpolation=cv2.INTER_NEAREST)
    card = cv2.resize(big, (side, side), interpolation=cv2.INTER_AREA)
    W, H = size
    img = np.empty((H, W, 3), np.uint8)
    img[:] = (int(rng.integers(60, 140)), int(rng.integers(60, 140)), int(rng.integers(60, 140)))
    M = cv2.getRotationMatrix2D((side / 2, side / 2), angle, 1.0)
    M[:, 2] += ((W - side) / 2, (H - side) / 2)
    mask = cv2.warpAffine(np.full((side, side), 255, np.uint8), M, (W, H))
    warped = cv2.warpAffine(card, M, (W, H), flags=cv2.INTER_LINEAR)
    img[mask > 127] = warped[mask > 127]
    if blur_modules > 0:
        img = cv2.GaussianBlur(img, (0, 0), blur_modules * module_px)
    f = img.astype(np.float32) * np.array(wb[::-1], np.float32) * exposure
    f += rng.normal(0, noise, f.shape).astype(np.float32)
    img = np.clip(f, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, jpeg])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def patch(
    color: str, wb=(1.0, 1.0, 1.0), exposure: float = 1.0, glare: float = 0.0, seed: int = 0
) -> tuple[np.ndarray, tuple[tuple[float, float], ...]]:
    """A frame and the code corners, for colour-classification cases."""
    img = frame(
        "HC1:COLOUR-TEST-0123456789", color, module_px=6, wb=wb, exposure=exposure, seed=seed
    )
    H, W = img.shape[:2]
    side = (len(qr_matrix("HC1:COLOUR-TEST-0123456789")) + 8) * 6
    x0, y0 = (W - side) / 2 + 24, (H - side) / 2 + 24
    x1, y1 = x0 + side - 48, y0 + side - 48
    if glare > 0:
        yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
        g = np.exp(-(((xx - (x0 + x1) / 2) / 40) ** 2 + ((yy - (y0 + y1) / 2) / 25) ** 2))
        img = np.clip(img + glare * 255 * g[..., None], 0, 255).astype(np.uint8)
    return img, ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def sampled_frame(
    payload: str,
    color: str = "black",
    module_px: float = 1.0,
    shift: tuple[float, float] = (0.0, 0.0),
    angle: float = 0.0,
    blur: float = 0.3,
    noise: float = 3.0,
    seed: int = 0,
    size: tuple[int, int] = (320, 240),
) -> np.ndarray:
    """A far-away code as a sensor samples it: drawn 8 times finer, moved by `shift` (frame
    pixels, fractions too) and turned, then area-averaged down, so each pixel integrates its own
    patch of the code: at ~1 px per module every frame is aliased, differently for each shift."""
    S = 8
    m = qr_matrix(payload)
    n = m.shape[0] + 8
    card = np.full((n, n, 3), 245, np.uint8)
    r, g, b = RGB[color]
    card[4:-4, 4:-4][m.astype(bool)] = (b, g, r)
    big = cv2.resize(card, (n * S, n * S), interpolation=cv2.INTER_NEAREST)
    W, H = size
    M = cv2.getRotationMatrix2D((n * S / 2, n * S / 2), angle, module_px)  # fine px per big px
    M[:, 2] += ((W / 2 + shift[0]) * S - n * S / 2, (H / 2 + shift[1]) * S - n * S / 2)
    fine = cv2.warpAffine(
        big, M, (W * S, H * S), flags=cv2.INTER_LINEAR, borderValue=(90, 100, 110)
    )
    img = cv2.resize(fine, (W, H), interpolation=cv2.INTER_AREA).astype(np.float32)
    if blur > 0:
        img = cv2.GaussianBlur(img, (0, 0), blur)
    img += np.random.default_rng(seed).normal(0, noise, img.shape).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)
