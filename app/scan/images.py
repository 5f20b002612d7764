"""Still images from disk for the scan engine (decode, key QR photos): read safely or say why."""

from __future__ import annotations

import os

import cv2
import numpy as np

MAX_IMAGE_BYTES = 64 * 1024 * 1024  # a camera still is a few MB; refuse anything absurd unread


def load_image(path: str) -> np.ndarray:
    """Read an image through imdecode so non-ASCII paths work; raise ValueError with a reason."""
    if not os.path.exists(path):
        raise ValueError("file not found")
    if os.path.isdir(path):
        raise ValueError("is a directory")
    size = os.path.getsize(path)
    if size == 0:
        raise ValueError("empty file")
    if size > MAX_IMAGE_BYTES:
        raise ValueError("file too large")
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError as e:
        raise ValueError(f"cannot read file: {e.strerror or e}") from None
    img = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError("not a readable image")
    return img
