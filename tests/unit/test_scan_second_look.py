"""A symbol zxing located but could not read gets a second look at the whole frame, turned 180
degrees and with the global binariser, before any crop is made (#14: a label on a curved bottle
read at 0 and 90 degrees only, an engraved code read by the global binariser only)."""

from __future__ import annotations

import numpy as np
import pytest

from app.scan import decoder as D
from app.scan import preprocess as pp
from app.scan.engines import zx_read
from tests.unit.test_scan_decoder import _shared_generator


def _bench_frame(index: int) -> tuple[np.ndarray, dict]:
    """Frame `index` of the benchmark's seed-7 set (scan_bench.py --seed 7 --per-cell 3)."""
    return _shared_generator().frame(7, index, 3)


# seed 7: motion blur and over-exposure (read by the global binariser), a combined-degradation
# green code (read turned 180 degrees, its corners mapped back)
@pytest.mark.parametrize("index", [70, 167, 144])
def test_located_symbol_reads_on_the_second_look_with_frame_corners(
    monkeypatch: pytest.MonkeyPatch, index: int
) -> None:
    img, p = _bench_frame(index)
    g = pp.gray(img)
    first = zx_read(g, with_errors=True, invert=True)
    assert first and not any(h.text for h in first), "the frame pass must locate, not read"
    views = []
    real = D._read_view
    monkeypatch.setattr(D, "_read_view", lambda *a: views.append(1) or real(*a))
    found = D.FrameDecoder().decode(img)
    assert [r.text for r in found] == [p["payload"]]
    assert views == []  # read before any candidate crop was made
    # corners back in frame pixels whichever view read it (the turned one is mapped back)
    got = np.asarray(found[0].points)
    truth = np.asarray(p["gt_corners"], np.float64)
    assert all(np.min(np.linalg.norm(truth - q, axis=1)) < 3 * p["module_px"] for q in got)
