"""Multi-frame fusion: align the tracked candidate's crops from consecutive frames and combine them.

A phone is in view for half a second or more. Sensor noise is fresh in every frame and glare moves
as the hand moves, while the code's modules stay put relative to its corners. Aligning the crops
(an affine ECC fit on the chosen channel) and taking the per-pixel mean (noise) or median (moving
glare, an outlier frame) gives a view no single frame has. Runs in the StreamDecoder's worker
thread, never on the per-frame path.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from .locate import Box
from .preprocess import min_channel  # every code colour is dark in it: one channel aligns all

MAX_FRAMES = 15  # half a second at 30 fps
MIN_FRAMES = 3  # fewer than this is not worth aligning
CROP_PAD = 0.5  # each stored crop is the box plus half its size on every side: room for motion
MEDIAN_FRAMES = 7  # the median is taken over this many of the aligned frames (cost)
ALIGN_SIDE = 160  # the ECC fit runs on the region shrunk to this size: a few ms per frame


@dataclass(frozen=True)
class Crop:
    """One frame's pixels around the tracked box, and where they came from in the frame."""

    pixels: np.ndarray  # BGR, a copy (the camera may reuse its buffer)
    x0: int
    y0: int


def cut(frame: np.ndarray, box: Box, pad: float = CROP_PAD) -> Crop:
    """Copy the box plus padding out of a frame (clipped to the frame)."""
    x, y, w, h = box
    side = max(w, h)
    cx, cy = x + w / 2.0, y + h / 2.0
    half = side * (0.5 + pad)
    H, W = frame.shape[:2]
    x0, y0 = max(0, int(cx - half)), max(0, int(cy - half))
    x1, y1 = min(W, int(cx + half) + 1), min(H, int(cy + half) + 1)
    return Crop(frame[y0:y1, x0:x1].copy(), x0, y0)


class CropHistory:
    """The last MAX_FRAMES crops of one tracked candidate; cleared when the track is lost."""

    def __init__(self, maxlen: int = MAX_FRAMES) -> None:
        self.crops: deque[Crop] = deque(maxlen=maxlen)

    def add(self, frame: np.ndarray, box: Box) -> None:
        self.crops.append(cut(frame, box))

    def clear(self) -> None:
        self.crops.clear()

    def __len__(self) -> int:
        return len(self.crops)

    def snapshot(self) -> list[Crop]:
        return list(self.crops)


def _region(c: Crop, x0: int, y0: int, w: int, h: int) -> np.ndarray:
    """The frame region (x0, y0, w, h) taken from a stored crop, edges replicated where it ends."""
    m = np.array([[1, 0, c.x0 - x0], [0, 1, c.y0 - y0]], np.float32)
    return cv2.warpAffine(
        c.pixels, m, (w, h), flags=cv2.INTER_NEAREST, borderMode=cv2.BORDER_REPLICATE
    )


