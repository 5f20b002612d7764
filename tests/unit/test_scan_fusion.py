"""Multi-frame fusion: a sequence whose frames are each too noisy to read is read when fused."""

from __future__ import annotations

import time

import numpy as np
import pytest

from app.scan import fusion
from app.scan.decoder import FrameDecoder
from app.scan.locate import find_candidates
from app.scan.stream import StreamDecoder
from tests.fakes.qrframes import frame

URL = "https://hc.example.gd.cn/qr?v=2&ts=1593397873&t=wkCV7IeOA9Keaz-ZRFq&sig=e1887b963149a043"


@pytest.fixture
def no_grid(monkeypatch: pytest.MonkeyPatch) -> None:
    """The module-grid decoder off: its soft decisions read a few of these noisy frames on their
    own (tests/unit/test_scan_grid.py), and here the pixel fusion is what is under test."""
    monkeypatch.setattr("app.scan.decoder._grid_read", lambda frame, quad: None)
    monkeypatch.setattr("app.scan.grid.GridVotes.add", lambda self, channel, quad: None)


@pytest.fixture(scope="module")
def noisy() -> list[np.ndarray]:
    """15 frames of a hand-held code (rotation drifts 0.4 deg per frame), each drowned in noise."""
    return [
        frame(URL, "black", module_px=4, angle=10 + 0.4 * k, noise=120, seed=100 + k)
        for k in range(15)
    ]


def test_no_single_frame_reads(noisy: list[np.ndarray], no_grid: None) -> None:
    dec = FrameDecoder()
    assert all(dec.decode(f) == [] for f in noisy)


def test_fused_crops_read(noisy: list[np.ndarray]) -> None:
    box = find_candidates(noisy[-1])[0]
    crops = [fusion.cut(f, box) for f in noisy]
    views, x0, y0 = fusion.fused_views(crops, box)
    local = (box[0] - x0, box[1] - y0, box[2], box[3])
    hits = [FrameDecoder().decode_region(v, local) for v in views]
    assert len(hits) == 3  # mean, median, minimum (the minimum is for moving glare, not noise)
    assert all(h is not None and h.text == URL for h in hits[:2])


def test_alignment_undoes_a_shift() -> None:
    img = frame(URL, "yellow", module_px=4, noise=2, seed=1)
    box = find_candidates(img)[0]
    moved = np.roll(img, (3, -5), axis=(0, 1))
    aligned, x0, y0 = fusion.align([fusion.cut(moved, box), fusion.cut(img, box)], box)
    assert len(aligned) == 2
    diff_before = np.abs(
        aligned[0].astype(int)
        - fusion._region(fusion.cut(moved, box), x0, y0, *aligned[0].shape[1::-1])
    ).mean()
    diff_after = np.abs(aligned[0].astype(int) - aligned[1].astype(int)).mean()
    assert diff_after < 0.5 * diff_before


def test_too_few_frames_give_no_view(noisy: list[np.ndarray]) -> None:
    box = find_candidates(noisy[0])[0]
    views, _x, _y = fusion.fused_views([fusion.cut(noisy[0], box)], box)
    assert list(views) == []


def test_history_starts_afresh_when_cleared() -> None:
    h = fusion.CropHistory(maxlen=3)
    img = np.zeros((100, 100, 3), np.uint8)
    for _ in range(5):
        h.add(img, (10, 10, 30, 30))
    assert len(h) == 3
    h.clear()
    assert len(h) == 0


def test_stream_reads_the_noisy_sequence_by_fusion(noisy: list[np.ndarray], no_grid: None) -> None:
    got = None
    with StreamDecoder() as sd:
        for k in range(120):  # up to 4 s of frames at 30 fps, the 15 frames going round
            got = sd.feed(noisy[k % len(noisy)])
            if got:
                break
            time.sleep(1 / 30)
        fused = sd.fused_reads
    assert got is not None and got.text == URL and got.color == "black"
    assert fused == 1
    pts = np.array(got.points)
    assert abs(pts[:, 0].mean() - 320) < 30 and abs(pts[:, 1].mean() - 240) < 30


def test_minimum_view_removes_glare_that_moves() -> None:
    """Glare only adds light: a module covered in one frame and uncovered in another comes back."""
    img = frame(URL, "yellow", module_px=4, noise=1, seed=3)
    box = find_candidates(img)[0]
    H, W = img.shape[:2]
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    frames = []
    for cx in (box[0] + box[2] * 0.3, box[0] + box[2] * 0.5, box[0] + box[2] * 0.7):
        g = np.exp(-(((xx - cx) / (box[2] * 0.12)) ** 2 + ((yy - 240) / (box[3] * 0.3)) ** 2))
        frames.append(np.clip(img + 400 * g[..., None], 0, 255).astype(np.uint8))
    crops = [fusion.cut(f, box) for f in frames]
    aligned, x0, y0 = fusion.align(crops, box)
    *_mean_median, low = fusion.combine(aligned)
    clean = fusion._region(fusion.cut(img, box), x0, y0, low.shape[1], low.shape[0])
    err_low = np.abs(low.astype(int) - clean).mean()
    err_last = np.abs(aligned[0].astype(int) - clean).mean()
    assert err_low < 0.5 * err_last
