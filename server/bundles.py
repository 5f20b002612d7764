"""Import a USB bundle into the server: verify it whole, then the same ingest as HTTP batches."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.sync.bundle import BundleRefused, verify_bundle
from server import devices
from server.acks import server_box_key
from server.ingest import IngestResult, ingest
from server.store import Store

CHUNK = 1000


def import_bundle(
    store: Store, path: Path, progress: Callable[[int, int], None] | None = None
) -> IngestResult:
    """Refuse a damaged, altered or wrongly signed bundle, or one from a gate not enrolled
    beforehand; otherwise ingest it idempotently."""
    bundle = verify_bundle(path, box_key=server_box_key(store))  # sealed or plain (#13)
    m = bundle.manifest
    device = devices.get_device(store, m["device_id"])
    if device is None:  # only gates enrolled beforehand (pairing code or an officer)
        raise BundleRefused("unknown_device")
    if device.public_key != m["public_key"]:  # nothing is stored: the real gate is unharmed
        raise BundleRefused("key_mismatch")
    if device.revoked:
        raise BundleRefused("device_revoked")
    verdicts = []
    acked = 0
    total = len(bundle.events)
    for start in range(0, total, CHUNK):
        result = ingest(store, device.device_id, bundle.events[start : start + CHUNK])
        verdicts.extend(result.verdicts)
        acked = result.acked_seq
        if progress:
            progress(min(total, start + CHUNK), total)
    if total == 0:
        from server.ingest import device_head

        acked = device_head(store, device.device_id)
    return IngestResult(verdicts, acked)


def bundle_device_id(store: Store, path: Path) -> str:
    """The gate a bundle comes from, read from its signed manifest (opened if sealed)."""
    return str(verify_bundle(path, box_key=server_box_key(store)).manifest["device_id"])
