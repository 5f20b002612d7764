"""Power cuts while recording (#13 item 5): a disk that keeps only what was synced.

The gate's own schema (db/migrations), pragmas (WAL, synchronous=FULL: db/connection) and
record writer (app/records_writer: the passage and its outbox event in one transaction) run
on apsw over `tests/fakes/power_loss.py`'s VFS; the power goes at a random write or sync
(during migrations, commits and WAL checkpoints), the unsynced writes are lost (or, torn, a
random subset of them lands in any order), and the file is reopened with the sqlite3 the gate
uses. After every cut: integrity_check ok, every confirmed record (write_record returned)
is there with its event, the hash chain holds. `make test` runs the short tier; `make fuzz`
the long one (GATEPOST_POWER_CUTS, default 1000).
"""

from __future__ import annotations

import os
import random
import sqlite3
from dataclasses import dataclass, field

import pytest

from app.database import open_memory
from app.errors import KnownError
from app.gate.service import GateService, PassageDraft
from app.ids import uuid7
from app.records_writer import write_record
from db import connection, migrations, outbox, records

apsw = pytest.importorskip("apsw")

from tests.fakes.power_loss import ApswConnection, PowerLossVFS  # noqa: E402

SHORT_CUTS = 300  # both variants together: about 15 s on the shared 2-core machine
LONG_CUTS = int(os.environ.get("GATEPOST_POWER_CUTS", "1000"))


def _template(clock) -> dict:
    """A passage row exactly as the desk writes it (recorded once by GateService)."""
    gdb = open_memory()
    svc = GateService(gdb, clock)
    svc.settings.set("volunteer", "王阿姨")
    svc.record(PassageDraft(code_color="green", payload_text="hc:p", temperature="36.5"))
    row = dict(gdb.conn.execute("SELECT * FROM passages").fetchone())
    gdb.close()
    return row


@dataclass
class Run:
    confirmed: list[str] = field(default_factory=list)
    cuts: int = 0
    cuts_in_migration: int = 0
    migrated: bool = False
    records_cut: int = 0  # a record whose commit the power interrupted (not confirmed)
    cuts_after_checkpoint: int = 0  # lives in which the WAL was checkpointed into the file


def _one_life(path, template: dict, rng: random.Random, run: Run, torn: bool) -> None:
    """Open, migrate and record until the power goes."""
    # early cuts until the schema is complete (a cut inside a migration step), then anywhere
    early = not run.migrated and run.cuts < 30
    cut_after = rng.randint(1, 150 if early else 2500)
    vfs = PowerLossVFS(f"powerloss{run.cuts}", rng, cut_after, torn=torn)
    conn = None
    migrated = False
    try:
        conn = ApswConnection(str(path), vfs.name)
        connection.configure(conn)  # type: ignore[arg-type]
        migrations.migrate(conn)  # type: ignore[arg-type]
        migrated = run.migrated = True
        while True:
            row = dict(template, id=uuid7(), ts_utc=f"2026-11-29T01:{len(run.confirmed):07d}Z")
            try:
                write_record(conn, "passage", records.insert_passage, row)  # type: ignore[arg-type]
            except KnownError:
                run.records_cut += 1
                raise
            run.confirmed.append(row["id"])
    except (sqlite3.Error, KnownError, apsw.Error):
        assert vfs.dead, "an error before the power went"
    finally:
        if conn is not None:
            conn.close()
        vfs.unregister()
    run.cuts += 1
    run.cuts_in_migration += not migrated
    run.cuts_after_checkpoint += migrated and vfs.main_db_writes > 0


def _check_after_cut(path, run: Run) -> None:
    conn = sqlite3.connect(str(path))
    conn.row_factory = sqlite3.Row
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'passages'").fetchone():
            assert not run.confirmed  # cut before the first step committed
            return
        ids = {r[0] for r in conn.execute("SELECT id FROM passages")}
        lost = [i for i in run.confirmed if i not in ids]
        assert not lost, f"{len(lost)} confirmed records lost after cut {run.cuts}"
        events = {r[0] for r in conn.execute("SELECT event_id FROM outbox WHERE kind='passage'")}
        assert events == ids  # never a record without its event, nor an event without one
        assert outbox.verify_chain(conn)
    finally:
        conn.close()


LIVES_PER_FILE = 25  # then a fresh file: each life reads the whole file, keep it small


def _power_cuts(tmp_path, clock, cuts: int, seed: int, torn: bool) -> Run:
    template = _template(clock)
    rng = random.Random(seed)
    total = Run()
    for generation in range(0, cuts, LIVES_PER_FILE):
        path = tmp_path / f"gatepost-{generation}.db"
        run = Run()
        while run.cuts < min(LIVES_PER_FILE, cuts - generation):
            _one_life(path, template, rng, run, torn)
            _check_after_cut(path, run)
        # and the gate's own start opens it as it is
        conn = connection.connect(path)
        assert migrations.migrate(conn) == len(migrations.known_names())
        conn.close()
        total.confirmed += run.confirmed
        total.cuts += run.cuts
        total.cuts_in_migration += run.cuts_in_migration
        total.records_cut += run.records_cut
        total.cuts_after_checkpoint += run.cuts_after_checkpoint
    print(
        f"power cuts {total.cuts} (in migrations {total.cuts_in_migration}, mid-commit "
        f"{total.records_cut}, after a checkpoint {total.cuts_after_checkpoint}), "
        f"confirmed records {len(total.confirmed)}, lost 0"
    )
    return total


@pytest.mark.slow
@pytest.mark.parametrize("torn", [False, True], ids=["unsynced-dropped", "unsynced-torn"])
def test_power_cuts_lose_no_confirmed_record(tmp_path, clock, torn):
    run = _power_cuts(tmp_path, clock, SHORT_CUTS // 2, seed=13 + torn, torn=torn)
    assert run.cuts_in_migration >= 1 and run.records_cut >= 1 and run.cuts_after_checkpoint >= 1
    assert len(run.confirmed) > 1000


@pytest.mark.fuzz
@pytest.mark.slow
@pytest.mark.skipif("GATEPOST_FUZZ_EXAMPLES" not in os.environ, reason="make fuzz only")
@pytest.mark.parametrize("torn", [False, True], ids=["unsynced-dropped", "unsynced-torn"])
def test_power_cuts_long(tmp_path, clock, torn):
    _power_cuts(tmp_path, clock, LONG_CUTS // 2, seed=1013 + torn, torn=torn)


def test_the_fake_disk_really_drops_unsynced_writes(tmp_path):
    """Without a sync nothing reaches the disk: the test's cuts can lose data at all."""
    path = tmp_path / "x.db"
    vfs = PowerLossVFS("powerloss-probe", random.Random(1), cut_after=10**9)
    conn = ApswConnection(str(path), vfs.name)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")  # commits without a sync
    conn.execute("CREATE TABLE t(x)")
    conn.execute("INSERT INTO t VALUES (1)")
    vfs.cut()
    conn.close()
    vfs.unregister()
    check = sqlite3.connect(str(path))
    assert check.execute("SELECT name FROM sqlite_master WHERE name = 't'").fetchone() is None
    check.close()
