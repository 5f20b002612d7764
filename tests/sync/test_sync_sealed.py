"""Sealed USB bundles (#13 item 5): a lost stick leaks nothing; the server opens them, and a
wrong key, altered ciphertext or a cut file is a known refusal with nothing stored."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import main
from app.clock import FakeClock
from app.database import open_database
from app.errors import KnownError
from app.gate.service import GateService, Identity, PassageDraft
from app.i18n import MESSAGES
from app.roster.changes import write_change
from app.sync import sealed
from app.sync.ack import AckRefused, import_ack, pin_box_key, pinned_box_key
from app.sync.bundle import BundleRefused, export_bundle, verify_bundle
from app.sync.identity import parse_enrolment
from app.sync.transport import Retryable
from db.connection import transaction
from server import devices
from server.acks import server_box_key, write_ack
from server.bundles import import_bundle
from server.store import SqliteStore
from tests.fakes.roster_files import make_id
from tests.fakes.sync_fakes import InProcessTransport

from .conftest import (
    add_events,
    another_gate,
    assert_server_holds_exactly,
    enrol_offline_gate,
    make_client,
)

CST = timezone(timedelta(hours=8))
NAME, ROOM, PHONE = "欧阳秀英", "1703", "13912345678"
ID_NUMBER = make_id("19620314", 27)


def pair(store, conn) -> None:
    """Scan the server's pairing QR: the gate pins its keys (and enrols)."""
    make_client(conn, InProcessTransport(store)).enrol(
        devices.new_enrolment(store, "http://127.0.0.1:1")
    )


def _register(gate) -> None:
    """One resident with a name, ID number, room and phone, and her passages."""
    clock = FakeClock(datetime(2026, 11, 29, 7, 0, tzinfo=CST))
    fields = {"id_number": ID_NUMBER, "name": NAME, "phone": PHONE, "building": "9", "unit": "2"}
    fields.update(household="", tags="", status="normal")
    with transaction(gate.conn):
        write_change(gate.conn, clock, "add", "t", {**fields, "room": ROOM})
    desk = GateService(gate, clock)
    who = Identity(method="name_room", person_name=NAME, building="9", room=ROOM)
    by_id = Identity(method="id_number", person_name=NAME, id_number=ID_NUMBER)
    for identity in (who, by_id, who):
        clock.advance(600)
        desk.record(PassageDraft(code_color="green", temperature="36.5", identity=identity))


def _secrets(gate) -> list[bytes]:
    """What must not be on the stick in clear: the person, in every encoding a writer might
    use, and this device's events (ids and chain hashes)."""
    words = [NAME, ID_NUMBER, ROOM, PHONE]
    found = [w.encode("utf-8") for w in words]
    found += [json.dumps(w).strip('"').encode("ascii") for w in words]  # \\uXXXX escapes
    found += [w.encode("utf-16-le") for w in words]
    rows = gate.conn.execute("SELECT event_id, hash FROM outbox").fetchall()
    found += [r[0].encode() for r in rows] + [r[1].encode() for r in rows]
    return found


def _everything_readable(path) -> list[bytes]:
    """The raw file and every member of the zip, inflated."""
    raw = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        return [raw, *(zf.read(name) for name in zf.namelist())]


def test_a_lost_stick_leaks_no_name_id_number_room_or_event(store, gate, tmp_path):
    _register(gate)
    plain_dir, sealed_dir = tmp_path / "plain", tmp_path / "sealed"
    plain_dir.mkdir()
    sealed_dir.mkdir()
    plain = export_bundle(gate.conn, plain_dir)  # no key pinned yet: written plain
    pair(store, gate.conn)
    stick = export_bundle(gate.conn, sealed_dir, everything=True)
    secrets = _secrets(gate)
    # the search finds them in a plain bundle, so its silence on the sealed one means something
    assert all(any(s in blob for blob in _everything_readable(plain)) for s in secrets[:4])
    for blob in _everything_readable(stick):
        for secret in secrets:
            assert secret not in blob, secret
    with zipfile.ZipFile(stick) as zf:
        assert zf.namelist() == [sealed.ENVELOPE, sealed.SEALED]
    # the server opens it and holds everything, names included
    written = gate.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    assert import_bundle(store, stick).counts()["accepted"] == written
    with store.tx() as tx:
        bodies = [r["body"] for r in tx.execute("SELECT body FROM events")]
    assert any(NAME in b and ID_NUMBER in b for b in bodies)
    assert_server_holds_exactly(store, gate)


