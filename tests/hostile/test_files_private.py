"""Files private (#13 item 4, gate side): 0700 data dir, 0600 database, a slow PIN hash."""

from __future__ import annotations

import os
import stat
import time

import pytest

from app import officer
from app.database import open_database
from app.gate.service import GateService, PassageDraft


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_data_dir_and_database_are_private(tmp_path, clock):
    data = tmp_path / "fresh"
    gdb = open_database(data)
    GateService(gdb, clock).record(
        PassageDraft(code_color="green", payload_text="hc:p", temperature="36.5")
    )
    assert mode(data) == 0o700
    for name in ("gatepost.db", "gatepost.db-wal", "gatepost.db-shm"):
        assert (data / name).exists() and mode(data / name) == 0o600, name
    gdb.close()


def test_loose_modes_are_tightened_at_start(tmp_path, clock):
    data = tmp_path / "old"
    gdb = open_database(data)
    GateService(gdb, clock).record(
        PassageDraft(code_color="green", payload_text="hc:p", temperature="36.5")
    )
    os.chmod(data, 0o755)  # -wal and -shm exist while the first connection is open
    for name in ("gatepost.db", "gatepost.db-wal", "gatepost.db-shm"):
        os.chmod(data / name, 0o644)
    again = open_database(data)
    assert mode(data) == 0o700
    for name in ("gatepost.db", "gatepost.db-wal", "gatepost.db-shm"):
        assert mode(data / name) == 0o600, name
    again.close()
    gdb.close()


@pytest.mark.slow
def test_the_production_pin_hash_costs_at_least_250_ms():
    salt = os.urandom(16)
    times = []
    for _ in range(2):
        t0 = time.perf_counter()
        officer._hash("123456", salt, officer.PRODUCTION_SCRYPT)
        times.append(time.perf_counter() - t0)
    assert min(times) >= 0.25, times
    assert officer.algo_name(officer.PRODUCTION_SCRYPT) == "scrypt:n=65536,r=8,p=2"
