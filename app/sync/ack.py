"""USB acknowledgements: the server's signed word on how far it holds a never-online gate.

A gate that is never online learns what the server holds only from a file carried back on
the stick. ack.json = {"format", "version", "payload" (the exact text signed), "signature"
(Ed25519 by the server's own key over payload)}; the payload names the device, its key, the
acknowledged sequence head and that event's chain hash, and the server's public key.

The gate pins the server key from the pairing QR code (scanned off the officer's screen, even
when the server cannot be reached), or else that of the first ack it accepts, so an ack
from another server, for another device, forged, or claiming events the gate never wrote is
refused with the reason, and nothing is marked. An accepted ack marks every event up to the
head acknowledged, exactly as an online sync would, so the retention purge may drop them.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import files
from app.clock import Clock, SystemClock, utc_iso
from app.i18n import MESSAGES, t
from app.signatures import is_public_key_hex, key_id_of, verify
from app.sync.identity import load_identity
from db.connection import transaction
from db.outbox import GENESIS

FORMAT = "gatepost-ack"
VERSION = 1
MAX_BYTES = 8 << 20  # rejections listed inside stay far below this


class AckRefused(Exception):
    """The ack is unusable or not for this gate; `reason` says why (a short code)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def text(self, lang: str = "zh") -> str:
        """Words for the volunteer: 回执被拒收：<why>."""
        why_code = f"ack_why_{self.reason}"
        why = t(why_code, lang) if why_code in MESSAGES else self.reason
        return t("ack_refused", lang, reason=why)


@dataclass(frozen=True)
class AckResult:
    acked_seq: int
    newly_acked: int
    server_key_id: str
    rejected: int  # events the server quarantined (now listed on the gate)


def canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def build_ack_file(payload: dict[str, Any], signature_b64: str, payload_text: str) -> bytes:
    """The bytes of an ack file (the server signs payload_text = canonical(payload))."""
    assert canonical(payload) == payload_text
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "payload": payload_text,
        "signature": signature_b64,
    }
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def ack_file_name(device_id: str, acked_seq: int) -> str:
    return f"gatepost-ack-{device_id[:8]}-{acked_seq:08d}.json"


def write_atomically(out_dir: Path, name: str, data: bytes) -> Path:
    """Written atomically (app.files): a pulled stick never holds half an ack."""
    return files.write_bytes(Path(out_dir) / name, data)


