"""Hostile files built here, small on disk and huge when inflated or decoded (#13 item 2)."""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
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


_SHEET_HEAD = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<dimension ref="{dim}"/><sheetData>'
)


def _cell(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def header_row() -> bytes:
    return b'<row r="1">' + _cell("A1", "姓名") + _cell("B1", "身份证号") + b"</row>"


def xlsx_with_sheet(path: Path, chunks: Iterable[bytes], drop: tuple[str, ...] = ()) -> Path:
    """A real workbook (made by openpyxl) whose sheet1.xml is replaced by `chunks`, streamed."""
    import openpyxl

    base = path.with_suffix(".base.xlsx")
    openpyxl.Workbook().save(base)
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            if info.filename == "xl/worksheets/sheet1.xml":
                with zout.open("xl/worksheets/sheet1.xml", "w") as out:
                    for chunk in chunks:
                        out.write(chunk)
            else:
                zout.writestr(info, zin.read(info.filename))
    base.unlink()
    return path


def far_cell_sheet() -> Iterator[bytes]:
    """One cell at XFD1048576 below a proper header (issue #13: 24 GB before)."""
    yield _SHEET_HEAD.replace(b"{dim}", b"A1:XFD1048576") + header_row()
    yield b'<row r="1048576">' + _cell("XFD1048576", "x") + b"</row></sheetData></worksheet>"


def huge_merge_sheet() -> Iterator[bytes]:
    """A header, two rows and one merged range over the whole sheet (9.9 GB, 483 s before)."""
    yield _SHEET_HEAD.replace(b"{dim}", b"A1:B3") + header_row()
    yield b'<row r="2">' + _cell("A2", "张三") + _cell("B2", "x") + b"</row>"
    yield b"</sheetData>"
    yield b'<mergeCells count="1"><mergeCell ref="A2:XFD1048576"/></mergeCells></worksheet>'


def row_bomb_sheet(rows: int = 1_000_000, cols: int = 3) -> Iterator[bytes]:
    """`rows` rows of short text: a few hundred KB zipped, GBs once parsed into cells."""
    yield _SHEET_HEAD.replace(b"{dim}", b"A1:C1") + header_row()
    letters = "ABCDEFGHIJ"
    for start in range(2, rows + 2, 10_000):
        part = []
        for r in range(start, min(start + 10_000, rows + 2)):
            cells = "".join(f'<c r="{letters[c]}{r}"><v>{r}</v></c>' for c in range(cols))
            part.append(f'<row r="{r}">{cells}</row>')
        yield "".join(part).encode()
    yield b"</sheetData></worksheet>"


def blank_bomb_sheet(megabytes: int = 400) -> Iterator[bytes]:
    """Whitespace inside the sheet: inflates ~1000x, refused from the zip directory."""
    yield _SHEET_HEAD.replace(b"{dim}", b"A1:B1") + header_row()
    for _ in range(megabytes):
        yield b" " * MB
    yield b"</sheetData></worksheet>"


def repeated_row_sheet(rows: int = 3_000_000) -> Iterator[bytes]:
    """The same row without addresses, millions of times: about 435 KB zipped (3.1 GB before)."""
    yield _SHEET_HEAD.replace(b"{dim}", b"A1:C1") + header_row()
    row = b"<row><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row>"
    block = row * 10_000
    for _ in range(rows // 10_000):
        yield block
    yield b"</sheetData></worksheet>"
