"""Does a gate's signed day match what the server holds? (#17)

Small and separate (server/officer.py is being split): given a digest line from a report
(CSV/XLSX row, PDF footer or its QR), check it was signed by the key the gate enrolled with,
then compare its count with the passages the server holds for that gate and day (desk and
补录, less voided) and look its outbox chain head up among the gate's events.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import KnownError
from app.reports import digest as dg
from server.rollups import PASSAGE_KINDS
from server.store import Store


@dataclass(frozen=True)
class DayCheck:
    device_id: str
    day: str
    signed: int  # rows the gate signed for the day
    held: int  # passages the server holds for it
    head_held: bool  # the day's chain head is among the gate's events here ('-': none needed)

    @property
    def ok(self) -> bool:
        return self.signed == self.held and self.head_held


def check_signed_day(store: Store, digest_text: str) -> list[DayCheck]:
    """One check per digest line; KnownError when no enrolled gate signed it."""
    digests = dg.parse_all(digest_text)
    if not digests:
        raise KnownError("verify_no_digest")
    out = []
    with store.tx() as tx:
        for d in digests:
            gate = tx.execute(
                "SELECT device_id, public_key FROM devices WHERE key_id = ?", (d.gate,)
            )
            if not gate:
                raise KnownError("verify_other_gate", key=d.gate, own="-")
            device_id, public_key = gate[0]["device_id"], gate[0]["public_key"]
            dg.check_signature(d, public_key)
            marks = ", ".join("?" for _ in PASSAGE_KINDS)
            rows = tx.execute(
                f"SELECT event_id FROM events WHERE device_id = ? AND local_date = ? "
                f"AND kind IN ({marks})",
                (device_id, d.day, *PASSAGE_KINDS),
            )
            voided = {
                _target(v["body"])
                for v in tx.execute(
                    "SELECT body FROM events WHERE device_id = ? AND kind = 'void'", (device_id,)
                )
            }
            held = sum(1 for r in rows if r["event_id"] not in voided)
            head_held = d.head == "-" or bool(
                tx.execute(
                    "SELECT 1 FROM events WHERE device_id = ? AND hash = ?", (device_id, d.head)
                )
            )
            out.append(DayCheck(device_id, d.day, d.n, held, head_held))
    return out


def _target(body: Any) -> Any:
    try:
        data = json.loads(body)
    except (TypeError, ValueError):
        return None
    return data.get("target_id") if isinstance(data, dict) else None


@dataclass(frozen=True)
class ReportCheck:
    """An uploaded report checked two ways: against its own digests and the key of the gate
    that signed it (verdict: 一致 or the rows that differ), and its signed days against the
    events the server holds (days)."""

    device_id: str
    verdict: Any  # app.reports.verify.Verdict
    days: list[DayCheck]

    @property
    def ok(self) -> bool:
        return bool(self.verdict.ok) and all(d.ok for d in self.days)


def check_report(store: Store, path: Path) -> ReportCheck:
    """The server side of `main.py verify-report`: the gate is found by the key id its digests
    name, among the enrolled gates only (KnownError verify_other_gate otherwise, or when the
    signature is not that gate's), then the file is checked with that gate's public key."""
    from app.reports.verify import digest_text, verify_file

    days = check_signed_day(store, digest_text(path))
    device_id = days[0].device_id
    with store.tx() as tx:
        row = tx.one("SELECT public_key FROM devices WHERE device_id = ?", (device_id,))
    assert row is not None  # check_signed_day found it
    return ReportCheck(device_id, verify_file(path, row["public_key"]), days)
