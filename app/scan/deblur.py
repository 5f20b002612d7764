"""Blind Wiener deconvolution bank: undoes defocus and hand motion no binariser sees through."""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import lru_cache

import cv2
import numpy as np


def motion_angle(g: np.ndarray) -> tuple[float, float]:
    """Blur direction (radians) and anisotropy from the gradient structure tensor.

    A QR code's edges run along both of its axes, so a sharp code's tensor is nearly isotropic;
    motion removes gradient energy along the motion, which becomes the weak eigenvector.
    """
    f = g.astype(np.float32)
    gx = cv2.Sobel(f, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(f, cv2.CV_32F, 0, 1, ksize=3)
    jxx, jyy, jxy = float((gx * gx).mean()), float((gy * gy).mean()), float((gx * gy).mean())
    tr, det = jxx + jyy, jxx * jyy - jxy * jxy
    disc = math.sqrt(max(0.0, tr * tr / 4 - det))
    l1, l2 = tr / 2 + disc, tr / 2 - disc
    theta_strong = 0.5 * math.atan2(2 * jxy, jxx - jyy)
    return theta_strong + math.pi / 2, (l1 - l2) / max(l1 + l2, 1e-6)


@lru_cache(maxsize=48)
def _filter(h: int, w: int, sigma: float, length: float, angle: float, k: float) -> np.ndarray:
    """2-channel Wiener filter conj(H)/(|H|^2+k) for a Gaussian times linear-motion PSF.

    Both PSFs are symmetric, so H is real and analytic: no kernel image, no forward FFT of it.
    Cached because the live path deblurs the same tracked box frame after frame.
    """
    v = np.fft.fftfreq(h).astype(np.float32)
    u = np.fft.fftfreq(w).astype(np.float32)
    c = -2.0 * (math.pi * sigma) ** 2
    otf = np.outer(np.exp(c * v * v), np.exp(c * u * u)).astype(np.float32)
    if length > 0:
        x = (math.pi * length) * (u[None, :] * math.cos(angle) + v[:, None] * math.sin(angle))
        sinc = np.ones_like(x)
        np.divide(np.sin(x), x, out=sinc, where=np.abs(x) > 1e-6)
        otf *= sinc
    filt = otf / (otf * otf + np.float32(k))
    return cv2.merge([filt, filt])


def _stretch01(est: np.ndarray) -> np.ndarray:
    """1st-99th percentile stretch to 8 bits (percentiles from a subsample: 10x cheaper)."""
    sub = est[::3, ::3].ravel()
    lo, hi = np.partition(sub, [sub.size // 100, sub.size * 99 // 100])[
        [sub.size // 100, sub.size * 99 // 100]
    ]
    return np.clip((est - lo) * (255.0 / max(float(hi - lo), 1e-3)), 0, 255).astype(np.uint8)


def wiener(
    g: np.ndarray, sigma: float, length: float = 0.0, angle: float = 0.0, k: float = 0.01
) -> np.ndarray:
    """Wiener-deconvolve an 8-bit crop with one PSF guess; a contrast-stretched 8-bit crop."""
    pad = int(max(8, 3 * sigma + length))
    h, w = g.shape[:2]
    H2, W2 = cv2.getOptimalDFTSize(h + 2 * pad), cv2.getOptimalDFTSize(w + 2 * pad)
    f = cv2.copyMakeBorder(
        g.astype(np.float32) * (1.0 / 255.0),
        pad,
        H2 - h - pad,
        pad,
        W2 - w - pad,
        cv2.BORDER_REFLECT,
    )
    spec = cv2.dft(f, flags=cv2.DFT_COMPLEX_OUTPUT)
    spec = cv2.multiply(spec, _filter(H2, W2, sigma, length, round(angle, 2), k))
    est = cv2.idft(spec, flags=cv2.DFT_REAL_OUTPUT | cv2.DFT_SCALE)[pad : pad + h, pad : pad + w]
    return _stretch01(est)


def blur_estimate(g: np.ndarray) -> tuple[float, float, float, float]:
    """(gaussian sigma px, motion length px, motion angle, anisotropy) measured from edge slopes.

    A step blurred by a Gaussian has peak slope contrast/(sigma*sqrt(2*pi)); a motion streak of
    length L has peak slope contrast/L along the motion. The linear corrections were fitted on
    the benchmark's blurred frames (sigma residual 0.2 px, length residual 1.4 px).
    """
    angle, aniso = motion_angle(g)
    f = g.astype(np.float32)
    gx = cv2.Sobel(f, cv2.CV_32F, 1, 0, ksize=3) * 0.125
    gy = cv2.Sobel(f, cv2.CV_32F, 0, 1, ksize=3) * 0.125
    mag = cv2.magnitude(gx, gy)
    along = np.abs(gx * math.cos(angle) + gy * math.sin(angle))
    sub = f[::2, ::2]
    contrast = float(np.percentile(sub, 95) - np.percentile(sub, 5))
    slope = max(float(np.percentile(mag[::2, ::2], 99)), 1e-3)
    slope_along = max(float(np.percentile(along[::2, ::2], 99)), 1e-3)
    sigma = 1.41 * contrast / (math.sqrt(2 * math.pi) * slope) - 0.64
    length = 1.98 * contrast / slope_along - 4.34
    return float(np.clip(sigma, 0.8, 5.0)), float(np.clip(length, 2.5, 18.0)), angle, aniso


def looks_sharp(g: np.ndarray) -> bool:
    """True when a crop's edges are steep and isotropic: no defocus or motion to undo (#14).

    Thresholds from the seed-7 benchmark set: every code read only after deblurring measured
    sigma >= 0.65 px or anisotropy >= 0.3 (motion), or was located by zxing first; sharp
    clutter (posters, tiles, text) measures sigma 0.2-0.6 px.
    """
    _angle, aniso = motion_angle(g)
    if aniso >= SHARP_MAX_ANISO:
        return False
    f = g.astype(np.float32)
    gx = cv2.Sobel(f, cv2.CV_32F, 1, 0, ksize=3) * 0.125
    gy = cv2.Sobel(f, cv2.CV_32F, 0, 1, ksize=3) * 0.125
    slope = max(float(np.percentile(cv2.magnitude(gx, gy)[::2, ::2], 99)), 1e-3)
    sub = f[::2, ::2]
    contrast = float(np.percentile(sub, 95) - np.percentile(sub, 5))
    return 1.41 * contrast / (math.sqrt(2 * math.pi) * slope) - 0.64 < SHARP_MAX_SIGMA


SHARP_MAX_SIGMA = 0.65
SHARP_MAX_ANISO = 0.3


def psf_bank(g: np.ndarray) -> Iterator[tuple[float, float, float, float]]:
    """PSF guesses (sigma, length, angle, k) around the measured blur, most likely first."""
    sigma, length, angle, aniso = blur_estimate(g)
    gauss = [(max(0.7, sigma + d), 0.0, 0.0, 0.005) for d in (0.0, -0.35, 0.35, 0.7, -0.7)]
    motion = [(0.7, max(2.0, length + d), angle, 0.01) for d in (0.0, -1.5, 1.5, 3.0, -3.0)]
    if aniso >= 0.15:
        yield from motion
        yield from gauss[:2]
    else:
        yield from gauss
        yield from motion[:2]
