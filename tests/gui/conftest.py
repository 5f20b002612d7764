from __future__ import annotations

import pytest

from tests.fakes.camera import FakeAsker, FakeCameraRig


@pytest.fixture
def rig():
    return FakeCameraRig()


@pytest.fixture
def window(qtbot, service, rig):
    """The real gate window, with a fake camera on a real camera thread."""
    from ui.common.sound import Sounds
    from ui.gate.window import MainWindow
    from ui.scan.camera import CameraController

    controller = CameraController("auto", source_factory=rig.factory, retry_seconds=0.05)
    win = MainWindow(
        service, controller, asker=FakeAsker(), sounds=Sounds(enabled=False), lang="zh"
    )
    qtbot.addWidget(win)
    win.show()
    controller.start()
    yield win
    controller.stop()


@pytest.fixture
def gdb(tmp_path_factory):
    """GUI tests run work on other threads: a file database, as at the gate, so each thread
    opens its own connection (an in-memory one cannot be shared, and is not)."""
    from app.database import open_database

    db = open_database(tmp_path_factory.mktemp("gatedb"))  # beside tmp_path, not in it
    yield db
    db.close()


@pytest.fixture(autouse=True)
def _background_work_ends_with_the_test():
    """Work a test started on the runner is cancelled and waited for before the next test."""
    yield
    from ui.common.runner import wait_for_all

    assert wait_for_all(15_000), "background work still running 15 s after the test"
