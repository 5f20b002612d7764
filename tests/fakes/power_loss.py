"""A disk that loses power (#13 item 5), in the spirit of SQLite's own crash tests.

`PowerLossVFS` is an apsw VFS over the real one: every file it opens is held in memory and
reaches the disk only at xSync. At `cut()` the power goes: whatever was written since the
last sync is thrown away (or, `torn=True`, a random subset of those writes reaches the disk,
in any order, as a disk with a write cache may do), and every later write fails.

`ApswConnection` lets the gate's own code (db/migrations, db/connection's pragmas, the record
writer) run unchanged on apsw: the subset of sqlite3.Connection they use, with apsw's errors
as sqlite3's.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from typing import Any

import apsw


class PowerCut(apsw.IOError):
    """Raised by the disk when the power has gone."""


class PowerLossVFS(apsw.VFS):
    def __init__(self, name: str, rng: random.Random, cut_after: int, torn: bool = False) -> None:
        super().__init__(name, "")
        self.name = name
        self.rng = rng
        self.cut_after = cut_after  # the power goes at this write or sync
        self.torn = torn
        self.ops = 0
        self.dead = False
        self.files: list[PowerLossFile] = []
        self.main_db_writes = 0  # writes to the database file itself: WAL checkpoints

    def xOpen(self, name: Any, flags: list[int]) -> PowerLossFile:  # noqa: N802 - apsw API
        f = PowerLossFile(self, name, flags)
        self.files.append(f)
        return f

    def xDelete(self, filename: str, syncdir: bool) -> None:  # noqa: N802 - apsw API
        if self.dead:
            raise PowerCut("power is off")
        super().xDelete(filename, syncdir)

    def tick(self) -> None:
        """One write or sync; the power goes at the chosen one."""
        if self.dead:
            raise PowerCut("power is off")
        self.ops += 1
        if self.ops >= self.cut_after:
            self.cut()
            raise PowerCut("power cut")

    def cut(self) -> None:
        self.dead = True
        for f in self.files:
            f.lose_power()


class PowerLossFile(apsw.VFSFile):
    """The file as SQLite sees it lives in memory; the disk holds only what was synced."""

    def __init__(self, vfs: PowerLossVFS, name: Any, flags: list[int]) -> None:
        super().__init__("", name, flags)
        self.vfs = vfs
        self.main_db = bool(flags[0] & apsw.mapping_open_flags["SQLITE_OPEN_MAIN_DB"])
        size = super().xFileSize()
        self.image = bytearray(super().xRead(size, 0)) if size else bytearray()
        self.unsynced: list[tuple[int, bytes]] = []  # writes since the last sync, in order
        self.truncated_to: int | None = None

    def xRead(self, amount: int, offset: int) -> bytes:  # noqa: N802 - apsw API
        return bytes(self.image[offset : offset + amount])  # short at the end: apsw zero-fills

    def xWrite(self, data: bytes, offset: int) -> None:  # noqa: N802 - apsw API
        self.vfs.tick()
        self.vfs.main_db_writes += self.main_db
        end = offset + len(data)
        if end > len(self.image):
            self.image.extend(b"\0" * (end - len(self.image)))
        self.image[offset:end] = data
        self.unsynced.append((offset, bytes(data)))

    def xTruncate(self, newsize: int) -> None:  # noqa: N802 - apsw API
        self.vfs.tick()
        del self.image[newsize:]
        self.truncated_to = newsize

    def xFileSize(self) -> int:  # noqa: N802 - apsw API
        return len(self.image)

    def xSync(self, flags: int) -> None:  # noqa: N802 - apsw API
        self.vfs.tick()
        # the simulated disk is the real file; the process never really dies, so the OS's
        # own fsync adds nothing here but milliseconds
        self._to_disk(self.unsynced)

    def _to_disk(self, writes: list[tuple[int, bytes]]) -> None:
        if self.truncated_to is not None:
            super().xTruncate(self.truncated_to)
            self.truncated_to = None
        for offset, data in writes:
            super().xWrite(data, offset)
        self.unsynced = []

    def lose_power(self) -> None:
        """What reaches the disk of the writes not synced: nothing, or (torn) some of them."""
        if self.vfs.torn and self.unsynced:
            kept = [w for w in self.unsynced if self.vfs.rng.random() < 0.5]
            self.vfs.rng.shuffle(kept)
            self.truncated_to = None
            self._to_disk(kept)
        self.unsynced = []
        self.truncated_to = None

    def xClose(self) -> None:  # noqa: N802 - apsw API
        if not self.vfs.dead:
            self._to_disk(self.unsynced)  # the OS writes a closed file's cache eventually
        super().xClose()


# ----------------------------------------------------------------- sqlite3 over apsw
class _Cursor:
    def __init__(self, rows: list[tuple[Any, ...]], lastrowid: int, rowcount: int) -> None:
        self._rows = rows
        self.lastrowid = lastrowid
        self.rowcount = rowcount

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows.pop(0) if self._rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows, self._rows = self._rows, []
        return rows

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.fetchall())


class ApswConnection:
    """What the gate's writers use of sqlite3.Connection, on an apsw connection."""

    def __init__(self, path: str, vfs: str) -> None:
        self.raw = apsw.Connection(path, vfs=vfs)

    @property
    def in_transaction(self) -> bool:
        return not self.raw.get_autocommit()

    def execute(self, sql: str, params: Any = ()) -> _Cursor:
        try:
            rows = list(self.raw.execute(sql, params))
        except apsw.ConstraintError as exc:
            raise sqlite3.IntegrityError(str(exc)) from exc
        except apsw.Error as exc:
            raise sqlite3.OperationalError(str(exc)) from exc
        return _Cursor(rows, self.raw.last_insert_rowid(), self.raw.changes())

    def close(self) -> None:
        try:
            self.raw.close(force=True)
        except apsw.Error:
            pass  # closing after the power went: nothing more reaches the disk anyway
