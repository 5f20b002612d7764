"""Zip files from strangers (USB bundles, XLSX workbooks): limits checked before inflating.

`check_zip` reads only the central directory (names, declared sizes, count, nesting) and
refuses what a real file never looks like; `read_member` then inflates one member in chunks
and stops at its declared size, so a header that lies about the size cannot make it grow.
The gate's bundle import, the roster importer and the server's upload page all call these.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

CHUNK = 1 << 20


class ZipRefused(Exception):
    """The archive breaks a limit or is damaged; `reason` is a short code (e.g. "too_many")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ZipLimits:
    max_file_bytes: int  # the archive on disk
    max_members: int
    max_member_bytes: int  # one member, uncompressed
    max_total_bytes: int  # all members, uncompressed
    max_ratio: int  # uncompressed / compressed for a member larger than 1 MB
    max_depth: int  # folders in a member's name ("a/b/c" is depth 2)
    refuse_nested: bool = True  # a workbook may embed one (never opened); a bundle may not


# zip members the checks treat as archives inside the archive (nesting is refused)
NESTED_SUFFIXES = (".zip", ".xlsx", ".xlsm", ".jar", ".gz", ".7z", ".rar")
_RATIO_FLOOR = 1 << 20  # small members may compress better than any ratio (an empty sheet)


def _size_of(source: Path | bytes | IO[bytes]) -> int:
    if isinstance(source, (bytes, bytearray)):
        return len(source)
    if isinstance(source, Path):
        return source.stat().st_size
    here = source.tell()
    end = source.seek(0, io.SEEK_END)
    source.seek(here)
    return end


def open_checked(source: Path | str | bytes | IO[bytes], limits: ZipLimits) -> zipfile.ZipFile:
    """Open the archive and check its directory against the limits; raise ZipRefused."""
    if isinstance(source, str):
        source = Path(source)
    try:
        size = _size_of(source)
    except FileNotFoundError:
        raise ZipRefused("no_such_file") from None
    except OSError:
        raise ZipRefused("unreadable") from None
    if size > limits.max_file_bytes:
        raise ZipRefused("too_large")
    try:
        handle: Path | IO[bytes] = (
            io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source
        )
        zf = zipfile.ZipFile(handle)
    except Exception:  # noqa: BLE001 - zipfile raises many kinds on a hostile directory
        raise ZipRefused("damaged") from None
    try:
        check_infos(zf.infolist(), limits)
    except ZipRefused:
        zf.close()
        raise
    return zf


def check_infos(infos: list[zipfile.ZipInfo], limits: ZipLimits) -> None:
    """The directory-only checks: count, sizes, ratio and nesting, nothing inflated."""
    if len(infos) > limits.max_members:
        raise ZipRefused("too_many_members")
    total = 0
    names: set[str] = set()
    for info in infos:
        name = info.filename
        if name in names:
            raise ZipRefused("duplicate_member")
        names.add(name)
        if name.startswith("/") or ".." in name.split("/"):
            raise ZipRefused("bad_member_name")
        if name.rstrip("/").count("/") > limits.max_depth:
            raise ZipRefused("too_deep")
        if limits.refuse_nested and name.lower().endswith(NESTED_SUFFIXES):
            raise ZipRefused("nested_archive")
        if info.file_size > limits.max_member_bytes:
            raise ZipRefused("member_too_large")
        if info.file_size > _RATIO_FLOOR and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise ZipRefused("compression_ratio")
        total += info.file_size
        if total > limits.max_total_bytes:
            raise ZipRefused("too_large_unpacked")


def read_member(zf: zipfile.ZipFile, name: str, limit: int | None = None) -> bytes:
    """Inflate one member in chunks; stop once past its declared size or `limit`."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise ZipRefused(f"missing_{name}") from None
    cap = info.file_size if limit is None else min(info.file_size, limit)
    if info.file_size > cap:
        raise ZipRefused("member_too_large")
    out = bytearray()
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(min(CHUNK, cap + 1 - len(out)))
                if not chunk:
                    break
                out += chunk
                if len(out) > cap:
                    raise ZipRefused("member_larger_than_declared")
    except ZipRefused:
        raise
    except Exception:  # noqa: BLE001 - BadZipFile, zlib.error, NotImplementedError (method,
        # version), RuntimeError (encrypted), EOFError…: all mean the same to the caller
        raise ZipRefused("damaged") from None
    return bytes(out)
