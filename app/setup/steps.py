"""The first-run wizard (#16) as a small state machine: the steps, what each needs before the
next, and what the finished wizard stores. The window (ui/setup/wizard.py) only shows it.

The rule it keeps: the wizard never finishes with the officer PIN neither set nor put off on
purpose (稍后设置), and a step never moves on with a value the settings would refuse.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from app.database import GateDatabase
from app.errors import KnownError
from app.officer import OfficerAuth, valid_pin
from app.settings import Settings, spec_for
from app.sync.identity import parse_enrolment
from db import settings_store

STEPS = ("place", "pin", "camera", "sync", "roster")
# how the gate reaches the server: the pairing code read by the camera or pasted, or no network
SYNC_CHOICES = ("scan", "paste", "usb")
ROSTER_CHOICES = ("now", "later")


def needs_setup(conn: sqlite3.Connection) -> bool:
    """First run: the checkpoint's name was never stored (the wizard always stores it)."""
    return settings_store.get(conn, "checkpoint_name") is None


@dataclass
class SetupState:
    """What the volunteer chose so far and the step on screen."""

    step: int = 0
    checkpoint_name: str = ""
    compound_name: str = ""
    pin: str = ""
    pin_repeat: str = ""
    pin_later: bool = False
    pin_exists: bool = False  # set before (`main.py set-pin`): the step only says so
    camera_source: str = ""
    sync: str = ""
    pairing_code: str = ""
    roster: str = "later"

    @property
    def name(self) -> str:
        return STEPS[self.step]

    @property
    def last(self) -> bool:
        return self.step == len(STEPS) - 1

    def check(self, step: str | None = None) -> None:
        """KnownError (with its code) when the step cannot be left forward as it stands."""
        getattr(self, f"_check_{step or self.name}")()

    def next(self) -> bool:
        """Move on after checking this step; True when the last step was passed (finished)."""
        self.check()
        if self.last:
            for step in STEPS:  # every step again: a value changed on the way back counts
                self.check(step)
            return True
        self.step += 1
        return False

    def back(self) -> None:
        self.step = max(0, self.step - 1)

    def put_off_pin(self) -> None:
        """稍后设置: the PIN fields are dropped, never half-kept."""
        self.pin_later, self.pin, self.pin_repeat = True, "", ""

    # ----- the steps' rules
    def _check_place(self) -> None:
        spec_for("checkpoint_name").coerce(self.checkpoint_name)
        spec_for("compound_name").coerce(self.compound_name)

    def _check_pin(self) -> None:
        if self.pin_later or self.pin_exists:
            return
        if self.pin != self.pin_repeat:
            raise KnownError("pin_mismatch")
        valid_pin(self.pin)

    def _check_camera(self) -> None:
        if not self.camera_source.strip():
            raise KnownError("setup_camera_none")
        spec_for("camera_source").parse(self.camera_source)  # a file must open

    def _check_sync(self) -> None:
        if self.sync not in SYNC_CHOICES:
            raise KnownError("setup_sync_none")
        if self.sync != "usb":
            parse_enrolment(self.pairing_code)

    def _check_roster(self) -> None:
        if self.roster not in ROSTER_CHOICES:
            raise KnownError("setup_roster_none")


def apply_setup(state: SetupState, gdb: GateDatabase, officer: OfficerAuth) -> None:
    """Store what the finished wizard chose: names, camera, sync mode, and the PIN unless put
    off. Pairing (network) and the roster import (a file) are done by the window."""
    for step in STEPS:
        state.check(step)
    settings = Settings(gdb.conn)
    settings.set("camera_source", state.camera_source)  # first: a camera that fails stores nothing
    if not (state.pin_later or state.pin_exists):
        officer.set_pin(state.pin)
    settings.set("compound_name", state.compound_name)
    settings.set("sync_mode", "usb" if state.sync == "usb" else "server")
    settings.set("checkpoint_name", state.checkpoint_name)  # last: the wizard is done
