"""练习模式 (training mode): the demo camera's passages live in their own database.

The demo shows made-up health codes. Anything they cause (passages, fevers, pass issues,
outbox events) goes to <data dir>/training/gatepost.db, which nothing syncs, reports,
exports or purges into the real one. Opening training mode only reads the real database:
its settings and officer PIN are copied over, so the practice desk behaves like the real one.
"""

from __future__ import annotations

from pathlib import Path

from app.clock import Clock
from app.database import GateDatabase, open_database
from app.roster.demo import demo_cards_with_passes
from app.scan.demo import DemoCard
from app.settings import SETTINGS
from db import officer as officer_db
from db import settings_store
from db.connection import transaction

TRAINING_DIR = "training"
DEMO_SPECS = ("demo",)


def is_training(spec: str | None) -> bool:
    """The demo camera is training mode; 'auto' never is (no webcam means no camera)."""
    return (spec or "").strip().lower() in DEMO_SPECS


def training_dir(data_dir: Path) -> Path:
    return Path(data_dir) / TRAINING_DIR


def open_training(data_dir: Path, real: GateDatabase) -> GateDatabase:
    """Open (or create) the training database beside the real one and bring the real
    settings and officer PIN over; the real database is only read."""
    folder = training_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    gdb = open_database(folder)
    copy_settings(real, gdb)
    return gdb


def copy_settings(real: GateDatabase, training: GateDatabase) -> None:
    """The practice desk uses the real thresholds, names and PIN; its camera is the demo."""
    for spec in SETTINGS:
        value = settings_store.get(real.conn, spec.name)
        if value is not None and spec.name != "camera_source":
            settings_store.put(training.conn, spec.name, value)
    settings_store.put(training.conn, "camera_source", "demo")
    pin = officer_db.current_pin(real.conn)
    have = officer_db.current_pin(training.conn)
    if pin is not None and (have is None or have["id"] != pin["id"]):
        with transaction(training.conn):
            officer_db.insert_pin(training.conn, pin)


def training_cards(training: GateDatabase, clock: Clock) -> list[DemoCard]:
    """The demo's cards: passes signed in the training database, for its own residents."""
    return demo_cards_with_passes(training.conn, clock)