def test_a_sealed_bundle_is_imported_once_and_is_idempotent(store, gate, tmp_path):
    enrol_offline_gate(store, gate.conn)
    offer = parse_enrolment(devices.new_enrolment(store, "http://127.0.0.1:1"))
    assert offer.box_key == server_box_key(store).public_key_hex
    pin_box_key(gate.conn, offer.box_key, "2026-11-29T00:00:00Z")
    add_events(gate.conn, 2500)
    path = export_bundle(gate.conn, tmp_path)
    assert verify_bundle(path, box_key=server_box_key(store)).sealed
    with pytest.raises(BundleRefused) as err:  # the gate itself cannot open it
        verify_bundle(path)
    assert err.value.reason == "sealed"
    assert import_bundle(store, path).counts()["accepted"] == 2500
    assert import_bundle(store, path).counts()["duplicate"] == 2500
    assert_server_holds_exactly(store, gate)


# ------------------------------------------------------------------- tampering, wrong keys
@pytest.fixture
def stick(store, gate, tmp_path):
    add_events(gate.conn, 30)
    pair(store, gate.conn)
    (tmp_path / "usb").mkdir()
    return export_bundle(gate.conn, tmp_path / "usb", everything=True)


def _members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _with_envelope(path, **changes) -> bytes:
    members = _members(path)
    envelope = json.loads(members[sealed.ENVELOPE])
    envelope.update(changes)
    members[sealed.ENVELOPE] = json.dumps(envelope).encode()
    return _zip(members)


