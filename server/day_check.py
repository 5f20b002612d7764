"""Does a gate's signed day match what the server holds? (#17)

Small and separate (server/officer.py is being split): given a digest line from a report
(CSV/XLSX row, PDF footer or its QR), check it was signed by the key the gate enrolled with,
then compare its count with the passages the server holds for that gate and day (desk and
补录, less voided) and look its outbox chain head up among the gate's events.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
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
