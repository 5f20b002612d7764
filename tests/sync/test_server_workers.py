"""`server --workers N` (#15 item 4): several uvicorn processes on one PostgreSQL database,
started at once on an empty schema; refused with a message on SQLite."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.sync.transport import HttpTransport
from server import devices
from server.run import free_port
from server.store import PostgresStore

from .conftest import add_events, assert_server_holds_exactly, fresh_pg_schema, make_client

ROOT = Path(__file__).resolve().parents[2]


def test_workers_on_sqlite_are_refused_with_a_message(tmp_path, capsys):
    import main

    code = main.main(["--data-dir", str(tmp_path), "--lang", "en", "server", "--workers", "2"])
    assert code != 0
    assert "need PostgreSQL: set DATABASE_URL" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.db"))  # nothing opened


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


@pytest.mark.slow
def test_three_workers_on_an_empty_postgres_database_serve_one_gate(tmp_path, gate):
    with fresh_pg_schema() as target:
        port = free_port()
        env = {**os.environ, "DATABASE_URL": target}
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "--data-dir", str(tmp_path), "server"]
            + ["--port", str(port), "--workers", "3"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        store = None
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                    time.sleep(0.1)
            deadline = time.monotonic() + 30
            while len(_children(proc.pid)) < 3 and time.monotonic() < deadline:
                time.sleep(0.1)
            workers = _children(proc.pid)
            assert len(workers) >= 3
            store = PostgresStore(target)
            client = make_client(gate.conn, HttpTransport(timeout=10), batch_size=50)
            client.enrol(devices.new_enrolment(store, f"http://127.0.0.1:{port}"), "东门")
            add_events(gate.conn, 400)
            report = client.run()
            assert report.ok and report.accepted == 400
            assert_server_holds_exactly(store, gate)
            assert proc.poll() is None and all(
                os.path.exists(f"/proc/{w}") for w in workers
            )  # no worker died
        finally:
            if store is not None:
                store.close()
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
