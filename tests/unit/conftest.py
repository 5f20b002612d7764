"""Fixtures the unit tests of one room share."""

import pytest

from app.roster.service import RosterService


@pytest.fixture
def roster(gdb, clock):
    """The roster of the in-memory gate; its changes are made by 网格员小林 on duty."""
    svc = RosterService(gdb, clock)
    svc.settings.set("volunteer", "网格员小林")
    return svc
