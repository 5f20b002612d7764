"""The compound's public key as a QR code: a PNG to hand over, or a picture to import from."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import cv2
import numpy as np
import qrcode

from app import files
from app.clock import Clock
from app.errors import KnownError
from app.roster import passes

IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"BM", b"GIF8", b"RIFF")


def key_qr_text(conn: sqlite3.Connection, clock: Clock) -> str:
    return passes.export_public_key(conn, clock)


def key_id_of_text(text: str) -> str:
    return passes.key_id_of(passes.public_key_bytes(text)).hex()


def write_png(text: str, out: Path | str, module_px: int = 10) -> Path:
    """A plain black-on-white QR (error correction M, 4-module quiet zone), written atomically."""
    qr = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(text)
    qr.make(fit=True)
    dark = np.array(qr.get_matrix(), dtype=bool)
    pixels = np.where(dark, 0, 255).astype(np.uint8)
    pixels = np.kron(pixels, np.ones((module_px, module_px), dtype=np.uint8))
    ok, data = cv2.imencode(".png", pixels)
    if not ok:
        raise KnownError("print_failed", detail="png")
    return files.write_bytes(out, data.tobytes())


def is_image(path: Path) -> bool:
    if path.suffix.lower() in (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"):
        return True
    with path.open("rb") as fh:
        return fh.read(4).startswith(IMAGE_MAGIC)


def read_key_image(path: Path | str) -> str:
    """The 'GPK1:' text of the key QR in a photo or PNG (the scan engine reads it)."""
    from app.scan.decoder import FrameDecoder
    from app.scan.image import load_image

    try:
        frame = load_image(path)
    except KnownError as exc:
        if exc.code in ("image_too_many_pixels", "image_too_small"):
            raise  # say what is wrong with the picture
        raise KnownError("key_qr_unreadable") from None
    for result in FrameDecoder(budget_ms=2000).decode(frame):
        if result.text.strip().startswith(passes.KEY_PREFIX):
            return result.text.strip()
    raise KnownError("key_qr_unreadable")


def import_key_file(conn: sqlite3.Connection, path: Path | str, clock: Clock) -> str:
    """Trust the key in a text file or in a picture of its QR code; returns the key id."""
    path = Path(path)
    if not path.is_file():
        raise KnownError("import_missing", path=str(path))
    if is_image(path):
        text = read_key_image(path)
    else:
        text = path.read_text(encoding="utf-8", errors="replace")
    return passes.import_public_key(conn, text, clock, label=path.name)
