"""练习模式 without Qt: the training database is separate, copies the real settings and PIN,
and opening it (and signing the demo's passes) writes nothing to the real database."""

from __future__ import annotations

import pytest

from app.clock import FakeClock
from app.database import open_database
from app.gate.service import GateService, PassageDraft
from app.gate.training import is_training, open_training, training_cards, training_dir
from app.officer import OfficerAuth
from app.roster.service import RosterService
from app.settings import Settings
from tests.fakes import roster_files as rf

TABLES = ("passages", "fever_checks", "outbox", "roster_changes", "settings", "audit_log")


def counts(gdb):
    return {t: gdb.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


@pytest.fixture
def real(tmp_path):
    gdb = open_database(tmp_path)
    yield gdb
    gdb.close()


def test_only_the_demo_is_training():
    assert is_training("demo") and is_training(" demo ")
    assert not any(is_training(s) for s in ("auto", "", None, "0", "/videos/demo.mp4"))


def test_the_training_database_is_its_own_file_with_the_real_settings_and_pin(real, tmp_path):
    clock = FakeClock()
    settings = Settings(real.conn)
    settings.set("fever_threshold", "37.5")
    settings.set("checkpoint_name", "北门")
    settings.set("camera_source", "demo")
    OfficerAuth(real, clock).set_pin("246810")
    before = counts(real)
    training = open_training(tmp_path, real)
    try:
        assert training.path == training_dir(tmp_path) / "gatepost.db" != real.path
        assert training.device.device_id != real.device.device_id
        copied = Settings(training.conn)
        assert copied.get("fever_threshold") == 37.5 and copied.get("checkpoint_name") == "北门"
        assert copied.get("camera_source") == "demo"
        OfficerAuth(training, clock).authorize("246810", "settings_change", {})
        open_training(tmp_path, real).close()  # a second start does not add the PIN again
        assert training.conn.execute("SELECT COUNT(*) FROM officer_pin").fetchone()[0] == 1
    finally:
        training.close()
    assert counts(real) == before


def test_demo_passes_are_signed_in_the_training_database_only(real, tmp_path):
    clock = FakeClock()
    RosterService(real, clock).add(
        {"name": "张三", "id_number": rf.ZHANG, "building": "3", "room": "501"}
    )
    before = counts(real)
    training = open_training(tmp_path, real)
    try:
        assert [c.color for c in training_cards(training, clock)][-1] != "black"  # no residents
        RosterService(training, clock).add(
            {"name": "李四", "id_number": rf.LI, "building": "1", "room": "101"}
        )
        cards = training_cards(training, clock)
        assert [c.color for c in cards].count("black") == 1
        issued = training.conn.execute(
            "SELECT COUNT(*) FROM roster_changes WHERE action = 'pass_issue'"
        ).fetchone()[0]
        assert issued == 1
        GateService(training, clock).record(
            PassageDraft(code_color="green", payload_text="demo", temperature="36.5")
        )
    finally:
        training.close()
    assert counts(real) == before
