"""USB acks: the server signs how far it holds a never-online gate; the gate marks exactly
those events acknowledged, and refuses forged, other-server and other-gate acks."""

from __future__ import annotations

import json

import pytest

import main
from app.database import open_database
from app.sync.ack import AckRefused, canonical, import_ack, read_ack
from app.sync.bundle import BundleRefused, export_bundle
from db import retention as rdb
from db.connection import transaction
from server.acks import make_ack, server_key, write_ack
from server.bundles import import_bundle
from server.store import SqliteStore

from .conftest import add_events, enrol_offline_gate, enrol_offline_in


def _waiting(conn) -> int:
    return conn.execute("SELECT count(*) FROM outbox WHERE acked_utc IS NULL").fetchone()[0]


def _acked_seqs(conn) -> list[int]:
    rows = conn.execute("SELECT seq FROM outbox WHERE acked_utc IS NOT NULL ORDER BY seq")
    return [r[0] for r in rows]


def test_ack_marks_exactly_what_the_server_holds_and_lets_the_purge_drop_it(store, gate, tmp_path):
    add_events(gate.conn, 120)
    (tmp_path / "stick").mkdir()
    bundle = export_bundle(gate.conn, tmp_path / "stick")
    add_events(gate.conn, 30)  # written after the stick left: not acknowledged
    enrol_offline_gate(store, gate.conn)
    assert import_bundle(store, bundle).counts()["accepted"] == 120
    ack = write_ack(store, gate.device.device_id, tmp_path / "stick")
    assert ack.parent == tmp_path / "stick" and not list(ack.parent.glob(".*.partial"))

    result = import_ack(gate.conn, ack)
    assert (result.acked_seq, result.newly_acked) == (120, 120)
    assert _acked_seqs(gate.conn) == list(range(1, 121))
    assert _waiting(gate.conn) == 30
    status = gate.conn.execute("SELECT server_acked_seq FROM sync_status").fetchone()[0]
    assert status == 120
    # the same ack again (or an older one) changes nothing
    assert import_ack(gate.conn, ack).newly_acked == 0
    # acknowledged events may now go with the purge; the 30 unacknowledged stay
    with transaction(gate.conn):
        deleted = rdb.purge(gate.conn, "9999-12-31")
    assert deleted["outbox"] == 120
    left = gate.conn.execute("SELECT seq FROM outbox ORDER BY seq")
    assert [r[0] for r in left] == list(range(121, 151))


def test_forged_ack_is_refused_and_marks_nothing(store, gate, tmp_path):
    add_events(gate.conn, 10)
    enrol_offline_gate(store, gate.conn)
    import_bundle(store, export_bundle(gate.conn, tmp_path))
    ack = write_ack(store, gate.device.device_id, tmp_path)
    doc = json.loads(ack.read_text("utf-8"))
    payload = json.loads(doc["payload"])
    add_events(gate.conn, 5)
    # claim more than was signed: the signature no longer fits
    payload["acked_seq"] = 15
    doc["payload"] = canonical(payload)
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(AckRefused) as err:
        import_ack(gate.conn, forged)
    assert err.value.reason == "bad_signature"
    # a key made up by the forger, named inside the file, is not the trusted server
    import_ack(gate.conn, ack)  # pins the real server's key
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from app.signatures import key_id_of
    from app.sync.identity import b64

    other = Ed25519PrivateKey.generate()
    pub = other.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    payload.update(server_public_key=pub, server_key_id=key_id_of(pub))
    text = canonical(payload)
    doc.update(payload=text, signature=b64(other.sign(text.encode())))
    forged.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(AckRefused) as err:
        import_ack(gate.conn, forged)
    assert err.value.reason == "other_server"
    assert _waiting(gate.conn) == 5
    for junk, reason in ((b"\x00\x01zip?", "damaged"), (b'{"format": "x"}', "not_an_ack")):
        forged.write_bytes(junk)
        with pytest.raises(AckRefused) as err:
            import_ack(gate.conn, forged)
        assert err.value.reason == reason
    assert "伪造" in AckRefused("bad_signature").text("zh")


