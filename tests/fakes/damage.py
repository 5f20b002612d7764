"""Damaged gate databases for the salvage, `db` command and window tests (#13 item 3)."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from app.database import open_database
from app.gate.service import GateService, Identity, PassageDraft
from app.officer import OfficerAuth
from app.sync.identity import load_identity, save_enrolment

PIN = "246810"
PROTECTED = ("device", "officer_pin", "sync_identity", "settings", "sqlite_master")


def gate_with_records(data_dir, clock, passages: int = 1500):
    gdb = open_database(data_dir)
    svc = GateService(gdb, clock)
    svc.settings.set("volunteer", "王阿姨")
    OfficerAuth(gdb, clock).set_pin(PIN)
    load_identity(gdb.conn)  # makes the sync key
    save_enrolment(gdb.conn, "http://127.0.0.1:9", "token-abc", "2026-11-29T00:00:00Z")
    for i in range(passages):
        ident = Identity(method="name_room", person_name=f"居民{i:05d}", room=f"{i % 900}")
        svc.record(PassageDraft(code_color="green", temperature="36.5", identity=ident))
        clock.advance(seconds=7)
    return gdb


def close_for_damage(gdb) -> Path:
    """Checkpoint the WAL into the file and close it: the file alone holds every row, ready
    to be damaged on disk. Returns its path."""
    gdb.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    gdb.close()
    return Path(gdb.path)


def snapshot(conn: sqlite3.Connection, table: str) -> dict:
    return {r[0]: tuple(r) for r in conn.execute(f"SELECT rowid, * FROM {table}")}


def corrupt_pages(path, seed: int, hits: int = 6) -> list[int]:
    """Overwrite random bytes inside random pages of the middle of the file (seeded), never
    the pages of the device, PIN, pairing or settings tables or the schema."""
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    protected = {
        r[0]
        for r in conn.execute(
            f"SELECT pageno FROM dbstat WHERE name IN ({','.join('?' * len(PROTECTED))})",
            PROTECTED,
        )
    }
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    rng = random.Random(seed)
    candidates = [p for p in range(pages // 4, pages - 1) if p not in protected and p > 1]
    chosen = sorted(rng.sample(candidates, hits))
    raw = bytearray(path.read_bytes())
    for page in chosen:
        start = (page - 1) * page_size + rng.randrange(8, page_size - 300)
        raw[start : start + 256] = rng.randbytes(256)
    path.write_bytes(bytes(raw))
    return chosen


def readable_rows(path, table: str, rowids) -> dict:
    """What a careful reader still gets from the damaged file, row by row."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.text_factory = lambda b: b.decode("utf-8", "replace")
    got = {}
    for rid in rowids:
        try:
            row = conn.execute(f"SELECT rowid, * FROM {table} WHERE rowid = ?", (rid,)).fetchone()
        except sqlite3.DatabaseError:
            continue
        if row is not None:
            got[rid] = tuple(row)
    conn.close()
    return got


def damage_index_page(path, index: str = "passages_by_date") -> None:
    """Garble the middle of one leaf page of an index: only integrity_check sees it (the
    table's rows all stay readable)."""
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    index_page = conn.execute(
        "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' LIMIT 1", (index,)
    ).fetchone()[0]
    conn.close()
    raw = bytearray(path.read_bytes())
    at = (index_page - 1) * page_size + page_size // 2
    raw[at : at + 64] = bytes(range(64))
    path.write_bytes(bytes(raw))


def change_outbox_body(path, seq: int) -> None:
    """Change one character of one outbox body on disk, same length: SQLite sees nothing
    wrong (no check does), only the hash chain can."""
    conn = sqlite3.connect(path)
    body = conn.execute("SELECT body FROM outbox WHERE seq = ?", (seq,)).fetchone()[0]
    conn.close()
    old = body.encode("utf-8")
    new = old.replace(b'"temperature":36.5', b'"temperature":38.5', 1)
    assert new != old, "the body holds no temperature to change"
    raw = path.read_bytes()
    assert raw.count(old) == 1
    path.write_bytes(raw.replace(old, new))


def garble_schema(path, table: str = "passages", in_name: bool = False) -> None:
    """Two bytes of one table's CREATE statement (or of its name in the schema, which SQLite
    then quotes in its error message) no longer UTF-8: SQLite refuses every table of the file
    ('malformed database schema'), and Python cannot even decode the message."""
    raw = bytearray(path.read_bytes())
    if in_name:
        at = raw.find((table + table).encode())  # the schema row: name, then tbl_name
    else:
        at = raw.find(f"CREATE TABLE {table}".encode()) + 13
    assert at > 0
    raw[at : at + 2] = b"\xbe\xbe"
    path.write_bytes(bytes(raw))
