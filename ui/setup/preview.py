"""The wizard's camera: the webcams Qt finds, and a live preview of the one picked, which
also reads a pairing QR for the sync step. One camera thread, stopped with the wizard."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel

from app.scan.sources import FrameSource, make_source
from app.sync.identity import ENROL_SCHEME
from ui.scan.camera import CameraController


def list_webcams() -> list[str]:
    """The names of the webcams, in the order OpenCV numbers them on the usual systems."""
    from PySide6.QtMultimedia import QMediaDevices  # loaded only for the wizard

    return [device.description() for device in QMediaDevices.videoInputs()]


class CameraPreview(QObject):
    """Paints the chosen source into every label it is given; a pairing QR is handed on."""

    pairing = Signal(str)  # the text of a gatepost://enrol? code the camera read
    state = Signal(str)  # the camera thread's state for the chosen source (ok, no_camera, …)

    def __init__(
        self,
        source_factory: Callable[[str], FrameSource] = make_source,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.source_factory = source_factory
        self.labels: list[QLabel] = []
        self.controller: CameraController | None = None
        self.spec = ""

    def show(self, spec: str) -> None:
        """Preview this source (the camera thread starts with the first one)."""
        self.spec = spec
        if self.controller is None:
            self.controller = CameraController(
                spec, self, source_factory=self.source_factory, retry_seconds=1.0
            )
            self.controller.worker.frame.connect(self._paint)
            self.controller.worker.scanned.connect(self._scanned)
            self.controller.worker.status.connect(lambda state, _src: self.state.emit(state))
            self.controller.start()
        else:
            self.controller.set_source(spec)

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @Slot(QImage)
    def _paint(self, image: QImage) -> None:
        for label in self.labels:
            if label.isVisible():
                label.setPixmap(
                    QPixmap.fromImage(image).scaled(
                        label.size(),
                        Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.FastTransformation,
                    )
                )

    @Slot(object)
    def _scanned(self, result: object) -> None:
        text = str(getattr(result, "text", "")).strip()
        if text.startswith(f"{ENROL_SCHEME}://enrol?"):
            self.pairing.emit(text)
