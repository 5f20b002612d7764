"""Cheap misses (#14): a frame whose only code-like thing is small blurred clutter costs the cheap
look, not the deblur bank; a blurred candidate big enough to be a code still gets the bank."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from app.scan import decoder as D


def _clutter_frame(side: int, seed: int) -> np.ndarray:
    """A 1280x720 grey scene with one blurred tile of random blocks (a poster, tiles)."""
    rng = np.random.default_rng(seed)
    img = np.full((720, 1280, 3), 150, np.uint8)
    n = 14
    blk = (rng.random((n, n)) < 0.5).astype(np.uint8) * 170 + 40
    tile = cv2.resize(blk, (side, side), interpolation=cv2.INTER_NEAREST)
    tile = cv2.GaussianBlur(tile, (0, 0), 2.0)
    img[300 : 300 + side, 500 : 500 + side] = tile[..., None]
    return img


def _views_tried(monkeypatch: pytest.MonkeyPatch, img: np.ndarray) -> tuple[list, int]:
    seen = []
    real = D._read_view

    def counting(*a: object) -> tuple:
        seen.append(1)
        return real(*a)  # type: ignore[arg-type]

    monkeypatch.setattr(D, "_read_view", counting)
    found = D.FrameDecoder().decode(img)
    return found, len(seen)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_small_blurred_clutter_stops_after_the_cheap_look(
    monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    img = _clutter_frame(64, seed)
    assert D.find_candidates(img), "the tile must be a candidate, or this tests nothing"
    found, views = _views_tried(monkeypatch, img)
    assert found == []
    assert views <= 2  # the probe: the first candidate's plain and sharpened views


def test_big_blurred_candidate_still_gets_the_deblur_bank(monkeypatch: pytest.MonkeyPatch) -> None:
    img = _clutter_frame(200, 1)
    found, views = _views_tried(monkeypatch, img)
    assert found == []
    assert views > 2


def test_a_plain_frame_costs_one_zxing_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing located and nothing boxed: the light-on-dark pass is skipped too (the finder's
    edges of min and max(B,G,R) see both polarities)."""
    from app.scan import engines

    passes = []
    real = engines._zx
    monkeypatch.setattr(engines, "_zx", lambda *a: passes.append(a[-1]) or real(*a))
    yy, xx = np.mgrid[0:720, 0:1280].astype(np.float32)
    img = np.clip(90 + 60 * xx / 1280 + 30 * yy / 720, 0, 255).astype(np.uint8)
    assert D.FrameDecoder().decode(cv2.merge([img, img, img])) == []
    assert passes == [False]  # one pass, the normal polarity


def test_a_one_pixel_located_symbol_is_no_symbol(monkeypatch: pytest.MonkeyPatch) -> None:
    """zxing sometimes 'locates' a 1x1 px symbol in clutter: it must not buy the frame the
    light-on-dark pass, the second look or the crops."""
    from app.scan import engines

    passes = []
    real = engines._zx
    monkeypatch.setattr(engines, "_zx", lambda *a: passes.append(a[-1]) or real(*a))
    dot = engines.Hit(None, ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)))
    real_read = D.zx_read
    monkeypatch.setattr(D, "zx_read", lambda *a, **k: real_read(*a, **k) + [dot])
    img = np.full((720, 1280, 3), 128, np.uint8)
    assert D.FrameDecoder().decode(img) == []
    assert passes == [False]
