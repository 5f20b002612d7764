"""A camera or decode thread that stops is started again and the volunteer is told (#12)."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from tests.fakes.camera import FakeCameraRig, FakeSource

pytestmark = pytest.mark.gui


class BreaksOnce(FakeSource):
    """Returns something that is not an image once: the camera loop itself fails on it."""

    broken = False

    def read(self) -> np.ndarray:
        if not BreaksOnce.broken:
            BreaksOnce.broken = True
            return "not a frame"  # type: ignore[return-value]
        return super().read()


class NoDecoder:
    def __init__(self, revive_answers: list[bool] | None = None) -> None:
        self.revive_answers = revive_answers or []

    def decode(self, frame: np.ndarray) -> list:
        return []

    def revive(self) -> bool:
        return self.revive_answers.pop(0) if self.revive_answers else False


def test_a_camera_loop_that_dies_is_restarted_and_says_so(qtbot, caplog):
    from ui.scan.camera import CameraController

    rig = FakeCameraRig()
    BreaksOnce.broken = False
    controller = CameraController(
        "auto",
        watchdog_ms=50,
        source_factory=lambda spec: BreaksOnce(rig, spec),
        decoder_factory=NoDecoder,
        retry_seconds=0.05,
    )
    with caplog.at_level(logging.ERROR):
        try:
            with qtbot.waitSignal(
                controller.worker.status,
                timeout=5000,
                check_params_cb=lambda state, source: state == "restarted",
            ):
                controller.start()
            for _ in range(3):  # frames flow again
                qtbot.waitSignal(controller.worker.frame, timeout=5000).wait()
            assert controller.restarts == 1 and controller.thread.isRunning()
        finally:
            controller.stop()
    assert "camera loop ended by a bug" in caplog.text and "Traceback" in caplog.text
    assert not controller.check()  # stopped on purpose: the watchdog leaves it stopped


def test_a_stopped_decode_thread_is_reported_by_the_camera(qtbot):
    from ui.scan.camera import CameraController

    rig = FakeCameraRig()
    controller = CameraController(
        "auto",
        source_factory=rig.factory,
        decoder_factory=lambda: NoDecoder([False, True]),
        retry_seconds=0.05,
    )
    with qtbot.waitSignal(
        controller.worker.status,
        timeout=5000,
        check_params_cb=lambda state, source: state == "decoder_restarted",
    ) as blocker:
        controller.start()
    controller.stop()
    assert blocker.args == ["decoder_restarted", "fake:0"]
