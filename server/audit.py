"""The officers' audit log on the server: logins (good, wrong, locked out) and every action
that changes state (password set, pairing code, gate enrolled or re-keyed, revoke, upload)."""

from __future__ import annotations

import json
from typing import Any

from app.clock import Clock, SystemClock, utc_iso
from server.store import Store, Tx


def audit(
    tx: Tx,
    username: str,
    address: str,
    action: str,
    detail: Any = None,
    clock: Clock | None = None,
) -> None:
    """One line of the audit log, written in the caller's transaction."""
    tx.execute(
        "INSERT INTO officer_audit(at_utc, username, address, action, detail) "
        "VALUES (?, ?, ?, ?, ?)",
        (
            utc_iso((clock or SystemClock()).now()),
            username[:100],
            address[:100],
            action,
            json.dumps(detail, ensure_ascii=False) if detail is not None else "",
        ),
    )


def audit_log(store: Store, action: str | None = None) -> list[dict[str, Any]]:
    """The audit log, oldest first (one action, or all)."""
    with store.tx() as tx:
        if action:
            return tx.execute("SELECT * FROM officer_audit WHERE action = ? ORDER BY id", (action,))
        return tx.execute("SELECT * FROM officer_audit ORDER BY id")
