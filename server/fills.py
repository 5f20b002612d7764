"""Data steps of the server's migrations (server/store.py): Python run in the migration's own
transaction, right after its DDL, for what SQL alone cannot fill in."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app import gate_code

if TYPE_CHECKING:
    from server.store import Tx


def _fill_gate_codes(tx: Tx) -> None:
    """Codes for the gates enrolled before codes existed, derived from the device id (what the
    gate itself shows); two that collide: the earlier enrolled keeps it, the other takes the
    next derivation. Deterministic, unique."""
    taken = {r["gate_code"] for r in tx.execute("SELECT gate_code FROM devices") if r["gate_code"]}
    for row in tx.execute(
        "SELECT device_id FROM devices WHERE gate_code IS NULL ORDER BY enrolled_utc, device_id"
    ):
        attempt = 0
        while (code := gate_code.derive(row["device_id"], attempt)) in taken:
            attempt += 1
        taken.add(code)
        tx.execute("UPDATE devices SET gate_code = ? WHERE device_id = ?", (code, row["device_id"]))


# migration name -> its data step
def _fill_rollups(tx: Tx) -> None:
    """Roll-ups for the events stored before roll-ups were kept (server/rollups.py)."""
    from server import rollups
    from server.store import utc_now

    rollups.fill(tx, utc_now())


FILLS: dict[str, Callable[[Tx], None]] = {
    "s004_gate_code_compound": _fill_gate_codes,
    "s006_rollups": _fill_rollups,
}