def test_ack_from_another_server_or_for_another_gate_is_refused(store, gate, tmp_path):
    add_events(gate.conn, 8)
    bundle = export_bundle(gate.conn, tmp_path)
    enrol_offline_gate(store, gate.conn)
    import_bundle(store, bundle)
    import_ack(gate.conn, write_ack(store, gate.device.device_id, tmp_path))  # pins the key
    add_events(gate.conn, 4)
    (tmp_path / "b2").mkdir()
    later = export_bundle(gate.conn, tmp_path / "b2")

    other_server = SqliteStore(tmp_path / "other.db")
    other_server.migrate()
    try:
        enrol_offline_gate(other_server, gate.conn)
        import_bundle(other_server, bundle)
        with pytest.raises(BundleRefused) as refused:  # sealed to the pinned server (#13)
            import_bundle(other_server, later)
        assert refused.value.reason == "other_server"
        foreign = write_ack(other_server, gate.device.device_id, tmp_path / "b2")
        with pytest.raises(AckRefused) as err:
            import_ack(gate.conn, foreign)
        assert err.value.reason == "other_server"
    finally:
        other_server.close()

    (tmp_path / "g2").mkdir()
    neighbour = open_database(tmp_path / "g2")
    try:
        add_events(neighbour.conn, 3)
        enrol_offline_gate(store, neighbour.conn)
        import_bundle(store, export_bundle(neighbour.conn, tmp_path / "g2"))
        theirs = write_ack(store, neighbour.device.device_id, tmp_path / "g2")
        assert read_ack(theirs)["device_id"] == neighbour.device.device_id
    finally:
        neighbour.close()
    with pytest.raises(AckRefused) as err:
        import_ack(gate.conn, theirs)
    assert err.value.reason == "other_device"
    assert _waiting(gate.conn) == 4


def _resigned(store, ack_path, tmp_path, **changes):
    """A genuine server signature over a payload that does not fit the gate."""
    doc = json.loads(ack_path.read_text("utf-8"))
    payload = {**json.loads(doc["payload"]), **changes}
    text = canonical(payload)
    doc.update(payload=text, signature=server_key(store).sign(text.encode()))
    out = tmp_path / "resigned.json"
    out.write_text(json.dumps(doc), "utf-8")
    return out


def test_ack_beyond_the_gate_or_off_its_chain_is_refused(store, gate, tmp_path):
    add_events(gate.conn, 6)
    enrol_offline_gate(store, gate.conn)
    import_bundle(store, export_bundle(gate.conn, tmp_path))
    ack = write_ack(store, gate.device.device_id, tmp_path)
    for changes, reason in (
        ({"acked_seq": 7}, "ahead_of_device"),
        ({"chain_head": "f" * 64}, "chain_mismatch"),
        ({"device_key_id": "0" * 16}, "other_device_key"),
    ):
        with pytest.raises(AckRefused) as err:
            import_ack(gate.conn, _resigned(store, ack, tmp_path, **changes))
        assert err.value.reason == reason
    assert _waiting(gate.conn) == 6
    assert import_ack(gate.conn, ack).newly_acked == 6


def test_quarantined_events_are_listed_on_the_gate_via_the_ack(store, gate, tmp_path):
    add_events(gate.conn, 5)
    bundle = export_bundle(gate.conn, tmp_path)
    enrol_offline_gate(store, gate.conn)
    import_bundle(store, bundle)
    with store.tx() as tx:  # the server already held a different event at seq 3
        tx.execute(
            "INSERT INTO quarantine(device_id, seq, event_id, kind, body, created_utc, "
            "prev_hash, hash, reason, received_utc) VALUES (?, 3, 'e3', 'passage', '{}', "
            "'t', 'p', 'h', 'conflict_same_seq', 't')",
            (gate.device.device_id,),
        )
    name, data = make_ack(store, gate.device.device_id)
    path = tmp_path / name
    path.write_bytes(data)
    result = import_ack(gate.conn, path)
    assert (result.rejected, result.newly_acked) == (1, 5)
    rows = gate.conn.execute("SELECT seq, event_id, reason FROM sync_rejections").fetchall()
    assert [tuple(r) for r in rows] == [(3, "e3", "conflict_same_seq")]
    assert import_ack(gate.conn, path).rejected == 0  # listed once


