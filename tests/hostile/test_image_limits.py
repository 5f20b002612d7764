"""Images from strangers: the pixel count is checked from the header before decoding."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from app.errors import KnownError
from app.roster import keyqr
from app.scan.decoder import FrameDecoder
from app.scan.image import MAX_PIXELS, decode_bytes, load_image
from cli.scan import decode_one
from tests.fakes import bombs
from tests.fakes.peakmem import measure


@pytest.fixture(scope="module")
def big_png(tmp_path_factory):
    path = tmp_path_factory.mktemp("img") / "big.png"
    return bombs.png_bomb(path, 20000, 20000)


def _decode_in_child(path) -> object:
    return measure(
        f"""
from cli.scan import decode_one
from app.scan.decoder import FrameDecoder
result = decode_one({str(path)!r}, FrameDecoder())
"""
    )


def test_a_20000_square_png_is_refused_before_decoding(big_png):
    assert big_png.stat().st_size < 2 * 2**20  # about 0.4 MB on disk, 1.2 GB decoded
    peak = _decode_in_child(big_png)
    assert peak.result["error"].startswith("image too large"), peak
    assert peak.rss_mb < 300 and peak.heap_mb < 100, peak  # was 2.4 GB


def test_a_fake_65500_square_jpeg_header_is_a_known_message(tmp_path):
    path = bombs.jpeg_header_only(tmp_path / "fake.jpg")
    peak = _decode_in_child(path)
    assert peak.result["error"].startswith("image too large"), peak
    assert peak.rss_mb < 300, peak
    with pytest.raises(KnownError) as err:
        load_image(path)
    assert err.value.code == "image_too_many_pixels" and "拒绝解码" in err.value.message("zh")


def test_a_png_header_claiming_a_huge_size_with_no_data(tmp_path):
    path = bombs.png_header_only(tmp_path / "claim.png", 30000, 30000)
    with pytest.raises(KnownError) as err:
        load_image(path)
    assert err.value.code == "image_too_many_pixels"


@pytest.mark.parametrize("w, h", [(1, 1), (1, 500), (20, 20)])
def test_images_too_small_for_a_qr_code_are_a_message_not_an_internal_error(tmp_path, w, h):
    path = tmp_path / f"tiny{w}x{h}.png"
    cv2.imwrite(str(path), np.zeros((h, w, 3), np.uint8))
    line = decode_one(str(path), FrameDecoder())
    assert line["error"].startswith("image too small"), line
    with pytest.raises(KnownError) as err:
        load_image(path)
    assert err.value.code == "image_too_small" and "二维码" in err.value.message("zh")


def test_an_image_at_the_limit_is_still_decoded(tmp_path):
    ok, data = cv2.imencode(".png", np.full((300, 400, 3), 255, np.uint8))
    assert decode_bytes(data.tobytes()).shape == (300, 400, 3)
    with pytest.raises(KnownError):
        decode_bytes(data.tobytes(), max_pixels=300 * 400 - 1)
    assert MAX_PIXELS >= 8000 * 5000


def test_truncated_and_garbage_images_are_unreadable(tmp_path):
    ok, data = cv2.imencode(".jpg", np.full((300, 400, 3), 128, np.uint8))
    for blob in (data.tobytes()[:40], b"GIF89a" + b"\x00" * 20, b"\x89PNG\r\n\x1a\n"):
        with pytest.raises(KnownError) as err:
            decode_bytes(blob)
        assert err.value.code in ("image_unreadable", "image_too_small")


def test_a_key_qr_photo_too_large_says_so(big_png, gdb, clock):
    with pytest.raises(KnownError) as err:
        keyqr.import_key_file(gdb.conn, big_png, clock)
    assert err.value.code == "image_too_many_pixels"


def test_an_image_folder_source_refuses_a_huge_picture(big_png, tmp_path):
    from app.scan.sources import ImageFolderSource, SourceError

    folder = tmp_path / "frames"
    folder.mkdir()
    (folder / "a.png").write_bytes(big_png.read_bytes())
    source = ImageFolderSource(folder)
    source.open()
    with pytest.raises(SourceError, match="too large"):
        source.read()