def register(
    crops: list[Crop], box: Box, iterations: int = 40
) -> tuple[list[tuple[np.ndarray, np.ndarray]], int, int]:
    """Every crop's frame region around box and its affine warp onto the latest crop's (an ECC
    fit on min(B,G,R), high-passed, shrunk to ALIGN_SIDE), the reference first with the identity.

    The warp maps reference pixels to the crop's pixels (for WARP_INVERSE_MAP), in full-size
    pixels. A crop whose fit does not converge or moves implausibly far is left out. Also
    returns the region's origin in the frame.
    """
    ref = crops[-1]
    x, y, w, h = box
    side = max(w, h)
    pad = int(side * 0.25) + 4
    x0, y0 = max(ref.x0, x - pad), max(ref.y0, y - pad)
    rh, rw = ref.pixels.shape[:2]
    x1 = min(ref.x0 + rw, x + w + pad)
    y1 = min(ref.y0 + rh, y + h + pad)
    W, H = x1 - x0, y1 - y0
    if W < 16 or H < 16:
        return [], x0, y0
    ref_img = _region(ref, x0, y0, W, H)
    s = min(1.0, ALIGN_SIDE / max(W, H))
    small = (max(8, int(W * s)), max(8, int(H * s)))

    def chan(img: np.ndarray) -> np.ndarray:
        # high-pass: the modules' edges stay, a smooth glare blob or exposure change goes away
        f = cv2.resize(min_channel(img), small, interpolation=cv2.INTER_AREA).astype(np.float32)
        return f - cv2.GaussianBlur(f, (0, 0), max(small) / 16.0)

    ref_ch = chan(ref_img)
    # glare moves between frames: fit on the pixels the reference does not have blown out
    blown = cv2.resize(min_channel(ref_img), small, interpolation=cv2.INTER_AREA) >= 235
    mask = None if blown.mean() > 0.7 else (~blown).astype(np.uint8)
    out = [(ref_img, np.eye(2, 3, dtype=np.float32))]
    crit = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, iterations, 1e-4)
    for c in crops[:-1]:
        img = _region(c, x0, y0, W, H)
        warp: np.ndarray = np.eye(2, 3, dtype=np.float32)
        try:
            _cc, found = cv2.findTransformECC(
                ref_ch,
                chan(img),
                warp,
                cv2.MOTION_AFFINE,
                crit,
                mask,  # type: ignore[arg-type]  # cv2's stub omits that the mask may be None
                5,
            )
        except cv2.error:
            continue
        warp = np.asarray(found, np.float32)  # float32 already: no copy
        warp[:, 2] /= s  # the linear part is scale-free; the shift is in shrunk pixels
        if (
            abs(warp[0, 2]) > 0.25 * side
            or abs(warp[1, 2]) > 0.25 * side
            or np.abs(warp[:, :2] - np.eye(2)).max() > 0.15
        ):
            continue
        out.append((img, warp))
    return out, x0, y0


def _warp(img: np.ndarray, warp: np.ndarray, size: tuple[int, int], interp: int) -> np.ndarray:
    return cv2.warpAffine(
        img, warp, size, flags=interp | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE
    )


def align(crops: list[Crop], box: Box, iterations: int = 40) -> tuple[list[np.ndarray], int, int]:
    """Every crop warped onto the latest one's frame region around box (affine ECC fit).

    Returns the aligned BGR regions (the reference first) and the region's origin in the frame.
    A crop whose fit does not converge or moves implausibly far is left out.
    """
    regs, x0, y0 = register(crops, box, iterations)
    return warped(regs), x0, y0


Registered = list[tuple[np.ndarray, np.ndarray]]  # (a crop's region, its warp), reference first


def warped(regs: Registered) -> list[np.ndarray]:
    """The registered regions warped onto the reference (frame resolution, bilinear)."""
    if not regs:
        return []
    size = regs[0][0].shape[1::-1]
    return [regs[0][0]] + [_warp(i, w, size, cv2.INTER_LINEAR) for i, w in regs[1:]]


def combine(aligned: list[np.ndarray]) -> Iterator[np.ndarray]:
    """Per-pixel mean (noise averages out), median (moving glare is an outlier), then minimum.

    Lazy: the median costs ~10x the mean (a partition per pixel), so it is computed only when the
    mean did not read, and over at most MEDIAN_FRAMES frames spread over the history.
    """
    acc = np.zeros(aligned[0].shape, np.float32)
    for a in aligned:
        acc += a
    yield np.clip(acc / len(aligned) + 0.5, 0, 255).astype(np.uint8)
    pick = np.linspace(0, len(aligned) - 1, min(len(aligned), MEDIAN_FRAMES)).round().astype(int)
    stack = np.stack([aligned[i] for i in dict.fromkeys(pick.tolist())])
    yield np.median(stack, axis=0).round().astype(np.uint8)
    # glare only adds light: where it slid away in any frame, the darkest value is the module
    low = aligned[0].copy()
    for a in aligned[1:]:
        cv2.min(low, a, dst=low)
    yield low


def fused_views(crops: list[Crop], box: Box) -> tuple[Iterator[np.ndarray], int, int]:
    """Fused BGR images of the tracked region (none when too few crops align) and their origin."""
    if len(crops) < MIN_FRAMES:
        return iter(()), 0, 0
    aligned, x0, y0 = align(crops, box)
    if len(aligned) < MIN_FRAMES:
        return iter(()), x0, y0
    return combine(aligned), x0, y0


