"""Signed acknowledgements for never-online gates, and the server's own signing key.

After a bundle import the officer writes an ack (CLI `bundle ack`, `bundle import --ack-out`,
or the download link on the officer page) and carries it back on the stick; the gate checks
it (app.sync.ack) and marks its events acknowledged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from app import gate_code
from app.signatures import key_id_of
from app.sync.ack import FORMAT, ack_file_name, build_ack_file, canonical, write_atomically
from app.sync.identity import b64
from app.sync.sealed import BoxKey
from db.outbox import GENESIS
from server.store import Store, utc_now

MAX_REJECTED_LISTED = 2000


class AckError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AmbiguousDevice(AckError):
    """A start of a device id or code that fits several gates (codes: theirs, a few)."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(f"ambiguous_device ({', '.join(codes)})")
        self.codes = codes


@dataclass(frozen=True)
class ServerKey:
    private_key_hex: str
    public_key_hex: str
    key_id: str

    def sign(self, data: bytes) -> str:
        key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(self.private_key_hex))
        return b64(key.sign(data))


def _stored_pair(store: Store, table: str, make: Callable[[], tuple[str, str]]) -> dict[str, Any]:
    """A key pair row (id = 1) made on first use and kept in the server's database (0600)."""
    select = f"SELECT private_key, public_key, key_id FROM {table} WHERE id = 1"
    with store.tx() as tx:
        row = tx.one(select)
    if row is None:
        priv, pub = make()
        with store.tx() as tx:  # two processes starting at once: the first one's key stays
            tx.execute(
                f"INSERT INTO {table}(id, private_key, public_key, key_id, created_utc) "
                "VALUES (1, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (priv, pub, key_id_of(pub), utc_now()),
            )
        with store.tx() as tx:
            row = tx.one(select)
    assert row is not None
    return row


def _new_signing_pair() -> tuple[str, str]:
    private = Ed25519PrivateKey.generate()
    priv = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex()
    return priv, private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def server_key(store: Store) -> ServerKey:
    """The server's signing key pair, made on first use and kept in its database."""
    row = _stored_pair(store, "server_key", _new_signing_pair)
    return ServerKey(row["private_key"], row["public_key"], row["key_id"])


def server_box_key(store: Store) -> BoxKey:
    """The server's X25519 key pair that gates seal their USB bundles to (#13); its public
    half goes out with the pairing code and in every ack."""

    def make() -> tuple[str, str]:
        key = BoxKey.generate()
        return key.private_key_hex, key.public_key_hex

    row = _stored_pair(store, "server_box_key", make)
    return BoxKey(row["private_key"], row["public_key"])


def find_device(store: Store, ref: str) -> dict[str, Any]:
    """A device by its id, its gate code (app/gate_code.py, as the page and the gate window
    show it) or a unique start of either. A start that fits several gates is refused, naming
    their codes, so the officer can type the one meant."""
    ref = (ref or "").strip()
    if not ref:
        raise AckError("unknown_device")
    code = gate_code.normalise(ref)
    with store.tx() as tx:
        exact = tx.one("SELECT * FROM devices WHERE device_id = ?", (ref,))
        if exact is None and gate_code.valid(code):
            exact = tx.one("SELECT * FROM devices WHERE gate_code = ?", (code,))
        if exact is not None:
            return exact
        found = {
            r["device_id"]: r
            for r in tx.execute(
                "SELECT * FROM devices WHERE device_id LIKE ? ORDER BY device_id LIMIT 6",
                (_like_start(ref),),
            )
        }
        if code and all(c in gate_code.ALPHABET for c in code):
            for r in tx.execute(
                "SELECT * FROM devices WHERE gate_code LIKE ? ORDER BY gate_code LIMIT 6",
                (_like_start(code),),
            ):
                found[r["device_id"]] = r
    if not found:
        raise AckError("unknown_device")
    if len(found) > 1:
        codes = sorted(str(r["gate_code"] or r["device_id"]) for r in found.values())[:5]
        raise AmbiguousDevice([gate_code.shown(c) for c in codes])
    return next(iter(found.values()))


def _like_start(text: str) -> str:
    return text.replace("%", "").replace("_", "") + "%"


def make_ack(store: Store, device_ref: str) -> tuple[str, bytes]:
    """(file name, bytes) of a signed ack of everything the server holds contiguously."""
    device = find_device(store, device_ref)
    device_id = device["device_id"]
    acked = int(device["acked_seq"])
    with store.tx() as tx:
        head = GENESIS
        if acked:
            row = tx.one(
                "SELECT hash FROM events WHERE device_id = ? AND seq = ?", (device_id, acked)
            )
            if row is None:  # the head itself was quarantined: name what the gate sent
                row = tx.one(
                    "SELECT hash FROM quarantine WHERE device_id = ? AND seq = ? "
                    "ORDER BY id DESC LIMIT 1",
                    (device_id, acked),
                )
            head = row["hash"] if row else ""
        rejected = tx.execute(
            "SELECT seq, event_id, reason FROM quarantine WHERE device_id = ? AND seq <= ? "
            "ORDER BY id DESC LIMIT ?",
            (device_id, acked, MAX_REJECTED_LISTED),
        )
    key = server_key(store)
    payload = {
        "kind": FORMAT,
        "device_id": device_id,
        "device_key_id": device["key_id"],
        "acked_seq": acked,
        "chain_head": head,
        "server_key_id": key.key_id,
        "server_public_key": key.public_key_hex,
        "server_box_key": server_box_key(store).public_key_hex,
        "created_utc": utc_now(),
        "rejected": [[int(r["seq"]), r["event_id"], r["reason"]] for r in reversed(rejected)],
    }
    text = canonical(payload)
    data = build_ack_file(payload, key.sign(text.encode("utf-8")), text)
    return ack_file_name(device_id, acked), data


def write_ack(store: Store, device_ref: str, out_dir: Path) -> Path:
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise AckError(f"not_a_folder: {out_dir}")
    name, data = make_ack(store, device_ref)
    return write_atomically(out_dir, name, data)
