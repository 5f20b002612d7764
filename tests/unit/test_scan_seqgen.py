"""bench/seqgen.py's glare models: glare-free scenes unchanged, a sliding reflection otherwise."""

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
    static = seqgen.scene_params(mf, 7, 0, (640, 480))
    for mode in ("walk", "tilt"):
        assert seqgen.scene_params(mf, 7, 0, (640, 480), glare=mode) == static


def test_unknown_glare_mode_is_refused(mf) -> None:
    with pytest.raises(ValueError):
        seqgen.scene_params(mf, 7, 0, (640, 480), glare="sideways")


def test_tilt_glare_follows_the_phone_tilt(mf) -> None:
    """A mirror reflection: the spot's move is proportional to the tilt change since frame 0,
    tilt about y moving it along x and tilt about x along y, 0.1-0.3 code sides per degree."""
    s = _glare_scene(mf, 7)
    ps = seqgen.scene_params(mf, 7, s, (640, 480), glare="tilt")
    assert all(p["glare_amp"] == 0.0 and p["post_glare"]["amp"] > 0 for p in ps)
    pos = np.array([p["post_glare"]["pos"] for p in ps])
    y0, x0 = ps[0]["tilt_y_deg"], ps[0]["tilt_x_deg"]
    turned = np.array([[p["tilt_y_deg"] - y0, p["tilt_x_deg"] - x0] for p in ps])
    inside = np.all(np.abs(pos) < 0.9, axis=1)
    moved = pos[inside] - pos[0]
    k = np.linalg.lstsq(turned[inside].reshape(-1, 1), moved.reshape(-1), rcond=None)[0][0]
    assert 0.1 <= k <= 0.3
    assert np.allclose(moved, k * turned[inside], atol=1e-6)
    # the same scene with the walk model: a different, small random walk
    walk = np.array(
        [p["post_glare"]["pos"] for p in seqgen.scene_params(mf, 7, s, (640, 480), glare="walk")]
    )
    assert not np.allclose(walk, pos)


def test_glare_moves_from_frame_to_frame(mf) -> None:
    s = _glare_scene(mf, 7)
    ps = seqgen.scene_params(mf, 7, s, (640, 480), glare="walk")
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


def test_bench_doc_update_replaces_only_the_scan_section(tmp_path) -> None:
    import benchlib

    doc = tmp_path / "B.md"
    doc.write_text(
        "# Benchmarks\n\n## Roster\n\nr\n\n## Scan engine (issue #3)\n\nold\n\n"
        "## Scan engine on other seeds (issue #3)\n\nkept\n",
        encoding="utf-8",
    )
    seq = dict(
        n=200,
        ok=198,
        wrong=0,
        median_first=1.0,
        fused=2,
        grid=3,
        feed=(2.5, 4.5),
        misses=[(49, "combined", "yellow")],
    )
    table = benchlib.seq_table({"tilt": seq})
    assert any(
        r.startswith("| glare `tilt`") and "| 99.0 % |" in r and "| 2 / 3 |" in r for r in table
    )
    benchlib.update_doc(doc, "## Scan engine (issue #3)\n\nnew\n")
    text = doc.read_text(encoding="utf-8")
    assert "old" not in text and "new\n\n## Scan engine on other seeds" in text
    assert text.startswith("# Benchmarks\n\n## Roster\n\nr\n") and text.endswith("kept\n")
