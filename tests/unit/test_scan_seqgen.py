"""bench/seqgen.py's moving glare: glare-free scenes unchanged, a sliding reflection otherwise."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from tests.unit.test_scan_decoder import _shared_generator

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import seqgen  # noqa: E402


@pytest.fixture(scope="module")
def mf():
    return _shared_generator()


def _glare_scene(mf, seed: int) -> int:
    n_cells = len(mf.DEGRADATIONS) * len(mf.COLOR_NAMES)
    for s in range(200):
        index = (s % n_cells) * 12 + 2 * (s // n_cells) % 12
        if mf.sample_params(seed, index, 12)["glare_amp"] > 0:
            return s
    raise AssertionError("no glare scene")


def test_scenes_without_glare_do_not_change(mf) -> None:
    assert seqgen.scene_params(mf, 7, 0, (640, 480), moving_glare=True) == \
        seqgen.scene_params(mf, 7, 0, (640, 480))


def test_glare_moves_from_frame_to_frame(mf) -> None:
    s = _glare_scene(mf, 7)
    ps = seqgen.scene_params(mf, 7, s, (640, 480), moving_glare=True)
    assert all(p["glare_amp"] == 0.0 and p["post_glare"]["amp"] > 0 for p in ps)
    pos = np.array([p["post_glare"]["pos"] for p in ps])
    assert np.abs(pos[-1] - pos[0]).max() > 0.01
    assert np.abs(pos).max() <= 0.45
    static = seqgen.scene_params(mf, 7, s, (640, 480))
    assert all(p["glare_amp"] > 0 and "post_glare" not in p for p in static)


def test_add_glare_brightens_where_it_is_put(mf) -> None:
    img = np.full((200, 200, 3), 100, np.uint8)
    corners = [[50, 50], [150, 50], [150, 150], [50, 150]]
    g = dict(amp=1.0, rel=0.3, stretch=1.0, aspect=0.6, theta=0.0, pos=[0.3, 0.0])
    out = seqgen.add_glare(mf, img, corners, g)
    assert out[100, 130].mean() > 200 and out[100, 30].mean() < 110
