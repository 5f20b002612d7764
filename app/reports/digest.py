"""The signed daily digest (#17): what lets an officer check that an exported file is what the
gate recorded, without trusting whoever carried it.

Each passage row of a CSV/XLSX carries a short check code (a hash of its cells). Each day of the
export carries one digest line: the gate's key id, the day, the number of rows, the outbox
hash-chain head at the end of that day, a hash of that day's check codes, whether names and IDs
are masked, and an Ed25519 signature over all of it with the gate's sync key. The same line
(and a QR code of it) is printed in the PDF footer.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Protocol

from app.clock import utc_iso
from app.errors import KnownError
from app.signatures import key_id_of, verify

MARK = "GPD1"
ROW_HASH_HEX = 16
_FIELDS = re.compile(
    MARK + r"\s+gate=([0-9a-f]{16})\s+day=(\d{4}-\d{2}-\d{2})\s+n=(\d+)\s+mask=([01])"
    r"\s+head=([0-9a-f]{64}|-)\s+rows=([0-9a-f]{32})\s+sig=([A-Za-z0-9+/=]+)"
)


class Signer(Protocol):
    """The gate's sync key (app.sync.identity.SyncIdentity, handed in by cli/ or ui/: the
    reports and sync rooms stay independent)."""

    key_id: str
    public_key_hex: str

    def sign(self, data: bytes) -> str: ...


def cell_text(value: Any) -> str:
    """One cell as the text its check code covers: the same for the CSV and the XLSX (a time
    'YYYY-MM-DD HH:MM:SS', a number as 36.5 / 38.0, text without the CSV's guards)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return repr(float(value))
    text = str(value)
    if text.endswith("\t"):  # the CSV's keep-as-text tab after an ID number
        text = text[:-1]
    if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@"):  # the CSV's no-formula guard
        text = text[1:]
    return text


def row_hash(cells: Iterable[Any]) -> str:
    """The check code of one row: 16 hex of SHA-256 over its cells."""
    h = hashlib.sha256()
    for c in cells:
        h.update(cell_text(c).encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:ROW_HASH_HEX]


def rows_hash(hashes: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(hashes).encode("ascii")).hexdigest()[:32]


@dataclass(frozen=True)
class DayDigest:
    gate: str  # key id of the gate's sync key
    day: str
    n: int
    masked: bool
    head: str  # outbox chain head at the end of the day, '-' when there was none
    rows: str
    sig: str = ""

    def payload(self) -> str:
        return (
            f"{MARK} gate={self.gate} day={self.day} n={self.n} mask={int(self.masked)} "
            f"head={self.head} rows={self.rows}"
        )

    def text(self) -> str:
        return f"{self.payload()} sig={self.sig}"


def parse_all(text: str) -> list[DayDigest]:
    """Every digest line in a text (line breaks and spaces between fields do not matter)."""
    return [
        DayDigest(g, d, int(n), m == "1", head, rows, sig)
        for g, d, n, m, head, rows, sig in _FIELDS.findall(text)
    ]


class Digester:
    """Collects the check codes of the rows as they are written, day by day."""

    def __init__(self, date_from: str, date_to: str) -> None:
        self.days: dict[str, list[str]] = {}
        day, end = date.fromisoformat(date_from), date.fromisoformat(date_to)
        while day <= end:
            self.days[day.isoformat()] = []
            day += timedelta(days=1)

    def add(self, cells: list[Any]) -> str:
        """The row's check code; the row's day is its time cell's date."""
        code = row_hash(cells)
        self.days.setdefault(cell_text(cells[0])[:10], []).append(code)
        return code

    def digests(
        self, conn: sqlite3.Connection, identity: Signer, masked: bool, tz: tzinfo | None
    ) -> list[DayDigest]:
        out = []
        for day, codes in sorted(self.days.items()):
            d = DayDigest(
                identity.key_id,
                day,
                len(codes),
                masked,
                chain_head(conn, day, tz),
                rows_hash(codes),
            )
            out.append(replace(d, sig=identity.sign(d.payload().encode("utf-8"))))
        return out


def chain_head(conn: sqlite3.Connection, day: str, tz: tzinfo | None) -> str:
    """The hash of the last outbox event made before the end of the local day ('-' if none)."""
    end = datetime.combine(date.fromisoformat(day) + timedelta(days=1), time(0), tzinfo=tz)
    row = conn.execute(
        "SELECT hash FROM outbox WHERE created_utc < ? ORDER BY seq DESC LIMIT 1",
        (utc_iso(end),),
    ).fetchone()
    return str(row[0]) if row else "-"


def check_signature(d: DayDigest, public_key_hex: str) -> None:
    """Refuse a digest made by another gate's key, or one whose signature does not hold."""
    try:
        own = key_id_of(public_key_hex)
    except ValueError:
        raise KnownError("verify_bad_key") from None
    if d.gate != own:
        raise KnownError("verify_other_gate", key=d.gate, own=own)
    if not verify(public_key_hex, d.sig, d.payload().encode("utf-8")):
        raise KnownError("verify_bad_signature", day=d.day)
