"""Reads from deblurred views must be plausible: ringing can form a fake symbol that passes ECC."""

from __future__ import annotations

from pathlib import Path

import cv2

from app.scan.decoder import MIN_SYNTH_FRAC, _first_text
from app.scan.engines import zx_read
from app.scan.preprocess import upscale_for
from tests.fakes.qrframes import frame

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "scan_deblur_ringing_fake_qr.png"
URL = "https://hc.example.gd.cn/qr?v=2&ts=1593397873&t=wkCV7IeOA9Keaz-ZRFq&sig=e1887b963149a043"


def test_fake_symbol_from_ringing_is_not_trusted() -> None:
    # the deblurred, upscaled crop of a blurred green health code (live benchmark scene 128,
    # frame 1) in which zxing finds a valid version-1 symbol '223004' made of ringing
    view = cv2.imread(str(FIXTURE), cv2.IMREAD_GRAYSCALE)
    assert [h.text for h in zx_read(view)] == ["223004"]  # the hazard is real
    assert _first_text(view, 1.0, 0, 0, MIN_SYNTH_FRAC) is None
    assert _first_text(view, 1.0, 0, 0, 0.0) is not None  # only the size guard rejects it


def test_real_code_filling_the_crop_passes_the_guard() -> None:
    img = cv2.cvtColor(frame(URL, "green", module_px=3, seed=9), cv2.COLOR_BGR2GRAY)
    crop = img[240 - 110 : 240 + 110, 320 - 110 : 320 + 110]
    view, s = upscale_for(crop)
    hit = _first_text(view, s, 210, 130, MIN_SYNTH_FRAC)
    assert hit is not None and hit.text == URL
    assert 200 < min(x for x, _ in hit.points) < 320  # corners mapped back to the frame
