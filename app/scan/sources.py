"""Frame sources behind one small interface: webcam, video file, image folder, demo."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from app.errors import KnownError
from app.scan.demo import DemoSource
from app.scan.image import load_image

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"}
VIDEO_SUFFIXES = {".mp4", ".avi", ".mkv", ".mov", ".webm", ".m4v", ".mjpg", ".mjpeg"}


class SourceError(Exception):
    """The source cannot give frames (unplugged, missing file)."""


class FrameSource(Protocol):
    name: str
    fps: float

    def open(self) -> None: ...

    def read(self) -> np.ndarray:
        """Next BGR frame; raises SourceError when the device is gone."""
        ...

    def close(self) -> None: ...


class WebcamSource:
    def __init__(self, index: int = 0) -> None:
        self.index = index
        self.name = f"webcam:{index}"
        self.fps = 30.0
        self._cap: cv2.VideoCapture | None = None

    def open(self) -> None:
        cap = cv2.VideoCapture(self.index)
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"webcam {self.index} did not open")
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, 1280)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, 720)
        self._cap = cap

    def read(self) -> np.ndarray:
        if self._cap is None:
            raise SourceError("not open")
        ok, frame = self._cap.read()
        if not ok or frame is None:
            raise SourceError(f"webcam {self.index} gave no frame")
        return frame

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class VideoFileSource:
    """Plays a video file at its own pace, looping, as if it were a camera."""

    def __init__(self, path: str | Path, loop: bool = True) -> None:
        self.path = Path(path)
        self.name = f"video:{self.path.name}"
        self.loop = loop
        self.fps = 25.0
        self._cap: cv2.VideoCapture | None = None

    def open(self) -> None:
        if not self.path.is_file():
            raise SourceError(f"no such video: {self.path}")
        cap = cv2.VideoCapture(str(self.path))
        if not cap.isOpened():
            raise SourceError(f"cannot open video: {self.path}")
        self.fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
        self._cap = cap

    def read(self) -> np.ndarray:
        if self._cap is None:
            raise SourceError("not open")
        ok, frame = self._cap.read()
        if (not ok or frame is None) and self.loop:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._cap.read()
        if not ok or frame is None:
            raise SourceError(f"video ended: {self.path}")
        return frame

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class ImageFolderSource:
    """Shows each image in a folder for `hold` seconds, in name order, looping."""

    def __init__(self, folder: str | Path, hold: float = 2.0, fps: float = 10.0) -> None:
        self.folder = Path(folder)
        self.name = f"folder:{self.folder.name}"
        self.hold = hold
        self.fps = fps
        self._files: list[Path] = []
        self._start = 0.0

    def open(self) -> None:
        if not self.folder.is_dir():
            raise SourceError(f"no such folder: {self.folder}")
        self._files = sorted(p for p in self.folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self._files:
            raise SourceError(f"no images in {self.folder}")
        self._start = time.monotonic()

    def read(self) -> np.ndarray:
        if not self._files:
            raise SourceError("not open")
        i = int((time.monotonic() - self._start) / self.hold) % len(self._files)
        try:
            return load_image(self._files[i])  # the pixel limit before decoding (#13 item 2)
        except KnownError as exc:
            raise SourceError(
                f"unreadable image: {self._files[i].name} ({exc.message('en')})"
            ) from None

    def close(self) -> None:
        self._files = []


def make_source(spec: str) -> FrameSource:
    """'demo', '0' (webcam index), a video file or an image folder."""
    spec = (spec or "demo").strip()
    if spec in ("", "demo"):
        return DemoSource()
    if spec.isdigit():
        return WebcamSource(int(spec))
    path = Path(spec).expanduser()
    if path.is_dir():
        return ImageFolderSource(path)
    return VideoFileSource(path)