def read_ack(path: Path) -> dict[str, Any]:
    """Open and check the signature; returns the payload. Not yet checked against a gate."""
    try:
        if Path(path).stat().st_size > MAX_BYTES:
            raise AckRefused("too_large")
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise AckRefused("no_such_file") from None
    except OSError as exc:
        raise AckRefused(f"unreadable: {exc.strerror or exc}") from None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise AckRefused("damaged") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise AckRefused("not_an_ack")
    if doc.get("version") != VERSION:
        raise AckRefused("unknown_version")
    text, signature = doc.get("payload"), doc.get("signature")
    if not isinstance(text, str) or not isinstance(signature, str):
        raise AckRefused("damaged")
    try:
        payload = json.loads(text)
    except ValueError:
        raise AckRefused("damaged") from None
    if not isinstance(payload, dict):
        raise AckRefused("damaged")
    pub = payload.get("server_public_key")
    if not isinstance(pub, str):
        raise AckRefused("bad_signature")
    try:
        good_key = key_id_of(pub) == payload.get("server_key_id")
    except ValueError:
        good_key = False
    if not good_key:
        raise AckRefused("bad_signature")
    if not verify(pub, signature, text.encode("utf-8")):
        raise AckRefused("bad_signature")
    seq = payload.get("acked_seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise AckRefused("damaged")
    if not isinstance(payload.get("chain_head"), str) or not isinstance(
        payload.get("device_id"), str
    ):
        raise AckRefused("damaged")
    return payload


# the keys a gate pins, each in an append-only one-row table: (table, key, its key id)
_ACK_KEY = ("sync_ack_server", "server_public_key", "server_key_id")
_BOX_KEY = ("sync_box_key", "server_box_key", "server_box_key_id")


def _pinned(conn: sqlite3.Connection, where: tuple[str, str, str]) -> str | None:
    table, column, _ = where
    row = conn.execute(f"SELECT {column} FROM {table} WHERE id = 1").fetchone()
    return row[0] if row else None


def _pin(
    conn: sqlite3.Connection, where: tuple[str, str, str], public_key_hex: str, now_utc: str
) -> bool:
    pinned = _pinned(conn, where)
    if pinned is not None:
        return pinned == public_key_hex
    table, column, id_column = where
    with transaction(conn):
        conn.execute(
            f"INSERT INTO {table}(id, {column}, {id_column}, pinned_utc) VALUES (1, ?, ?, ?)",
            (public_key_hex, key_id_of(public_key_hex), now_utc),
        )
    return True


def pinned_server_key(conn: sqlite3.Connection) -> str | None:
    return _pinned(conn, _ACK_KEY)


def pin_server_key(conn: sqlite3.Connection, public_key_hex: str, now_utc: str) -> bool:
    """Trust this server key for USB acks, if none is trusted yet (the pin is append-only:
    a gate moved to another server is a new gate database). True if it is now the key."""
    return _pin(conn, _ACK_KEY, public_key_hex, now_utc)


def pinned_box_key(conn: sqlite3.Connection) -> str | None:
    """The server key USB bundles are sealed to (X25519, hex), once pinned (#13)."""
    return _pinned(conn, _BOX_KEY)


def pin_box_key(conn: sqlite3.Connection, public_key_hex: str, now_utc: str) -> bool:
    """Seal bundles to this key from now on, if none is pinned yet; it comes only from a
    trusted channel (the pairing QR) or inside an ack signed by the pinned server key, and
    is append-only like that key. True if it is now the key."""
    return _pin(conn, _BOX_KEY, public_key_hex, now_utc)


def import_ack(conn: sqlite3.Connection, path: Path, clock: Clock | None = None) -> AckResult:
    """Check the ack against this gate, then mark its events acknowledged (one transaction)."""
    clock = clock or SystemClock()
    payload = read_ack(path)
    ident = load_identity(conn)
    if payload["device_id"] != ident.device_id:
        raise AckRefused("other_device")
    if payload.get("device_key_id") != ident.key_id:
        raise AckRefused("other_device_key")
    pub = payload["server_public_key"]
    pinned = pinned_server_key(conn)
    if pinned is not None and pinned != pub:
        raise AckRefused("other_server")
    box = payload.get("server_box_key")  # signed with the rest: what bundles are sealed to
    if box is not None and not is_public_key_hex(box):
        raise AckRefused("damaged")
    if box is not None and pinned_box_key(conn) not in (None, box):
        raise AckRefused("other_server")
    acked = int(payload["acked_seq"])
    issued = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").fetchone()
    if acked > (int(issued[0]) if issued else 0):
        raise AckRefused("ahead_of_device")
    if acked == 0:
        local_head: str | None = GENESIS
    else:
        row = conn.execute("SELECT hash FROM outbox WHERE seq = ?", (acked,)).fetchone()
        local_head = row[0] if row else None  # already purged here: nothing left to compare
    if local_head is not None and local_head != payload["chain_head"]:
        raise AckRefused("chain_mismatch")
    now = utc_iso(clock.now())
    listed = payload.get("rejected")
    rejected = listed if isinstance(listed, list) else []
    with transaction(conn):
        pin_server_key(conn, pub, now)  # the first accepted ack's key, if none was pinned
        if box is not None:
            pin_box_key(conn, box, now)
        # what the server quarantined is listed here too, once (as an online sync would)
        known = {(r[0], r[1]) for r in conn.execute("SELECT seq, event_id FROM sync_rejections")}
        added = 0
        for item in rejected:
            if not (isinstance(item, list) and len(item) == 3 and isinstance(item[0], int)):
                continue
            seq, event_id, reason = item[0], str(item[1]), str(item[2])
            if seq > acked or (seq, event_id) in known:
                continue
            row = conn.execute(
                "SELECT 1 FROM outbox WHERE seq = ? AND acked_utc IS NULL", (seq,)
            ).fetchone()
            if row is None:
                continue
            conn.execute(
                "INSERT INTO sync_rejections(seq, event_id, reason, at_utc) VALUES (?, ?, ?, ?)",
                (seq, event_id, reason, now),
            )
            known.add((seq, event_id))
            added += 1
        marked = conn.execute(
            "UPDATE outbox SET acked_utc = ? WHERE seq <= ? AND acked_utc IS NULL", (now, acked)
        ).rowcount
        conn.execute("INSERT OR IGNORE INTO sync_status(id) VALUES (1)")
        conn.execute(
            "UPDATE sync_status SET server_acked_seq = max(server_acked_seq, ?) WHERE id = 1",
            (acked,),
        )
        conn.execute(
            "INSERT INTO sync_ack_imports(imported_utc, acked_seq, newly_acked, server_key_id, "
            "created_utc) VALUES (?, ?, ?, ?, ?)",
            (now, acked, marked, payload["server_key_id"], str(payload.get("created_utc", ""))),
        )
    return AckResult(acked, int(marked), str(payload["server_key_id"]), added)
