"""Load a still image for decoding within limits: the size is read from the header first.

A 1 MB PNG can claim 20000 x 20000 pixels (1.2 GB once decoded); a JPEG header can claim
65500 x 65500 with no data behind it. Pillow reads only the header (`Image.open` is lazy),
so the pixel count is checked before OpenCV allocates anything; images too small to hold a
QR code are refused too. Every refusal is a KnownError with a zh/en message.
"""

from __future__ import annotations

import io
import os
import struct
import warnings
from pathlib import Path

import cv2
import numpy as np

from app.errors import KnownError

MAX_IMAGE_BYTES = 64 * 1024 * 1024  # a camera still is a few MB; refuse anything absurd unread
MAX_PIXELS = 40_000_000  # a 48 MP phone photo scaled down once; 8000 x 5000 at most
MIN_SIDE = 21  # a version-1 QR code has 21 modules: fewer pixels cannot hold one


def header_size(data: bytes) -> tuple[int, int]:
    """(width, height) from the header alone; KnownError when it is not an image we read."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                width, height = im.size
    except Image.DecompressionBombError:
        raise KnownError("image_too_many_pixels", width="?", height="?", limit=MAX_PIXELS) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise KnownError("image_unreadable") from None
    except (struct.error, IndexError, KeyError, TypeError, OverflowError, RecursionError):
        raise KnownError("image_unreadable") from None
    return int(width), int(height)


def check_size(width: int, height: int, max_pixels: int = MAX_PIXELS) -> None:
    """Refuse sizes OpenCV must never be asked to allocate, and sizes that hold no QR code."""
    if width * height > max_pixels:
        raise KnownError("image_too_many_pixels", width=width, height=height, limit=max_pixels)
    if min(width, height) < MIN_SIDE:
        raise KnownError("image_too_small", width=width, height=height, side=MIN_SIDE)


def decode_bytes(data: bytes, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """BGR pixels of an encoded image, checked from its header before decoding."""
    if not data:
        raise KnownError("image_empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise KnownError("image_file_too_large")
    width, height = header_size(data)
    check_size(width, height, max_pixels)
    try:
        img = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    except cv2.error:
        img = None
    if img is None or img.ndim != 3 or img.shape[0] < MIN_SIDE or img.shape[1] < MIN_SIDE:
        raise KnownError("image_unreadable")
    if img.shape[0] * img.shape[1] > max_pixels:  # the header lied to Pillow but not to OpenCV
        raise KnownError(
            "image_too_many_pixels", width=img.shape[1], height=img.shape[0], limit=max_pixels
        )
    return img


def load_image(path: str | Path, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Read an image file (non-ASCII paths work) within limits; KnownError with the reason."""
    path = str(path)
    if not os.path.exists(path):
        raise KnownError("image_missing")
    if os.path.isdir(path):
        raise KnownError("image_is_folder")
    size = os.path.getsize(path)
    if size == 0:
        raise KnownError("image_empty")
    if size > MAX_IMAGE_BYTES:
        raise KnownError("image_file_too_large")
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise KnownError("image_cannot_read", detail=exc.strerror or type(exc).__name__) from None
    return decode_bytes(data, max_pixels)
