"""Put back what is the same in every file the gate writes, so SQLite reads a damaged one on:
the header fields and the schema's own CREATE statements. On a scratch copy only (db/salvage.py
copies the rows out of it afterwards).
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

log = logging.getLogger(__name__)
# what reading a damaged file raises: SQLite's error, or Python failing to decode SQLite's
# message when it quotes garbled bytes ("malformed database schema (\xbe…)")
READ_ERRORS = (sqlite3.DatabaseError, UnicodeDecodeError)


def repair_header(path: Path) -> list[str]:
    """Put back the header fields that are the same in every file the gate writes (magic,
    format versions, payload fractions), so SQLite reads on; on a scratch copy only."""
    fixed: list[str] = []
    with open(path, "r+b") as fh:
        head = bytearray(fh.read(100))
        if len(head) < 100:
            return fixed
        if head[:16] != b"SQLite format 3\x00":
            head[:16] = b"SQLite format 3\x00"
            fixed.append("magic")
        if head[18] not in (1, 2) or head[19] not in (1, 2):
            head[18:20] = b"\x02\x02"
            fixed.append("versions")
        if head[21:24] != bytes((64, 32, 32)):
            head[21:24] = bytes((64, 32, 32))
            fixed.append("payload fractions")
        if fixed:
            fh.seek(0)
            fh.write(bytes(head))
            log.warning("salvage: repaired the header of %s (%s)", path, ", ".join(fixed))
    return fixed


def _schema_problem(path: Path) -> str | None:
    """SQLite's complaint when it cannot parse the file's schema at all, else None."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return None
    except UnicodeDecodeError:  # SQLite quoted a garbled name from the schema
        return "malformed database schema (a name is not UTF-8)"
    except sqlite3.DatabaseError as exc:
        return str(exc) if "schema" in str(exc) else None
    finally:
        conn.close()


def repair_schema(path: Path, known: dict[tuple[str, str], str]) -> list[str]:
    """When a garbled CREATE statement makes SQLite refuse every table, put back the gate's
    own statement for each table and index it knows by name (the fresh file's, made by the
    same migrations); on a scratch copy only. Returns the names repaired."""
    problem = _schema_problem(path)
    if problem is None:
        return []
    fixed: list[str] = []
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.text_factory = lambda data: data.decode("utf-8", "replace")
    try:
        conn.execute("PRAGMA writable_schema = ON")  # read the schema past the bad entry
        rows = conn.execute("SELECT rowid, type, name, tbl_name, sql FROM sqlite_master").fetchall()
        for rowid, kind, stored, tbl_name, sql in rows:
            name = stored
            if (kind, name) not in known and kind == "table" and (kind, tbl_name) in known:
                name = tbl_name  # a table's name is its tbl_name: one of the two survived
            want = known.get((kind, name))
            if want is not None and (sql != want or name != stored):
                conn.execute(
                    "UPDATE sqlite_master SET name = ?, sql = ? WHERE rowid = ?",
                    (name, want, rowid),
                )
                fixed.append(str(name))
    except READ_ERRORS as exc:
        log.error("salvage: the schema of %s cannot be repaired: %s", path, exc)
    finally:
        conn.close()
    log.warning("salvage: %s (%s); statements put back: %s", problem, path, fixed)
    return fixed
