"""Scan engine on generated frames: every colour, a small code, a blurred one, odd inputs."""

from __future__ import annotations

import io
import time

import cv2
import numpy as np
import pytest
import qrcode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.scan.decoder import FrameDecoder
from app.scan.stream import StreamDecoder
from app.scan.types import ScanResult
from tests.fakes.qrframes import frame

CN = '{"ver":2,"uid":"440***********123X","name":"张*伟","st":"Y","sig":"q8Xr-Zk_0aB7"}'
URL = "https://hc.example.gd.cn/qr?v=2&ts=1593397873&t=wkCV7IeOA9Keaz-ZRFq&sig=e1887b963149a043"


@pytest.fixture(scope="module")
def dec() -> FrameDecoder:
    return FrameDecoder()


@pytest.mark.parametrize("color", ["green", "yellow", "red", "black"])
def test_each_colour_reads_with_its_colour(dec: FrameDecoder, color: str) -> None:
    found = dec.decode(frame(CN, color, module_px=4, angle=12, seed=1))
    assert [r.text for r in found] == [CN]
    assert found[0].color == color
    assert isinstance(found[0], ScanResult) and len(found[0].points) == 4


@pytest.mark.parametrize("color", ["yellow", "green"])
def test_small_code_in_a_large_frame(dec: FrameDecoder, color: str) -> None:
    found = dec.decode(frame(URL, color, module_px=2.0, size=(1280, 720), seed=2))
    assert found and found[0].text == URL and found[0].color == color


def test_overexposed_yellow_stays_yellow(dec: FrameDecoder) -> None:
    found = dec.decode(frame(URL, "yellow", module_px=4, exposure=1.7, seed=3))
    assert found and found[0].text == URL and found[0].color == "yellow"


def test_defocused_code_is_recovered(dec: FrameDecoder) -> None:
    found = FrameDecoder(budget_ms=1000).decode(
        frame(URL, "black", module_px=5, blur_modules=0.55, seed=4)
    )
    assert found and found[0].text == URL


def test_corners_are_in_frame_coordinates(dec: FrameDecoder) -> None:
    img = frame(URL, "green", module_px=4, size=(640, 480), seed=5)
    pts = np.array(dec.decode(img)[0].points)
    assert abs(pts[:, 0].mean() - 320) < 20 and abs(pts[:, 1].mean() - 240) < 20


@pytest.mark.parametrize("bad", [None, np.zeros((0, 0, 3), np.uint8), np.zeros((5, 5), np.float64)])
def test_degenerate_input_reads_nothing(dec: FrameDecoder, bad: object) -> None:
    assert dec.decode(bad) == []  # type: ignore[arg-type]


def test_empty_and_odd_formats(dec: FrameDecoder) -> None:
    rng = np.random.default_rng(0)
    assert dec.decode(rng.integers(0, 255, (720, 1280, 3), dtype=np.uint8)) == []
    img = frame(URL, "black", module_px=4, seed=6)
    assert dec.decode(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY))[0].text == URL
    assert dec.decode(cv2.cvtColor(img, cv2.COLOR_BGR2BGRA))[0].text == URL


def test_stream_reports_a_code_once_then_again_after_reset() -> None:
    img = frame(URL, "yellow", module_px=4, seed=7)
    with StreamDecoder() as sd:
        assert sd.feed(np.full((480, 640, 3), 90, np.uint8)) is None
        first = sd.feed(img)
        assert first is not None and first.text == URL and first.color == "yellow"
        assert sd.feed(img) is None  # still in view: not reported twice
        sd.reset()
        assert sd.feed(img) is not None


def test_stream_deep_worker_reads_a_blurred_code() -> None:
    img = frame(URL, "green", module_px=5, blur_modules=0.6, seed=8)
    with StreamDecoder() as sd:
        got = None
        for _ in range(60):  # up to ~2 s of frames at 30 fps
            got = got or sd.feed(img)
            if got:
                break
            time.sleep(1 / 30)
    assert got is not None and got.text == URL


_payloads = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp")),
    min_size=1,
    max_size=80,
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_payloads)
def test_clean_qrcode_render_round_trips(text: str) -> None:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=4, border=4)
    qr.add_data(text.encode("utf-8"))
    qr.make(fit=True)
    buf = io.BytesIO()
    qr.make_image().save(buf, format="PNG")
    img = cv2.imdecode(np.frombuffer(buf.getvalue(), np.uint8), cv2.IMREAD_COLOR)
    found = FrameDecoder().decode(img)
    assert [r.text for r in found] == [text]


def _shared_generator():
    """The shared benchmark generator, if this checkout sits next to it (skipped otherwise)."""
    import importlib.util
    import os
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    shared = Path(os.environ.get("GATEPOST_SHARED_DIR", root.parent / "shared" / "bench"))
    path = shared / "make_frames.py"
    if not path.exists():
        pytest.skip(f"shared frame generator not found at {path}")
    spec = importlib.util.spec_from_file_location("make_frames_for_tests", path)
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


@pytest.mark.parametrize("cell", [0, 1, 2, 3, 4])  # clean x 4 colours, then a small green code
def test_benchmark_generator_frames(dec: FrameDecoder, cell: int) -> None:
    mf = _shared_generator()
    img, p = mf.frame(20240607, cell * 12, 12)  # even index: 640x480, keeps the test fast
    found = FrameDecoder(budget_ms=1000).decode(img)
    assert found and found[0].text == p["payload"]
    assert found[0].color == p["color"]
