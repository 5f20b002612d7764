"""Light-on-dark codes (dark-mode phones, WeChat-style codes) read, single frame and live (#14)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from app.scan import preprocess as pp
from app.scan.color import classify_color
from app.scan.decoder import FrameDecoder
from app.scan.demo import DEFAULT_CARDS, DemoSource, render_phone
from app.scan.engines import zx_read
from app.scan.stream import StreamDecoder
from tests.fakes.qrframes import frame, patch

URL = "https://hc.example.gd.cn/qr?v=2&ts=1593397873&t=wkCV7IeOA9Keaz-ZRFq&sig=e1887b963149a043"


def light_on_dark(img: np.ndarray) -> np.ndarray:
    """The same frame with its luma inverted and its chroma kept: light modules on colour."""
    y = cv2.cvtColor(img, cv2.COLOR_BGR2YCrCb)
    y[..., 0] = 255 - y[..., 0]
    return cv2.cvtColor(y, cv2.COLOR_YCrCb2BGR)


@pytest.mark.parametrize("color", ["green", "yellow", "red", "black"])
@pytest.mark.parametrize("exposure", [0.6, 1.0, 1.5])
def test_light_on_dark_code_reads_with_its_colour(color: str, exposure: float) -> None:
    img = light_on_dark(frame(URL, color, module_px=4, angle=12, exposure=exposure, seed=1))
    assert [(r.text, r.color) for r in FrameDecoder().decode(img)] == [(URL, color)]


def test_a_red_code_in_dark_mode_is_not_called_black() -> None:
    """Judged by its dark side, a light-red-on-black code looks black, and black passes the gate:
    a code read inverted is judged by its light modules' hue."""
    img, pts = patch("red")
    dark_mode = light_on_dark(img)
    assert classify_color(dark_mode, pts) == "black"  # the hazard, had we not known
    assert classify_color(dark_mode, pts, light_on_dark=True) == "red"
    assert classify_color(img, pts, light_on_dark=False) == "red"


def test_the_read_says_which_polarity_it_was() -> None:
    img = frame(URL, "black", module_px=4, seed=1)
    assert [h.inverted for h in zx_read(pp.gray(img), invert=True)] == [False]
    assert [h.inverted for h in zx_read(pp.gray(light_on_dark(img)), invert=True)] == [True]
    assert zx_read(pp.gray(light_on_dark(img))) == []  # not without invert


def test_light_on_dark_small_code_in_a_large_frame_reads_from_a_crop() -> None:
    """1.7 px per module: the full-frame pass misses it; the candidate's crop views must invert."""
    img = light_on_dark(frame(URL, "green", 1.7, size=(1280, 720), blur_modules=0.3, seed=2))
    assert zx_read(pp.gray(img), invert=True) == []
    assert [r.text for r in FrameDecoder().decode(img)] == [URL]


def test_light_on_dark_defocused_code_reads_from_the_deblur_views() -> None:
    img = light_on_dark(frame(URL, "black", module_px=5, blur_modules=0.55, seed=4))
    assert zx_read(pp.gray(img), invert=True) == []
    assert [r.text for r in FrameDecoder(budget_ms=1000).decode(img)] == [URL]


def test_inverted_empty_frames_read_nothing() -> None:
    rng = np.random.default_rng(3)
    noise = rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)
    blocks = cv2.resize(
        (rng.random((24, 32)) < 0.5).astype(np.uint8) * 255, (640, 480), cv2.INTER_NEAREST
    )
    for img in (noise, cv2.cvtColor(blocks, cv2.COLOR_GRAY2BGR)):
        assert FrameDecoder().decode(light_on_dark(img)) == []


def test_the_demo_phone_shows_a_light_on_dark_code() -> None:
    dark = [c for c in DEFAULT_CARDS if c.light_on_dark]
    assert len(dark) == 1
    found = FrameDecoder().decode(render_phone(dark[0]))
    assert [(r.text, r.color) for r in found] == [(dark[0].payload, "green")]


def test_live_path_reads_the_demo_light_on_dark_code() -> None:
    """The demo source's rotation, driven by a fake clock, fed to the live StreamDecoder."""
    now = [0.0]
    demo = DemoSource(show_seconds=3, gap_seconds=2, clock=lambda: now[0])
    demo.open()
    slot = next(i for i, c in enumerate(demo.cards) if c.light_on_dark)
    card = demo.cards[slot]
    start = slot * (demo.show_seconds + demo.gap_seconds) + demo.gap_seconds
    reads = []
    with StreamDecoder() as sd:
        for k in range(30):  # two seconds of the card at 15 fps
            now[0] = start + k / demo.fps
            assert demo.current_card() == card
            r = sd.feed(demo.read())
            if r is not None:
                reads.append((r.text, r.color))
    assert reads == [(card.payload, "green")]  # read once, not once per frame


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_candidate_finder_boxes_a_light_on_dark_yellow_code(seed: int) -> None:
    """Light yellow modules on a dark screen: blue is dark on both sides, so min(B,G,R) shows
    no edges there; the finder must box the code anyway (#14)."""
    from app.scan.locate import find_candidates

    img = light_on_dark(frame(URL, "yellow", 2.2, size=(1280, 720), seed=seed))
    h, w = img.shape[:2]
    boxes = find_candidates(img, 2)
    # the code sits in the middle of the frame (tests/fakes/qrframes.py)
    assert any(x < w / 2 < x + bw and y < h / 2 < y + bh for x, y, bw, bh in boxes), boxes
