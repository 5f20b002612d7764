"""One contract for every frame source: the fake the GUI tests use and the real ones."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from app.scan.decoder import FrameDecoder
from app.scan.demo import DEFAULT_CARDS, DemoSource, render_phone
from app.scan.sources import ImageFolderSource, SourceError, VideoFileSource, make_source
from tests.fakes.camera import FakeCameraRig


def _folder(tmp_path):
    d = tmp_path / "frames"
    d.mkdir()
    for i, card in enumerate(DEFAULT_CARDS[:2]):
        cv2.imwrite(str(d / f"{i:02d}.png"), render_phone(card))
    (d / "notes.txt").write_text("not an image")
    return d


def _video(tmp_path):
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (640, 480))
    if not writer.isOpened():
        pytest.skip("this OpenCV build cannot write MJPG video")
    for _ in range(5):
        writer.write(render_phone(DEFAULT_CARDS[0]))
    writer.release()
    return path


@pytest.fixture(params=["fake", "demo", "folder", "video"])
def source(request, tmp_path):
    kind = request.param
    if kind == "fake":
        return FakeCameraRig(render_phone(DEFAULT_CARDS[0])).factory("0")
    if kind == "demo":
        return DemoSource(gap_seconds=0.0)
    if kind == "folder":
        return ImageFolderSource(_folder(tmp_path))
    return VideoFileSource(_video(tmp_path))


def test_source_contract(source):
    source.open()
    try:
        for _ in range(8):  # the video loops past its end
            frame = source.read()
            assert isinstance(frame, np.ndarray) and frame.ndim == 3 and frame.shape[2] == 3
            assert frame.dtype == np.uint8
        assert source.name and source.fps > 0
        found = FrameDecoder().decode(frame)
        assert found and found[0].text.startswith("https://")
    finally:
        source.close()


@pytest.mark.parametrize("spec", ["/nonexistent/clip.mp4", "/nonexistent/folder/"])
def test_missing_sources_raise_source_error(spec, tmp_path):
    with pytest.raises(SourceError):
        make_source(spec).open()


def test_empty_folder_is_a_source_error(tmp_path):
    with pytest.raises(SourceError):
        ImageFolderSource(tmp_path).open()


def test_reading_a_closed_source_is_a_source_error(tmp_path):
    with pytest.raises(SourceError):
        VideoFileSource(tmp_path / "x.mp4").read()


def test_make_source_kinds(tmp_path):
    assert make_source("demo").name == "demo"
    assert make_source("2").name == "webcam:2"
    assert make_source(str(tmp_path)).name.startswith("folder:")
    assert make_source(str(tmp_path / "a.mp4")).name.startswith("video:")


def test_demo_cycles_green_yellow_red_with_empty_gaps():
    now = [0.0]
    demo = DemoSource(show_seconds=3, gap_seconds=2, clock=lambda: now[0])
    demo.open()
    seen = []
    decoder = FrameDecoder()
    for step in range(0, 20):
        now[0] = step + 0.5
        found = decoder.decode(demo.read())
        seen.append(found[0].color if found else None)
    assert None in seen  # nobody at the desk between people
    colours = [c for c in seen if c]
    assert {"green", "yellow", "red"} <= set(colours)
