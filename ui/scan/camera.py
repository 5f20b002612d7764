"""The camera runs on its own QThread: grab, decode, and post small results to the GUI."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import cv2
import numpy as np
from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QImage

from app.scan.sources import FrameSource, SourceError, make_source
from app.scan.stream import StreamDecoder

log = logging.getLogger(__name__)

PREVIEW_WIDTH = 640


def to_qimage(frame: np.ndarray, width: int = PREVIEW_WIDTH) -> QImage:
    """A preview-sized QImage that owns its pixels (safe to hand to another thread)."""
    h, w = frame.shape[:2]
    if w > width:
        frame = cv2.resize(frame, (width, int(h * width / w)), interpolation=cv2.INTER_AREA)
    frame = np.ascontiguousarray(frame)
    h, w = frame.shape[:2]
    return QImage(frame.data, w, h, frame.strides[0], QImage.Format.Format_BGR888).copy()


def outline_codes(frame: np.ndarray, results: list) -> np.ndarray:
    """Draw a thick outline around each code read, so the volunteer sees what was scanned."""
    out = frame.copy()
    for r in results:
        if len(r.points) >= 4:
            pts = np.array(r.points, dtype=np.int32).reshape(-1, 1, 2)
            cv2.polylines(out, [pts], True, (255, 160, 0), max(3, frame.shape[1] // 200))
    return out


class CameraWorker(QObject):
    """Loops on a source until stopped; a failing source is reopened every few seconds."""

    frame = Signal(QImage)
    scanned = Signal(object)  # app.scan.types.ScanResult
    # state: ok | disconnected | no_camera | restarted (the camera thread had stopped) |
    # decoder_restarted (the deep decode thread had stopped) ; source name
    status = Signal(str, str)
    finished = Signal()

    def __init__(
        self,
        spec: str,
        source_factory: Callable[[str], FrameSource] = make_source,
        decoder_factory: Callable[[], object] = StreamDecoder,
        retry_seconds: float = 3.0,
    ) -> None:
        super().__init__()
        self._spec = spec
        self._pending_spec: str | None = None
        self._factory = source_factory
        self._decoder_factory = decoder_factory
        self.retry_seconds = retry_seconds
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.restarted = False  # set by the controller's watchdog before it starts us again

    # called from the GUI thread
    def stop(self) -> None:
        self._stop.set()

    def set_source(self, spec: str) -> None:
        with self._lock:
            self._pending_spec = spec

    # runs on the camera thread
    def _open(self, spec: str) -> tuple[FrameSource | None, str]:
        """Open the source; 'auto' is webcam 0 and nothing else: with no webcam it says
        no_camera (never a silent demo, whose made-up codes would look like real people)."""
        auto = spec.strip() in ("", "auto")
        candidate = "0" if auto else spec
        source = self._factory(candidate)
        try:
            source.open()
        except SourceError as exc:
            log.info("camera %s did not open: %s", candidate, exc)
            return None, "no_camera" if auto else "disconnected"
        except Exception:  # a driver bug must not kill the camera thread
            log.exception("camera %s failed to open", candidate)
            return None, "no_camera" if auto else "disconnected"
        return source, "ok"

    def _sleep(self, seconds: float) -> None:
        self._stop.wait(seconds)

    @Slot()
    def run(self) -> None:
        decoder = self._decoder_factory()
        source: FrameSource | None = None
        spec = self._spec
        found = False  # a webcam that 'auto' had and lost is disconnected, not missing
        if self.restarted:
            self.restarted = False
            self.status.emit("restarted", spec)
        try:
            while not self._stop.is_set():
                with self._lock:
                    if self._pending_spec is not None:
                        spec, self._pending_spec = self._pending_spec, None
                        found = False
                        self._spec = spec  # a restart after a crash keeps the chosen source
                        if source is not None:
                            source.close()
                            source = None
                        reset = getattr(decoder, "reset", None)
                        if reset is not None:
                            reset()
                if source is None:
                    source, state = self._open(spec)
                    found = found or source is not None
                    if state == "no_camera" and found:
                        state = "disconnected"
                    self.status.emit(state, source.name if source else spec)
                    if source is None:
                        self._sleep(self.retry_seconds)
                        continue
                started = time.monotonic()
                try:
                    frame = source.read()
                except SourceError as exc:
                    log.warning("camera %s lost: %s", source.name, exc)
                    source.close()
                    source = None
                    self.status.emit("disconnected", spec)
                    self._sleep(self.retry_seconds)
                    continue
                except Exception:
                    log.exception("camera read failed")
                    source.close()
                    source = None
                    self.status.emit("disconnected", spec)
                    self._sleep(self.retry_seconds)
                    continue
                try:
                    results = self._decode(decoder, frame)
                except Exception:  # a decoder bug costs one frame, not the gate
                    log.exception("decoder failed on a frame")
                    results = []
                revive = getattr(decoder, "revive", None)
                if revive is not None and revive():  # its deep thread had stopped
                    self.status.emit("decoder_restarted", source.name)
                if results:
                    self.scanned.emit(results[0])
                    frame = outline_codes(frame, results)
                self.frame.emit(to_qimage(frame))
                spent = time.monotonic() - started
                self._sleep(max(0.0, 1.0 / max(1.0, source.fps) - spent))
        except Exception:  # the loop is over; the controller's watchdog starts it again
            log.exception("camera loop ended by a bug")
        finally:
            if source is not None:
                source.close()
            close = getattr(decoder, "close", None)
            if close is not None:
                close()
            self.finished.emit()

    @staticmethod
    def _decode(decoder: object, frame: np.ndarray) -> list:
        """A stream decoder (cheap per frame, deep work on its own thread) or a frame decoder."""
        feed = getattr(decoder, "feed", None)
        if feed is not None:
            found = feed(frame)
            return [found] if found is not None else []
        return list(decoder.decode(frame))  # type: ignore[attr-defined]


class CameraController(QObject):
    """Owns the camera thread: start, switch source without restart, stop and wait.

    A watchdog (a GUI-thread QTimer) notices a camera thread that ended without being asked
    to, starts it again and says so through the worker's status signal ("restarted")."""

    def __init__(
        self,
        spec: str,
        parent: QObject | None = None,
        watchdog_ms: int = 2000,
        **worker_kw: object,
    ) -> None:
        super().__init__(parent)
        self.thread = QThread()
        self.thread.setObjectName("camera")
        self.worker = CameraWorker(spec, **worker_kw)  # type: ignore[arg-type]
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.finished.connect(self.thread.quit)
        self.running = False  # asked to run (start() without stop())
        self.restarts = 0
        self.watchdog = QTimer(self)
        self.watchdog.setInterval(watchdog_ms)
        self.watchdog.timeout.connect(self.check)

    def start(self) -> None:
        self.running = True
        self.thread.start()
        if self.watchdog.interval() > 0:
            self.watchdog.start()

    @Slot()
    def check(self) -> bool:
        """Start the camera thread again if it ended while it should run; True if it did."""
        if not self.running or self.thread.isRunning():
            return False
        self.thread.wait(1000)  # finished: make sure it is really out of run()
        self.restarts += 1
        log.error("the camera thread had stopped; starting it again (%d)", self.restarts)
        self.worker._stop.clear()
        self.worker.restarted = True  # run() says so first, from its own thread like all states
        self.thread.start()
        return True

    def set_source(self, spec: str) -> None:
        self.worker.set_source(spec)

    def stop(self, timeout_ms: int = 5000) -> None:
        self.running = False
        self.watchdog.stop()
        self.worker.stop()
        self.thread.quit()
        self.thread.wait(timeout_ms)
