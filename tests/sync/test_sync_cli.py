"""The gate-side commands against a real server: enrol, sync, and the messages when they fail."""

from __future__ import annotations

import pytest

import main
from app.database import open_database
from server import devices
from server.run import ServerThread
from server.store import SqliteStore

from .conftest import add_events


@pytest.fixture
def gate_dir(tmp_path):
    d = tmp_path / "gate"
    d.mkdir()
    return d


def test_enrol_then_sync_from_the_command_line(tmp_path, gate_dir, capsys):
    store = SqliteStore(tmp_path / "server.db")
    store.migrate()
    with ServerThread(store) as srv:
        gdb = open_database(gate_dir)
        add_events(gdb.conn, 25)
        gdb.close()
        base = ["--data-dir", str(gate_dir), "--lang", "en"]
        assert main.main([*base, "sync"]) == 1
        assert "Not paired" in capsys.readouterr().err
        assert main.main([*base, "enrol", "not a code"]) == 1
        assert "not a Gatepost pairing code" in capsys.readouterr().err
        text = devices.new_enrolment(store, srv.url)
        assert main.main([*base, "pair", text, "--name", "南门"]) == 0
        assert srv.url in capsys.readouterr().out
        assert main.main([*base, "sync"]) == 0
        captured = capsys.readouterr()
        assert captured.out.strip() == "Sync done: accepted 25, duplicate 0, rejected 0"
        assert "100%" in captured.err  # the progress bar
        assert main.main([*base, "pair", text]) == 1  # a code works once
        err = capsys.readouterr().err  # #13: the reason in words, not the server's code
        assert "this code was already used" in err and "code_used" not in err
    # the server is gone: a clear message and a non-zero exit, not a traceback
    assert main.main([*base, "sync", "--attempts", "1"]) == 1
    assert "Cannot reach the server" in capsys.readouterr().err
    with store.tx() as tx:
        assert tx.one("SELECT name FROM devices")["name"] == "南门"
    store.close()


def test_server_side_commands(tmp_path, capsys):
    from server.officer import check_officer
    from server.run import store_for

    srv = tmp_path / "srv"
    srv.mkdir()
    base = ["--data-dir", str(srv)]
    assert main.main([*base, "officer-add", "jiedao", "--password", "correct horse"]) == 0
    assert main.main([*base, "enrol-code", "--url", "http://10.0.0.5:8750/", "--no-qr"]) == 0
    text = capsys.readouterr().out.strip().splitlines()[-1]
    assert text.startswith("gatepost://enrol?server=http%3A%2F%2F10.0.0.5%3A8750&code=")
    store = store_for(srv)
    try:
        assert check_officer(store, "jiedao", "correct horse")
        assert not check_officer(store, "jiedao", "wrong")
    finally:
        store.close()


def test_revoke_on_the_server_command_line(tmp_path, gate_dir, capsys):
    """`revoke DEVICE_ID`: the gate's syncs get 403 (stop and alert), its bundles are refused."""
    from server.run import store_for

    srv = tmp_path / "srv"
    srv.mkdir()
    store = store_for(srv)
    with ServerThread(store) as server:
        gdb = open_database(gate_dir)
        add_events(gdb.conn, 5)
        device_id = gdb.device.device_id
        gdb.close()
        base = ["--data-dir", str(gate_dir), "--lang", "en"]
        assert (
            main.main([*base, "pair", devices.new_enrolment(store, server.url), "--name", "东门"])
            == 0
        )
        assert main.main([*base, "sync"]) == 0
        capsys.readouterr()
        srv_args = ["--data-dir", str(srv), "--lang", "en"]
        assert main.main([*srv_args, "revoke", "nosuchgate"]) == 1
        assert "No such gate nosuchgate" in capsys.readouterr().err
        assert main.main([*srv_args, "revoke", device_id[:10]]) == 0
        assert capsys.readouterr().out.strip() == f"Revoked gate 东门 ({device_id})"
        assert devices.get_device(store, device_id).revoked
        gdb = open_database(gate_dir)
        add_events(gdb.conn, 1)
        gdb.close()
        assert main.main([*base, "sync", "--attempts", "1"]) == 1
        assert "refused this gate" in capsys.readouterr().err
        stick = tmp_path / "stick"
        stick.mkdir()
        assert main.main(["bundle", "export", "--out", str(stick), *base]) == 0
        bundle = capsys.readouterr().out.strip()
        assert main.main(["bundle", "import", bundle, *srv_args]) == 1
        assert "this gate has been revoked" in capsys.readouterr().err
    store.close()
