"""The same frame gives the same answer on an idle and on a busy machine (#14).

The frame budget is charged in fixed work units per step, not read from a clock; these tests
decode hard frames (small, blurred, light-on-dark, unreadable) at budgets that cut the cascade
short, once idle and once with both cores spinning, and once with a clock that races ahead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from app.scan import decoder as decoder_mod
from app.scan.decoder import FrameDecoder
from tests.fakes.qrframes import frame
from tests.unit.test_scan_inverted import light_on_dark

URL = "https://hc.example.gd.cn/qr?v=2&ts=1593397873&t=wkCV7IeOA9Keaz-ZRFq&sig=e1887b963149a043"
BUDGETS = (10.0, 14.0, 20.0, 56.0)  # the short ones stop half-way down the cascade
ROOT = Path(__file__).resolve().parents[2]
HOG_SECONDS = 60.0  # a spinning process ends by itself after this, whatever happens to the test

# (colour, px per module, blur in modules, angle, noise, exposure): frames that read only deep
# in the cascade (a crop, the deblur bank) or not at all, so the budget decides the answer
HARD = [
    ("yellow", 1.8, 0.3, 7, 6, 1.0),
    ("green", 1.6, 0.4, 20, 4, 1.0),
    ("black", 4.0, 0.6, 3, 3, 1.0),
    ("red", 3.0, 0.7, 15, 5, 0.6),
    ("yellow", 2.5, 0.5, 30, 8, 1.5),
    ("green", 2.0, 0.55, 10, 6, 0.5),
    ("black", 2.2, 0.5, 45, 10, 1.0),
    ("red", 1.7, 0.35, 25, 5, 1.0),
]


def _hard_frames() -> list[tuple[np.ndarray, str]]:
    out = []
    for i, (color, mp, blur, angle, noise, exposure) in enumerate(HARD):
        size = (1280, 720) if i % 2 else (640, 480)
        img = frame(URL, color, mp, size, angle, blur, noise=noise, exposure=exposure, seed=i)
        out += [(img, URL), (light_on_dark(img), URL)]
    return out


def _answers(frames: list[tuple[np.ndarray, str]]) -> list[tuple]:
    """Every frame at every budget: text, colour and corners (rounded) of what was read."""
    out = []
    for img, _text in frames:
        for budget in BUDGETS:
            found = FrameDecoder(budget_ms=budget).decode(img)
            out.append(tuple((r.text, r.color, np.round(r.points, 1).tolist()) for r in found))
    return out


def _spin(n: int) -> list[subprocess.Popen]:
    code = (
        f"import time\nend = time.monotonic() + {HOG_SECONDS}\nwhile time.monotonic() < end: pass"
    )
    return [subprocess.Popen([sys.executable, "-c", code]) for _ in range(n)]


def _shared_frames() -> list[tuple[np.ndarray, str]]:
    """Hard cells of the benchmark generator (yellow: blur, combined, glare; 640x480), when the
    shared generator sits next to the checkout; none otherwise."""
    shared = Path(os.environ.get("GATEPOST_SHARED_DIR", ROOT.parent / "shared" / "bench"))
    if not (shared / "make_frames.py").exists():
        return []
    sys.path.insert(0, str(ROOT / "bench"))
    from seqgen import load_generator

    mf = load_generator(shared)
    degs, n_col = list(mf.DEGRADATIONS), len(mf.COLOR_NAMES)
    cells = [degs.index(d) * n_col + 1 for d in ("gauss_blur", "combined", "glare")]
    return [(img, p["payload"]) for img, p in (mf.frame(7, c * 12, 12) for c in cells)]


@pytest.fixture(scope="module")
def hard() -> list[tuple[np.ndarray, str]]:
    return _hard_frames() + _shared_frames()


def test_the_hard_set_depends_on_the_budget(hard) -> None:
    """Guard: the frames are hard enough that the budget changes answers (else the test below
    would prove nothing) and easy enough that some read."""
    answers = _answers(hard)
    per_frame = [answers[i : i + len(BUDGETS)] for i in range(0, len(answers), len(BUDGETS))]
    assert any(a[0] != a[-1] for a in per_frame)  # a short budget misses what 56 reads
    assert sum(bool(a[-1]) for a in per_frame) >= 6
    texts = [t for _img, t in hard for _b in BUDGETS]
    assert all(r[0] == t for a, t in zip(answers, texts, strict=True) for r in a)  # none wrong


@pytest.mark.slow
def test_same_answers_with_both_cores_busy(hard) -> None:
    idle = _answers(hard)
    hogs = _spin(max(2, os.cpu_count() or 2))
    try:
        time.sleep(0.3)  # let them get going
        t0 = time.perf_counter()
        busy = _answers(hard)
        busy_s = time.perf_counter() - t0
        assert all(h.poll() is None for h in hogs)  # still spinning all the way through
    finally:
        for h in hogs:
            h.kill()
        for h in hogs:
            h.wait(timeout=10)
    assert busy == idle, f"answers changed under load ({busy_s:.1f} s busy)"


def test_a_clock_racing_ahead_changes_nothing(hard, monkeypatch) -> None:
    """The budget never reads the wall clock: make every perf_counter() call jump 50 ms, as a
    machine busy with other work would look to a wall-clock budget."""
    idle = _answers(hard[:6])
    t = [0.0]

    def racing() -> float:
        t[0] += 0.05
        return t[0]

    monkeypatch.setattr(decoder_mod.time, "perf_counter", racing)
    assert _answers(hard[:6]) == idle
    # and the old wall-clock budget, given that clock, would have given up on these frames
    old = [FrameDecoder(budget_ms=56, clock=racing).decode(img) for img, _t in hard[:6]]
    assert sum(map(bool, old)) < sum(bool(a) for a in idle[len(BUDGETS) - 1 :: len(BUDGETS)])


def _tiles(seed: int, blur: float = 0.0) -> np.ndarray:
    """A 1280x720 scene with two sharp QR-like tile posters (random 5 px blocks, no finder
    patterns) on a smooth background: what the candidate finder picks on a cluttered wall."""
    import cv2

    rng = np.random.default_rng(seed)
    img = np.full((720, 1280, 3), (120, 130, 140), np.uint8)
    for x0, y0 in ((200, 200), (800, 260)):
        blocks = (rng.random((30, 30)) < 0.5).astype(np.uint8)
        tile = cv2.resize(blocks, (150, 150), interpolation=cv2.INTER_NEAREST)
        img[y0 : y0 + 150, x0 : x0 + 150] = np.where(tile[..., None] > 0, 40, 230)
    return cv2.GaussianBlur(img, (0, 0), blur) if blur else img


def _zx_calls(monkeypatch, img: np.ndarray) -> int:
    from app.scan import engines

    calls = [0]
    real = engines._zx

    def counting(*a, **k):
        calls[0] += 1
        return real(*a, **k)

    monkeypatch.setattr(engines, "_zx", counting)
    assert FrameDecoder().decode(img) == []
    monkeypatch.setattr(engines, "_zx", real)
    return calls[0]


def test_sharp_clutter_stops_after_the_cheap_look(monkeypatch) -> None:
    """Nothing located and nothing blurred: the frame pass, the first candidate's two cheap
    views (each also tried light-on-dark), and no deblurring (#14: a miss costs a few ms)."""
    assert _zx_calls(monkeypatch, _tiles(1)) <= 6
    # blurred tiles could be a defocused code: the cascade goes on
    assert _zx_calls(monkeypatch, _tiles(1, blur=3.0)) > 12
