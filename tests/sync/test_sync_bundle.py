"""USB bundles: written safely, verified, imported idempotently; damaged ones refused."""

from __future__ import annotations

import json
import zipfile

import pytest

import main
from app.database import open_database
from app.errors import KnownError
from app.sync.bundle import BundleRefused, export_bundle, verify_bundle
from app.sync.identity import load_identity
from server.bundles import import_bundle
from server.ingest import device_head
from server.store import SqliteStore

from .conftest import (
    add_events,
    assert_server_holds_exactly,
    enrol_offline_gate,
    enrol_offline_in,
)


def test_export_then_import_twice_changes_nothing_the_second_time(store, gate, tmp_path):
    add_events(gate.conn, 2500)
    path = export_bundle(gate.conn, tmp_path)
    assert path.exists() and not list(tmp_path.glob(".*.partial"))
    manifest = verify_bundle(path).manifest
    assert (manifest["first_seq"], manifest["last_seq"], manifest["count"]) == (1, 2500, 2500)
    assert manifest["key_id"] == load_identity(gate.conn).key_id
    enrol_offline_gate(store, gate.conn)
    first = import_bundle(store, path).counts()
    assert first == {"accepted": 2500, "duplicate": 0, "rejected": 0}
    second = import_bundle(store, path).counts()
    assert second == {"accepted": 0, "duplicate": 2500, "rejected": 0}
    assert_server_holds_exactly(store, gate)


def test_bundles_out_of_order_converge(store, gate, tmp_path):
    add_events(gate.conn, 100)
    (tmp_path / "w1").mkdir()
    (tmp_path / "w2").mkdir()
    week1 = export_bundle(gate.conn, tmp_path / "w1")
    add_events(gate.conn, 50)
    week2 = export_bundle(gate.conn, tmp_path / "w2", from_seq=101)
    enrol_offline_gate(store, gate.conn)
    assert import_bundle(store, week2).counts()["accepted"] == 50
    assert device_head(store, gate.device.device_id) == 0  # a gap: 1..100 still missing
    assert import_bundle(store, week1).counts()["accepted"] == 100
    assert device_head(store, gate.device.device_id) == 150
    assert_server_holds_exactly(store, gate)


def _rewrite(src, dst, change):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for name in zin.namelist():
            zout.writestr(name, change(name, zin.read(name)))


@pytest.fixture
def bundle(store, gate, tmp_path):
    add_events(gate.conn, 20)
    enrol_offline_gate(store, gate.conn)
    return export_bundle(gate.conn, tmp_path)


