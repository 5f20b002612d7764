"""Hostile files built here, small on disk and huge when inflated or decoded (#13 item 2)."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

MB = 1 << 20


def zip_bomb(
    path: Path, names: tuple[str, ...], inflated_mb: int = 1024, small: tuple[str, ...] = ()
) -> Path:
    """A zip whose members are each `inflated_mb` MB of zeros (about 1 MB on disk per GB);
    the `small` members come first with a few bytes each."""
    zeros = bytes(MB)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name in small:
            zf.writestr(name, b"{}")
        for name in names:
            with zf.open(name, "w", force_zip64=inflated_mb >= 2048) as out:
                for _ in range(inflated_mb):
                    out.write(zeros)
    return path


def lie_about_sizes(path: Path, declared: int = 1000) -> Path:
    """Rewrite every central-directory entry to claim `declared` bytes uncompressed."""
    data = bytearray(path.read_bytes())
    at = 0
    while True:
        at = data.find(b"PK\x01\x02", at)
        if at < 0:
            break
        struct.pack_into("<I", data, at + 24, declared)
        at += 46
    path.write_bytes(bytes(data))
    return path


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG that claims width x height, with one tiny IDAT (a decoder would allocate it all)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )
    return path


def png_bomb(path: Path, width: int, height: int) -> Path:
    """A real, valid grey PNG of width x height, all white: compresses ~1000x (streamed)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    comp = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * width
    parts = []
    for _ in range(height):
        parts.append(comp.compress(row))
    parts.append(comp.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", b"".join(parts))
        + chunk(b"IEND", b"")
    )
    return path


def jpeg_header_only(path: Path, width: int = 65500, height: int = 65500) -> Path:
    """A JPEG start (SOI, a baseline SOF0 claiming width x height) with no image data."""
    sof = struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    data = b"\xff\xd8" + b"\xff\xc0" + struct.pack(">H", len(sof) + 2) + sof + b"\xff\xd9"
    path.write_bytes(data)
    return path
