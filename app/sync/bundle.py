"""USB bundles for gates that are never online: a signed zip the server ingests like a batch.

bundle.zip = manifest.json (device, key id, public key, sequence range, chain head, SHA-256
of events.jsonl) + events.jsonl (one wire event per line) + signature (Ed25519 over
manifest.json). Written under a temporary name, fsynced, renamed, then read back and
verified before anyone is told the stick can be removed.

Once the gate has pinned the server's bundle key (app.sync.ack.pinned_box_key: from the
pairing QR or a signed ack), the signed bundle is sealed to it (app.sync.sealed) and the
stick holds no name, ID number or room in clear. Until then it is written plain, with a
warning on the CLI and in the USB dialog (or refused with require_sealed); the server
accepts both, so gates paired before sealing existed keep working.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import sqlite3
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app import files, ziplimits
from app.clock import Clock, SystemClock, utc_iso
from app.errors import KnownError
from app.i18n import MESSAGES, t
from app.signatures import key_id_of, verify
from app.sync import sealed, state
from app.sync.ack import pinned_box_key
from app.sync.identity import load_identity
from app.sync.protocol import event_from_row, event_problem
from app.ziplimits import ZipLimits
from db.connection import transaction

log = logging.getLogger(__name__)
FORMAT = "gatepost-bundle"
VERSION = 1
Progress = Callable[[int, int], None]


class BundleRefused(KnownError):
    """The bundle itself is unusable (truncated, altered, wrongly signed); `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__("bundle_refused", reason=reason)
        self.reason = reason

    def message(self, lang: str = "zh") -> str:
        """The reason in words where it has some (bundle_why_*), else its code."""

        code, _, detail = self.reason.partition(":")
        why = f"bundle_why_{code.strip()}"
        reason = t(why, lang) if why in MESSAGES else self.reason
        if detail.strip() and why in MESSAGES:
            reason = (
                f"{reason}（{detail.strip()}）" if lang == "zh" else f"{reason} ({detail.strip()})"
            )
        return t("bundle_refused", lang, reason=reason)


# what a real bundle can look like: three members at the top, events a few hundred bytes
# each and compressing a few times at most; a zip bomb breaks these before it is inflated
LIMITS = ZipLimits(
    max_file_bytes=1 << 30,
    max_members=8,
    max_member_bytes=1 << 30,
    max_total_bytes=(1 << 30) + (1 << 21),
    max_ratio=100,
    max_depth=0,
)
MAX_MANIFEST_BYTES = 1 << 20
MAX_SIGNATURE_BYTES = 4096


class BundleCancelled(Exception):
    pass


@dataclass
class VerifiedBundle:
    manifest: dict[str, Any]
    events: list[dict[str, Any]]
    sealed: bool = False


def export_bundle(
    conn: sqlite3.Connection,
    out_dir: Path,
    *,
    from_seq: int | None = None,
    everything: bool = False,
    clock: Clock | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    require_sealed: bool = False,
) -> Path:
    """Write the events after the last bundle that the server has not acknowledged (every
    unacknowledged one with everything=True, or from from_seq on); returns the verified path.
    Sealed to the pinned server key; plain without one (KnownError with require_sealed).

    Weekly bundles are incremental: the server's ingest takes them in any order, and its page
    shows a gap if a stick never arrives (then export again with from_seq)."""
    clock = clock or SystemClock()
    ident = load_identity(conn)
    box = pinned_box_key(conn)
    if box is None and require_sealed:
        raise KnownError("bundle_no_server_key")
    state.read_status(conn)  # makes sure the status row exists
    if from_seq is None:
        row = conn.execute("SELECT min(seq) FROM outbox WHERE acked_utc IS NULL").fetchone()
        if row[0] is None:
            raise KnownError("bundle_nothing")
        from_seq = int(row[0])
        if not everything:
            last = conn.execute("SELECT last_bundle_seq FROM sync_status WHERE id = 1").fetchone()
            from_seq = max(from_seq, int(last[0]) + 1)
    total = int(
        conn.execute("SELECT count(*) FROM outbox WHERE seq >= ?", (from_seq,)).fetchone()[0]
    )
    if total == 0:
        raise KnownError("bundle_nothing")
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise KnownError("bundle_write_failed", detail=f"{out_dir} is not a folder")
    now = clock.now()
    events_buf = io.BytesIO()
    sha = hashlib.sha256()
    first = last = 0
    head = ""
    done = 0
    gaps: list[int] = []  # events that cannot be sent as they are: the server sees gaps
    seen: int | None = None
    for row in _outbox_rows(conn, from_seq, gaps):
        seq = int(row["seq"])
        if seen is not None and seq > seen + 1:  # lost to damage: a salvage could not read them
            gaps.extend(range(seen + 1, seq))
        seen = seq
        event = event_from_row(row)
        if event_problem(event) is not None:  # a body changed on disk (#13 item 3)
            gaps.append(seq)
            continue
        line = (json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        events_buf.write(line)
        sha.update(line)
        first = first or row["seq"]
        last, head = row["seq"], row["hash"]
        done += 1
        if progress and done % 1000 == 0:
            progress(done, total * 2)
        if cancelled and done % 1000 == 0 and cancelled():
            raise BundleCancelled()
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "device_id": ident.device_id,
        "key_id": ident.key_id,
        "public_key": ident.public_key_hex,
        "first_seq": first,
        "last_seq": last,
        "count": done,
        "chain_head": head,
        "events_sha256": sha.hexdigest(),
        "created_utc": utc_iso(now),
    }
    if gaps:
        manifest["gaps"] = sorted(set(gaps))
        log.error("bundle: %d damaged outbox events left out as gaps: %s", len(gaps), gaps[:20])
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", manifest_bytes)
        zf.writestr("events.jsonl", events_buf.getvalue())
        zf.writestr("signature", ident.sign(manifest_bytes))
    data = plain.getvalue()
    if box is not None:
        # once sealed only the server can open it: check the signed content before sealing
        if _verified_manifest(data) != manifest:
            raise KnownError("bundle_write_failed", detail="sealed content differs")
        data = sealed.seal(data, box, ident.device_id)
    if cancelled and cancelled():
        raise BundleCancelled()
    name = (
        f"gatepost-{ident.device_id[:8]}-{first:08d}-{last:08d}-{now.strftime('%Y%m%d%H%M%S')}.zip"
    )
    final = out_dir / name
    try:  # app.files: never half a file on the stick
        files.write_bytes(final, data)
    except OSError as exc:
        raise KnownError("bundle_write_failed", detail=exc.strerror or str(exc)) from None
    if progress:
        progress(total + total // 2, total * 2)
    # read back what is really on the stick, not what we meant to write
    try:
        written, reason = final.read_bytes(), "read back differs"
    except OSError as exc:
        written, reason = b"", exc.strerror or str(exc)
    if written != data or not (
        _verified_manifest(written) == manifest if box is None else _is_sealed(written)
    ):
        final.unlink(missing_ok=True)
        raise KnownError("bundle_write_failed", detail=reason)
    with transaction(conn):
        conn.execute(
            "UPDATE sync_status SET last_bundle_seq = max(last_bundle_seq, ?) WHERE id = 1",
            (max([last, *gaps]),),
        )
    if progress:
        progress(total * 2, total * 2)
    return final


def _outbox_rows(conn: sqlite3.Connection, from_seq: int, gaps: list[int]) -> Iterator[sqlite3.Row]:
    """The outbox from from_seq on; past a page SQLite cannot read, row by row, each
    unreadable sequence number added to gaps (a damaged file never blocks a bundle)."""
    last = from_seq - 1
    try:
        for row in conn.execute("SELECT * FROM outbox WHERE seq >= ? ORDER BY seq", (from_seq,)):
            last = int(row["seq"])
            yield row
        return
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        log.error("bundle: outbox unreadable after seq %s (%s); reading on row by row", last, exc)
    top = _max_seq(conn)
    for seq in range(last + 1, top + 1):
        try:
            found = conn.execute("SELECT * FROM outbox WHERE seq = ?", (seq,)).fetchone()
        except (sqlite3.DatabaseError, UnicodeDecodeError):
            gaps.append(seq)
            continue
        if found is not None:
            yield found


def _max_seq(conn: sqlite3.Connection) -> int:
    for sql in (
        "SELECT max(seq) FROM outbox",
        "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'",
    ):
        try:
            row = conn.execute(sql).fetchone()
        except (sqlite3.DatabaseError, UnicodeDecodeError):
            continue
        if row is not None and row[0] is not None:
            return int(row[0])
    return 0


def check_bundle_archive(source: Path | bytes) -> None:
    """The cheap checks alone (size, members, ratio, nesting; nothing inflated): the server's
    upload calls this before it keeps or unpacks a file. Raises BundleRefused."""
    try:
        ziplimits.open_checked(source, LIMITS).close()
    except ziplimits.ZipRefused as exc:
        raise BundleRefused(exc.reason) from None


def _verified_manifest(data: bytes) -> dict[str, Any] | None:
    try:
        return verify_bundle(data).manifest
    except BundleRefused:
        return None


def _is_sealed(data: bytes) -> bool:
    try:
        with ziplimits.open_checked(data, LIMITS) as zf:
            sealed.read_envelope(zf)
            return set(zf.namelist()) == {sealed.ENVELOPE, sealed.SEALED}
    except (ziplimits.ZipRefused, sealed.SealRefused):
        return False


def verify_bundle(
    path: Path | bytes,
    max_bytes: int = LIMITS.max_file_bytes,
    box_key: sealed.BoxKey | None = None,
) -> VerifiedBundle:
    """Open and check everything; raise BundleRefused with the reason otherwise (a zip bomb
    is refused from its directory before anything is inflated). A sealed bundle is opened
    with box_key (the server's): the limits apply to the file as it is (the ciphertext), then
    once more to the plain bundle inside, before any of its members is inflated."""
    limits = replace(LIMITS, max_file_bytes=min(max_bytes, LIMITS.max_file_bytes))
    try:
        with ziplimits.open_checked(path if isinstance(path, bytes) else Path(path), limits) as zf:
            if sealed.is_sealed(zf):
                return _open_sealed(zf, box_key, max_bytes)
            manifest_bytes = ziplimits.read_member(zf, "manifest.json", MAX_MANIFEST_BYTES)
            signature = (
                ziplimits.read_member(zf, "signature", MAX_SIGNATURE_BYTES)
                .decode("ascii", "replace")
                .strip()
            )
            events_bytes = ziplimits.read_member(zf, "events.jsonl")
    except ziplimits.ZipRefused as exc:
        reason = exc.reason
        raise BundleRefused("too_large" if reason == "too_large" else reason) from None
    try:
        return _check_contents(manifest_bytes, signature, events_bytes)
    except (RecursionError, OverflowError, TypeError, KeyError, IndexError, AttributeError):
        # hostile JSON (nesting, huge numbers, wrong types) never escapes as a bug
        raise BundleRefused("bad_content") from None


def _open_sealed(
    zf: zipfile.ZipFile, box_key: sealed.BoxKey | None, max_bytes: int
) -> VerifiedBundle:
    if box_key is None:  # the gate: only the server holds the key
        raise BundleRefused("sealed")
    try:
        envelope, plain = sealed.open_sealed(zf, box_key)
    except sealed.SealRefused as exc:
        raise BundleRefused(exc.reason) from None
    inner = verify_bundle(plain, max_bytes)  # a sealed bundle inside is refused ("sealed")
    if inner.manifest.get("device_id") != envelope["device_id"]:
        raise BundleRefused("sealed_device_mismatch")
    return replace(inner, sealed=True)


def _check_contents(manifest_bytes: bytes, signature: str, events_bytes: bytes) -> VerifiedBundle:
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BundleRefused("bad_manifest") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleRefused("bad_manifest")
    if manifest.get("version") != VERSION:
        raise BundleRefused("unknown_version")
    pub = manifest.get("public_key")
    if not isinstance(pub, str) or len(pub) != 64 or manifest.get("key_id") != _safe_key_id(pub):
        raise BundleRefused("bad_manifest")
    if not verify(pub, signature, manifest_bytes):
        raise BundleRefused("bad_signature")
    if hashlib.sha256(events_bytes).hexdigest() != manifest.get("events_sha256"):
        raise BundleRefused("events_altered")
    events: list[dict[str, Any]] = []
    try:
        for line in events_bytes.decode("utf-8").splitlines():
            if line.strip():
                events.append(json.loads(line))
    except (UnicodeDecodeError, ValueError):
        raise BundleRefused("events_unreadable") from None
    if len(events) != manifest.get("count"):
        raise BundleRefused("count_mismatch")
    gaps = manifest.get("gaps", [])
    if not isinstance(gaps, list) or not all(type(g) is int for g in gaps):
        raise BundleRefused("bad_manifest")
    left_out = set(gaps)  # damaged events the gate could not send (#13 item 3)
    prev: dict[str, Any] | None = None
    for e in events:
        problem = event_problem(e)
        if problem is not None:
            raise BundleRefused(f"bad_event: {problem}")
        if prev is not None and not _links(prev, e, left_out):
            raise BundleRefused("chain_broken_inside")
        prev = e
    if events and (
        events[0]["seq"] != manifest.get("first_seq")
        or events[-1]["seq"] != manifest.get("last_seq")
        or events[-1]["hash"] != manifest.get("chain_head")
    ):
        raise BundleRefused("range_mismatch")
    return VerifiedBundle(manifest, events)


def _links(prev: dict[str, Any], e: dict[str, Any], left_out: set[int]) -> bool:
    """e follows prev on the chain, or every event between them is a declared gap."""
    if e["seq"] == prev["seq"] + 1:
        return bool(e["prev_hash"] == prev["hash"])
    return e["seq"] > prev["seq"] and all(s in left_out for s in range(prev["seq"] + 1, e["seq"]))


def _safe_key_id(pub: str) -> str | None:
    try:
        return key_id_of(pub)
    except ValueError:
        return None