def test_truncated_bundle_is_refused(store, bundle, tmp_path):
    cut = tmp_path / "cut.zip"
    cut.write_bytes(bundle.read_bytes()[: bundle.stat().st_size // 2])
    with pytest.raises(BundleRefused) as err:
        import_bundle(store, cut)
    assert err.value.reason.startswith("damaged")
    with store.tx() as tx:
        assert tx.one("SELECT count(*) AS n FROM events")["n"] == 0


def test_altered_events_are_refused(store, bundle, tmp_path):
    bad = tmp_path / "bad.zip"

    def change(name, data):
        return data.replace(b"pass", b"PASS", 1) if name == "events.jsonl" else data

    _rewrite(bundle, bad, change)
    with pytest.raises(BundleRefused) as err:
        import_bundle(store, bad)
    assert err.value.reason == "events_altered"


def test_altered_manifest_breaks_the_signature(store, bundle, tmp_path):
    bad = tmp_path / "bad.zip"

    def change(name, data):
        if name != "manifest.json":
            return data
        m = json.loads(data)
        m["count"] = 19
        return json.dumps(m).encode()

    _rewrite(bundle, bad, change)
    with pytest.raises(BundleRefused) as err:
        import_bundle(store, bad)
    assert err.value.reason == "bad_signature"


def test_bundle_signed_by_another_key_is_refused(store, bundle, tmp_path):
    import_bundle(store, bundle)  # the server now knows this device's key
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    other = open_database(other_dir)
    try:
        # an impostor claiming our device id, signing with its own key
        real = verify_bundle(bundle).manifest
        other.conn.execute("UPDATE device SET device_id = ?", (real["device_id"],))
        add_events(other.conn, 3)
        forged = export_bundle(other.conn, other_dir)
    finally:
        other.close()
    with pytest.raises(BundleRefused) as err:
        import_bundle(store, forged)
    assert err.value.reason == "key_mismatch"


def test_nothing_to_export_is_a_message(gate, tmp_path):
    with pytest.raises(KnownError) as err:
        export_bundle(gate.conn, tmp_path)
    assert err.value.code == "bundle_nothing"


def test_cli_export_and_import(tmp_path, capsys):
    gate_dir, srv_dir, usb = tmp_path / "g", tmp_path / "s", tmp_path / "usb"
    usb.mkdir()
    gate_dir.mkdir()
    gdb = open_database(gate_dir)
    add_events(gdb.conn, 40)
    enrol_offline_in(srv_dir, gdb.conn)
    gdb.close()
    assert main.main(["--data-dir", str(gate_dir), "bundle", "export", "--out", str(usb)]) == 0
    out = capsys.readouterr()
    path = out.out.strip()
    assert path.endswith(".zip") and (usb / path.split("/")[-1]).exists()
    assert "可以拔出" in out.err
    assert main.main(["--data-dir", str(srv_dir), "bundle", "import", path]) == 0
    assert capsys.readouterr().out.strip() == "新增 40，重复 0，拒收 0"
    assert main.main(["--data-dir", str(srv_dir), "bundle", "import", path]) == 0
    assert capsys.readouterr().out.strip() == "新增 0，重复 40，拒收 0"
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really")
    assert (
        main.main(["--data-dir", str(srv_dir), "--lang", "en", "bundle", "import", str(broken)])
        == 1
    )
    assert "Bundle refused: the file is damaged" in capsys.readouterr().err
    store = SqliteStore(srv_dir / "gatepost-server.db")
    with store.tx() as tx:
        assert tx.one("SELECT count(*) AS n FROM events")["n"] == 40
    store.close()


def test_export_to_a_missing_folder_is_a_message(gate, tmp_path):
    add_events(gate.conn, 1)
    with pytest.raises(KnownError) as err:
        export_bundle(gate.conn, tmp_path / "no-such-stick")
    assert err.value.code == "bundle_write_failed"


def test_weekly_bundles_are_incremental_and_all_resends_everything(store, gate, tmp_path):
    weeks = []
    for week in range(3):
        add_events(gate.conn, 10)
        folder = tmp_path / f"w{week}"
        folder.mkdir()
        weeks.append(export_bundle(gate.conn, folder))
    ranges = [
        (verify_bundle(p).manifest["first_seq"], verify_bundle(p).manifest["last_seq"])
        for p in weeks
    ]
    assert ranges == [(1, 10), (11, 20), (21, 30)]
    with pytest.raises(KnownError):
        export_bundle(gate.conn, tmp_path)  # nothing new since the last bundle
    again = export_bundle(gate.conn, tmp_path, everything=True)
    assert verify_bundle(again).manifest["count"] == 30
    # the officer imports week 3, then week 1, and sees the gap close with week 2
    enrol_offline_gate(store, gate.conn)
    import_bundle(store, weeks[2])
    import_bundle(store, weeks[0])
    assert device_head(store, gate.device.device_id) == 10
    import_bundle(store, weeks[1])
    assert device_head(store, gate.device.device_id) == 30
    assert_server_holds_exactly(store, gate)


def test_cancelled_export_leaves_no_file(gate, tmp_path):
    from app.sync.bundle import BundleCancelled

    add_events(gate.conn, 3000)
    usb = tmp_path / "usb"
    usb.mkdir()
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(BundleCancelled):
        export_bundle(gate.conn, usb, cancelled=cancelled)
    assert list(usb.iterdir()) == []
    # the next export is not confused by the cancelled one
    assert verify_bundle(export_bundle(gate.conn, usb)).manifest["count"] == 3000