def test_ack_round_trip_on_the_command_line(tmp_path, capsys):
    gate_dir, srv, stick = tmp_path / "gate", tmp_path / "srv", tmp_path / "stick"
    for d in (gate_dir, srv, stick):
        d.mkdir()
    gdb = open_database(gate_dir)
    add_events(gdb.conn, 40)
    enrol_offline_in(srv, gdb.conn)
    device_id = gdb.device.device_id
    gdb.close()
    gate_args = ["--data-dir", str(gate_dir), "--lang", "en"]
    srv_args = ["--data-dir", str(srv), "--lang", "en"]
    assert main.main(["bundle", "export", "--out", str(stick), *gate_args]) == 0
    bundle = capsys.readouterr().out.strip()
    assert main.main(["bundle", "import", bundle, "--ack-out", str(stick), *srv_args]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "accepted 40, duplicate 0, rejected 0"
    ack = out[1]
    assert ack.endswith(".json") and device_id[:8] in ack
    # `bundle ack` writes the same head again on demand (device id prefix is enough)
    assert (
        main.main(["bundle", "ack", "--device", device_id[:8], "--out", str(tmp_path), *srv_args])
        == 0
    )
    assert read_ack(capsys.readouterr().out.strip())["acked_seq"] == 40
    assert (
        main.main(["bundle", "ack", "--device", "nobody", "--out", str(tmp_path), *srv_args]) == 1
    )
    assert "unknown_device" in capsys.readouterr().err

    assert main.main(["bundle", "import-ack", ack, *gate_args]) == 0
    assert "up to 40 (40 newly acknowledged)" in capsys.readouterr().out
    broken = tmp_path / "broken.json"
    broken.write_text("{", "utf-8")
    assert main.main(["bundle", "import-ack", str(broken), *gate_args]) == 1
    assert "Ack refused: the file is damaged" in capsys.readouterr().err
    gdb = open_database(gate_dir)
    try:
        assert _waiting(gdb.conn) == 0
    finally:
        gdb.close()


def _other_key_ack(genuine, tmp_path):
    """The genuine ack re-signed by a key its forger made up and named inside the file."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from app.signatures import key_id_of
    from app.sync.identity import b64

    doc = json.loads(genuine.read_text("utf-8"))
    payload = json.loads(doc["payload"])
    other = Ed25519PrivateKey.generate()
    pub = other.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    payload.update(server_public_key=pub, server_key_id=key_id_of(pub))
    text = canonical(payload)
    doc.update(payload=text, signature=b64(other.sign(text.encode())))
    out = tmp_path / "self-signed.json"
    out.write_text(json.dumps(doc), "utf-8")
    return out


def test_pairing_qr_pins_the_server_key_before_any_ack(store, gate, tmp_path):
    """Without a pin, the first ack's key would be trusted: a self-signed ack carried in first
    could mark events the server never got as delivered, and the purge would drop them."""
    from app.errors import KnownError
    from app.sync.ack import pinned_server_key
    from app.sync.identity import parse_enrolment
    from app.sync.transport import Retryable
    from server import devices
    from tests.fakes.sync_fakes import InProcessTransport

    from .conftest import make_client

    text = devices.new_enrolment(store, "http://127.0.0.1:1")
    assert parse_enrolment(text).server_key == server_key(store).public_key_hex
    # a never-online gate: the server cannot be reached, the key is pinned all the same
    transport = InProcessTransport(store)
    transport.faults.append(Retryable("no route to host"))
    with pytest.raises(KnownError) as err:
        make_client(gate.conn, transport).enrol(text)
    assert err.value.code == "enrol_unreachable_key_kept" and "U盘" in err.value.message("zh")
    assert pinned_server_key(gate.conn) == server_key(store).public_key_hex

    add_events(gate.conn, 6)
    enrol_offline_gate(store, gate.conn)
    import_bundle(store, export_bundle(gate.conn, tmp_path))
    genuine = write_ack(store, gate.device.device_id, tmp_path)
    with pytest.raises(AckRefused) as refused:
        import_ack(gate.conn, _other_key_ack(genuine, tmp_path))  # the first ack carried in
    assert refused.value.reason == "other_server" and _waiting(gate.conn) == 6
    assert import_ack(gate.conn, genuine).newly_acked == 6

    other_server = SqliteStore(tmp_path / "other.db")
    other_server.migrate()
    try:
        with pytest.raises(KnownError) as err:
            make_client(gate.conn, InProcessTransport(other_server)).enrol(
                devices.new_enrolment(other_server, "http://127.0.0.1:2")
            )
        assert err.value.code == "enrol_other_server"
    finally:
        other_server.close()


def test_pairing_text_with_a_bad_key_is_not_a_pairing_code():
    from app.errors import KnownError
    from app.sync.identity import enrolment_text, parse_enrolment

    good = enrolment_text("http://10.0.0.5:8750", "AB-CD", "ab" * 32)
    assert parse_enrolment(good).server_key == "ab" * 32
    assert parse_enrolment(enrolment_text("http://x:1", "C")).server_key is None
    for key in ("xyz", "ab" * 31, "ab" * 33):
        with pytest.raises(KnownError) as err:
            parse_enrolment(enrolment_text("http://10.0.0.5:8750", "AB-CD", key))
        assert err.value.code == "enrol_bad_text"