SR_SIDE = 360  # the super-resolved region's longer side is at most this (cost of the decode)
SR_SHARPEN = 1.0  # unsharp amount on the fused image (the sensor blur and the splat)
SR_MIN_FACTOR = 2  # a region too big to be upsampled at least this much gets no SR view


def superres(
    crops: list[Crop], box: Box, iterations: int = 40
) -> tuple[np.ndarray | None, int, int, int]:
    """Multi-frame super-resolution of the tracked region (shift-and-add).

    A code at 1.4-2.5 px per module is aliased in every frame, differently in each: the hand
    moves it by a fraction of a pixel between frames. Each crop is registered onto the latest
    one (the affine ECC fit of register, sub-pixel), and its pixels are splatted at their
    registered positions onto a grid `factor` times finer (bilinear weights); each fine pixel is
    the weighted mean of the samples that fell near it (holes take the interpolated mean). The
    result is sharpened against the sensor's own blur. Returns the BGR image (None when too
    few crops register or the region is too big to gain), its origin in the frame and factor.
    """
    regs, x0, y0 = register(crops, box, iterations)
    img, f = shift_and_add(regs)
    return img, x0, y0, f


def shift_and_add(regs: Registered) -> tuple[np.ndarray | None, int]:
    """superres on crops already registered: the fine image and its factor (None, 1 when too
    few crops registered or the region is too big to gain)."""
    if len(regs) < MIN_FRAMES:
        return None, 1
    H, W = regs[0][0].shape[:2]
    f = min(4, SR_SIDE // max(W, H))
    if f < SR_MIN_FACTOR:
        return None, 1
    Hf, Wf = H * f, W * f
    acc = np.zeros((Hf * Wf, 3), np.float64)
    wsum = np.zeros(Hf * Wf, np.float64)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float64)
    for img, warp in regs:
        # the warp maps reference pixels to this crop's: invert it to place this crop's samples
        a, t = warp[:, :2].astype(np.float64), warp[:, 2].astype(np.float64)
        inv = np.linalg.inv(a)
        px, py = xx.ravel() - t[0], yy.ravel() - t[1]
        rx = inv[0, 0] * px + inv[0, 1] * py
        ry = inv[1, 0] * px + inv[1, 1] * py
        fx, fy = rx * f + (f - 1) / 2.0, ry * f + (f - 1) / 2.0  # pixel centres, fine grid
        ix, iy = np.floor(fx).astype(np.int64), np.floor(fy).astype(np.int64)
        dx, dy = fx - ix, fy - iy
        vals = img.reshape(-1, 3).astype(np.float64)
        for ox, oy, wgt in (
            (0, 0, (1 - dx) * (1 - dy)),
            (1, 0, dx * (1 - dy)),
            (0, 1, (1 - dx) * dy),
            (1, 1, dx * dy),
        ):
            jx, jy = ix + ox, iy + oy
            ok = (jx >= 0) & (jx < Wf) & (jy >= 0) & (jy < Hf)
            idx = jy[ok] * Wf + jx[ok]
            w = wgt[ok]
            wsum += np.bincount(idx, w, Hf * Wf)
            for ch in range(3):
                acc[:, ch] += np.bincount(idx, w * vals[ok, ch], Hf * Wf)
    # normalised convolution: spread each sample's weight over about half a frame pixel, so the
    # fine grid has no holes and no pattern from where samples happened to fall
    sig = 0.35 * f
    num = cv2.GaussianBlur(acc.reshape(Hf, Wf, 3).astype(np.float32), (0, 0), sig)
    den = cv2.GaussianBlur(wsum.reshape(Hf, Wf).astype(np.float32), (0, 0), sig)
    img = num / np.maximum(den, 1e-6)[..., None]
    blur = cv2.GaussianBlur(img, (0, 0), 0.6 * f)
    sharp = cv2.addWeighted(img, 1.0 + SR_SHARPEN, blur, -SR_SHARPEN, 0.0)
    return np.clip(sharp + 0.5, 0, 255).astype(np.uint8), f