def _flip_ciphertext(path) -> bytes:
    members = _members(path)
    data = bytearray(members[sealed.SEALED])
    data[len(data) // 2] ^= 0x01
    members[sealed.SEALED] = bytes(data)
    return _zip(members)


def _cut_ciphertext(path) -> bytes:
    members = _members(path)
    members[sealed.SEALED] = members[sealed.SEALED][:-40]
    return _zip(members)


def _events_held(store) -> int:
    with store.tx() as tx:
        return int(tx.one("SELECT count(*) AS n FROM events")["n"])


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (_flip_ciphertext, "sealed_altered"),
        (_cut_ciphertext, "sealed_altered"),
        (lambda p: _with_envelope(p, device_id="another-gate"), "sealed_altered"),
        (lambda p: _with_envelope(p, nonce="00" * 12), "sealed_altered"),
        (lambda p: _with_envelope(p, ephemeral_key="11" * 32), "sealed_altered"),
        (lambda p: _with_envelope(p, server_key_id="0" * 16), "other_server"),
        (lambda p: _with_envelope(p, nonce="zz"), "sealed_bad_envelope"),
        (lambda p: _with_envelope(p, version=9), "unknown_version"),
        (lambda p: p.read_bytes()[: p.stat().st_size // 2], "damaged"),  # a cut file
    ],
)
def test_an_altered_sealed_bundle_is_refused_and_nothing_stored(
    store, gate, stick, tmp_path, damage, reason
):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(damage(stick))
    with pytest.raises(BundleRefused) as err:
        import_bundle(store, bad)
    assert err.value.reason == reason and f"bundle_why_{reason}" in MESSAGES  # in words
    held = _events_held(store)
    assert import_bundle(store, stick).counts()["duplicate"] == held  # the real one still fine


def test_a_bundle_sealed_to_another_server_is_refused(store, stick, tmp_path):
    other = SqliteStore(tmp_path / "other.db")
    other.migrate()
    try:
        with pytest.raises(BundleRefused) as err:
            import_bundle(other, stick)
        assert err.value.reason == "other_server"
        assert "another server" in err.value.message("en")
    finally:
        other.close()


def test_another_gates_bundle_in_this_gates_envelope_is_refused(store, gate, stick, tmp_path):
    """An enrolled gate B seals its own signed bundle in an envelope naming gate A: the
    signature inside is B's, the envelope says A, so it is refused."""
    with another_gate(store, tmp_path / "b", 3) as other:
        plain = export_bundle(other.conn, tmp_path / "b")
    assert _sealed_anew_refused(store, gate, plain, tmp_path) == "sealed_device_mismatch"


def test_a_sealed_bundle_inside_a_sealed_bundle_is_refused(store, gate, stick, tmp_path):
    assert _sealed_anew_refused(store, gate, stick, tmp_path) == "sealed"


def _sealed_anew_refused(store, gate, inner, tmp_path) -> str:
    """Seal a file to the server in this gate's name, as anyone can; why it is refused."""
    key = server_box_key(store).public_key_hex
    path = tmp_path / "sealed-anew.zip"
    path.write_bytes(sealed.seal(inner.read_bytes(), key, gate.device.device_id))
    with pytest.raises(BundleRefused) as err:
        import_bundle(store, path)
    return err.value.reason


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(at=st.integers(min_value=0), bit=st.integers(min_value=0, max_value=7))
def test_any_flipped_bit_is_refused_or_changes_nothing(store, stick, tmp_path, at, bit):
    """The rule the server keeps: a sealed bundle with any bit changed is refused with a
    reason (BundleRefused, never another exception), unless the bit is zip bookkeeping the
    content does not depend on (a date, a version field): then it opens to the very same
    events. Altered content is never accepted."""
    key = server_box_key(store)
    original = verify_bundle(stick, box_key=key)
    data = bytearray(stick.read_bytes())
    data[at % len(data)] ^= 1 << bit
    try:
        opened = verify_bundle(bytes(data), box_key=key)
    except BundleRefused:
        return
    assert (opened.manifest, opened.events) == (original.manifest, original.events)


# ------------------------------------------------------------------------- pinning the key
def test_the_pairing_code_and_the_ack_publish_the_key_and_the_gate_pins_it(store, tmp_path):
    box = server_box_key(store)
    assert server_box_key(store) == box  # made once, kept in the store
    assert parse_enrolment(devices.new_enrolment(store, "http://x:1")).box_key == (
        box.public_key_hex
    )
    # a never-online gate enrolled by the officer (its key QR) pins it from its first ack
    with another_gate(store, tmp_path / "g", 5) as gdb:
        import_bundle(store, export_bundle(gdb.conn, tmp_path / "g"))
        assert pinned_box_key(gdb.conn) is None
        import_ack(gdb.conn, write_ack(store, gdb.device.device_id, tmp_path))
        assert pinned_box_key(gdb.conn) == box.public_key_hex
        add_events(gdb.conn, 2)
        later = export_bundle(gdb.conn, tmp_path / "g")
        assert verify_bundle(later, box_key=box).sealed


def test_an_ack_naming_another_box_key_than_the_pinned_one_is_refused(store, tmp_path):
    with another_gate(store, tmp_path / "g", 4) as gdb:
        import_bundle(store, export_bundle(gdb.conn, tmp_path / "g"))
        elsewhere = sealed.BoxKey.generate().public_key_hex
        pin_box_key(gdb.conn, elsewhere, "2026-11-29T00:00:00Z")
        with pytest.raises(AckRefused) as err:
            import_ack(gdb.conn, write_ack(store, gdb.device.device_id, tmp_path))
        assert err.value.reason == "other_server"
        assert pinned_box_key(gdb.conn) == elsewhere
        waiting = gdb.conn.execute("SELECT count(*) FROM outbox WHERE acked_utc IS NULL")
        assert waiting.fetchone()[0] == 4  # nothing marked


def test_an_unreachable_server_still_leaves_its_key_pinned(store, gate):
    transport = InProcessTransport(store)
    transport.faults.append(Retryable("offline"))
    with pytest.raises(KnownError):
        make_client(gate.conn, transport).enrol(devices.new_enrolment(store, "http://x:1"))
    assert pinned_box_key(gate.conn) == server_box_key(store).public_key_hex


def test_a_qr_with_a_malformed_box_key_is_refused():
    with pytest.raises(KnownError) as err:
        parse_enrolment("gatepost://enrol?server=http://x:1&code=A&box=abc")
    assert err.value.code == "enrol_bad_text"


# ------------------------------------------------------------------------------ the CLI
def test_cli_warns_without_a_key_refuses_when_required_and_seals_once_paired(tmp_path, capsys):
    gate_dir, srv_dir, usb = tmp_path / "g", tmp_path / "s", tmp_path / "usb"
    usb.mkdir()
    gdb = open_database(gate_dir)
    add_events(gdb.conn, 6)
    gdb.close()
    g = ["--data-dir", str(gate_dir), "--lang", "en", "bundle", "export", "--out", str(usb)]
    assert main.main([*g, "--require-encryption"]) != 0
    assert "No server encryption key" in capsys.readouterr().err
    assert list(usb.iterdir()) == []
    assert main.main(g) == 0
    out = capsys.readouterr()
    assert "written unencrypted" in out.err
    assert not verify_bundle(out.out.strip().splitlines()[-1]).sealed
    from server.run import store_for

    server = store_for(srv_dir)
    try:
        gdb = open_database(gate_dir)
        pair(server, gdb.conn)
        add_events(gdb.conn, 4)
        gdb.close()
    finally:
        server.close()
    assert main.main([*g, "--require-encryption"]) == 0
    out = capsys.readouterr()
    assert "unencrypted" not in out.err
    path = out.out.strip().splitlines()[-1]
    with zipfile.ZipFile(path) as zf:
        assert sealed.ENVELOPE in zf.namelist()
    assert main.main(["--data-dir", str(srv_dir), "bundle", "import", path]) == 0
    assert capsys.readouterr().out.strip() == "新增 4，重复 0，拒收 0"


def test_cli_import_of_a_cut_sealed_bundle_is_a_message(tmp_path, capsys, stick, store):
    srv_dir = tmp_path / "srv"
    cut = tmp_path / "cut.zip"
    cut.write_bytes(_cut_ciphertext(stick))
    assert main.main(["--data-dir", str(srv_dir), "--lang", "en", "bundle", "import", str(cut)])
    err = capsys.readouterr().err
    assert "Bundle refused" in err and "Traceback" not in err
