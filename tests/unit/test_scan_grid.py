"""Our own QR grid decoder (app/scan/qrcodec.py, app/scan/grid.py): erasures for glare, soft
decisions for weak modules, and never a wrong text."""

from __future__ import annotations

import time

import numpy as np
import pytest
import qrcode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from qrcode.base import rs_blocks

from app.scan import grid
from app.scan import preprocess as pp
from app.scan import qrcodec as qc
from app.scan import qrgeometry as qg
from app.scan.decoder import FrameDecoder
from app.scan.engines import zx_read
from app.scan.stream import StreamDecoder
from tests.fakes.qrframes import frame

URL = "https://hc.example.gd.cn/qr?v=2&ts=1593397873&t=wkCV7IeOA9Keaz-ZRFq&sig=e1887b963149a043"
LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


def matrix(text: str, level: str = "M", version: int | None = None) -> tuple[np.ndarray, int]:
    """The module matrix (True = dark) the `qrcode` package makes, and its version."""
    q = qrcode.QRCode(version=version, error_correction=LEVELS[level], border=0)
    q.add_data(text.encode("utf-8") if not text.isascii() else text)
    q.make(fit=version is None)
    return np.array(q.get_matrix(), bool), q.version


def soft(m: np.ndarray) -> np.ndarray:
    return np.where(m, 1.0, -1.0)


def glare(img: np.ndarray, cx: float, cy: float, r: float) -> np.ndarray:
    """A flat-topped reflection that blows the screen out to white near its centre."""
    H, W = img.shape[:2]
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    g = np.exp(-0.5 * (((xx - cx) / r) ** 2 + ((yy - cy) / (0.7 * r)) ** 2) ** 1.5)
    return np.clip(img.astype(np.float32) + 400 * g[..., None], 0, 255).astype(np.uint8)


@pytest.mark.parametrize(
    "text,level,version",
    [
        ("14", "L", 1),
        ("0123456789" * 5, "H", None),  # numeric mode
        ("HC1:ABC $%*+-./:" * 3, "Q", None),  # alphanumeric mode
        (URL, "M", None),
        ("张三 居家医学观察 2026-11-29 ✓", "M", None),  # UTF-8 in byte mode
        ("x" * 200, "L", None),  # version 7+: version information blocks
        (URL, "M", 8),  # alignment patterns on the timing lines
        ("y" * 1000, "M", None),  # a large version: many blocks, two block sizes
    ],
)
def test_clean_grids_decode(text: str, level: str, version: int | None) -> None:
    m, v = matrix(text, level, version)
    got = qc.decode_grid(soft(m), v)
    assert got is not None and got.text == text and got.version == v and got.ec_level == level
    assert got.errors == 0 and got.erasures == 0


def test_known_patterns_match_the_encoder() -> None:
    for v in (1, 2, 7, 8, 14, 22, 40):
        m, _v = matrix("a", "L", v)
        val, known = qg.expected_function(v)
        assert (m[known] == (val[known] == 1)).all()
        assert known.sum() < qg.function_mask(v).sum()  # format/version areas are not "known"


def _codeword_modules(v: int) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = qg.data_order(v)
    return rows, cols


def test_erased_codewords_up_to_the_slack_are_corrected() -> None:
    m, v = matrix(URL, "M")
    rows, cols = _codeword_modules(v)
    blocks = rs_blocks(v, LEVELS["M"])
    nsym = min(b.total_count - b.data_count for b in blocks)
    rng = np.random.default_rng(1)
    s = soft(m)
    # whole codewords unknown: at most nsym - SLACK in any block (interleaving spreads them)
    for k in rng.choice(sum(b.total_count for b in blocks), nsym - qc.SLACK, replace=False):
        s[rows[8 * k : 8 * k + 8], cols[8 * k : 8 * k + 8]] = 0.0
    got = qc.decode_grid(s, v)
    assert got is not None and got.text == URL and got.erasures >= nsym - qc.SLACK


def test_a_glare_blob_is_read_as_erasures_not_as_light() -> None:
    """The same blob of modules: unknown, it decodes; taken for light modules, it does not."""
    m, v = matrix(URL, "M")
    n = m.shape[0]
    yy, xx = np.indices(m.shape)
    blob = (yy - 0.6 * n) ** 2 + (xx - 0.6 * n) ** 2 < (0.2 * n) ** 2
    erased, light = soft(m), soft(m)
    erased[blob] = 0.0
    light[blob] = -1.0
    got = qc.decode_grid(erased, v)
    assert got is not None and got.text == URL and got.erasures > 0
    assert qc.decode_grid(light, v) is None


def test_weak_wrong_modules_are_erased_first() -> None:
    """Generalised minimum distance: flipped modules that are barely dark or light cost an
    erasure, not an error, so more of them are corrected than hard decisions allow."""
    m, v = matrix(URL, "M")
    rows, cols = _codeword_modules(v)
    blocks = rs_blocks(v, LEVELS["M"])
    nsym = min(b.total_count - b.data_count for b in blocks)
    s = soft(m)
    n_wrong = (nsym - qc.SLACK) // 2 + 3  # beyond what hard decisions correct in a block
    total = sum(b.total_count for b in blocks)
    for k in np.random.default_rng(2).choice(total, n_wrong * len(blocks), replace=False):
        r, c = rows[8 * k], cols[8 * k]
        s[r, c] = -0.1 * s[r, c]  # flipped, but with little confidence
    hard = np.sign(s)
    assert qc.decode_grid(hard, v) is None
    got = qc.decode_grid(s, v)
    assert got is not None and got.text == URL


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=80
    ),
    level=st.sampled_from("LMQH"),
    seed=st.integers(0, 2**31 - 1),
    flips=st.floats(0.0, 0.3),
    erased=st.floats(0.0, 0.5),
)
def test_damaged_grids_never_decode_to_another_text(
    text: str, level: str, seed: int, flips: float, erased: float
) -> None:
    """Whatever the damage, the decoder returns the encoded text or nothing."""
    m, v = matrix(text, level)
    rng = np.random.default_rng(seed)
    s = soft(m) * rng.uniform(0.2, 1.0, m.shape)
    flip = rng.random(m.shape) < flips
    s[flip] *= -1
    s[rng.random(m.shape) < erased] = 0.0
    got = qc.decode_grid(s, v)
    assert got is None or got.text == text
    assert qc.decode_grid(soft(m), v).text == text


def test_stream_parser_refuses_what_does_not_parse() -> None:
    m, v = matrix("HELLO", "M")
    good = qc.decode_grid(soft(m), v)
    assert good is not None and good.text == "HELLO"
    assert qc.parse_stream(bytes([0x40, 0x11, 0x00, 0xEC, 0x00]), 1) is None  # bad padding
    assert qc.parse_stream(bytes([0x80, 0x10, 0x00, 0x00, 0xEC]), 1) is None  # kanji: refused
    assert qc.parse_stream(bytes([0xF0, 0x00]), 1) is None  # no such mode
    # ECI 26 (UTF-8), byte mode, 3 bytes "中" = E4 B8 AD, terminator, padding
    bits = "0111" + "00011010" + "0100" + "00000011" + "".join(f"{b:08b}" for b in "中".encode())
    bits += "0000"
    bits += "0" * (-len(bits) % 8)
    data = int(bits, 2).to_bytes(len(bits) // 8, "big") + bytes([0xEC, 0x11])
    assert qc.parse_stream(data, 1) == "中"
    bad = bytearray(data)
    bad[-3] ^= 0xFF  # the last UTF-8 byte: no longer valid UTF-8
    assert qc.parse_stream(bytes(bad), 1) is None


def test_grid_read_from_a_glared_frame() -> None:
    """zxing locates the symbol but cannot correct it; the grid decoder reads it."""
    img = glare(frame(URL, "yellow", module_px=5, angle=8, noise=2, seed=3), 320, 200, 35)
    hits = zx_read(pp.gray(img), with_errors=True)
    assert hits and not any(h.text for h in hits)
    quad = grid.largest([h.points for h in hits])
    got = grid.read_quad(pp.min_channel(img), quad)
    assert got is not None and got.text == URL and got.erasures > 0
    found = FrameDecoder(budget_ms=2000).decode(img)  # the grid step runs last: time for all
    assert found and found[0].text == URL and found[0].color == "yellow"


def _pair() -> list[np.ndarray]:
    """Two frames of one code with the glare on different parts: neither reads alone."""
    return [
        glare(frame(URL, "yellow", module_px=5, angle=8, noise=2, seed=3), 300, 220, 50),
        glare(frame(URL, "yellow", module_px=5, angle=8.5, noise=2, seed=13), 345, 270, 50),
    ]


def test_votes_read_what_no_single_frame_does() -> None:
    frames = _pair()
    dec = FrameDecoder(budget_ms=2000)
    assert all(dec.decode(f) == [] for f in frames)
    votes = grid.GridVotes()
    got = None
    for f in frames:
        quad = grid.largest([h.points for h in zx_read(pp.gray(f), with_errors=True)])
        got = votes.add(pp.min_channel(f), quad)
    assert got is not None and got.text == URL
    assert len(votes) == 2  # read from the average of both frames


def test_stream_decoder_reads_moving_glare_from_the_grid_votes() -> None:
    frames = _pair() * 4
    with StreamDecoder() as sd:
        # only the grid votes may read: the worker's frame decode and crop fusion can read this
        # pair too, and which path gets there first is a matter of timing on a busy machine
        sd._dec.decode_within = lambda *a, **k: []  # type: ignore[method-assign]
        sd._fused = lambda *a, **k: []  # type: ignore[method-assign]
        got = None
        for f in frames:
            got = got or sd.feed(f)
            if got is None:
                time.sleep(0.05)
        for _ in range(40):
            if got is not None:
                break
            time.sleep(0.05)
            got = sd.feed(frames[-1])
        assert got is not None and got.text == URL
        assert sd.grid_reads >= 1


def test_non_code_quads_read_nothing() -> None:
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 255, (300, 300), np.uint8)
    assert grid.read_quad(noise, ((20, 20), (280, 20), (280, 280), (20, 280))) is None
    flat = np.full((300, 300), 200, np.uint8)
    assert grid.read_quad(flat, ((20, 20), (280, 20), (280, 280), (20, 280))) is None
    assert grid.largest([]) is None


def test_two_tracks_follow_their_boxes_and_new_boxes_take_free_slots() -> None:
    from app.scan.stream import _follow

    code, clutter, other = (500, 260, 80, 80), (80, 30, 220, 290), (10, 330, 60, 30)
    tracks, same = _follow([None, None], [clutter, code])
    assert tracks == [clutter, code] and same == [False, False]
    moved = (504, 262, 78, 84)
    tracks, same = _follow(tracks, [moved, other])  # the clutter is gone, the code moved
    assert tracks == [other, moved] and same == [False, True]
    assert _follow(tracks, []) == ([None, None], [False, False])


def test_worker_takes_the_second_candidate_after_the_first_fails(monkeypatch) -> None:
    """Clutter can outrank the code in the candidate finder: after a failed deep pass on one
    tracked box the next job is the other box's."""
    img = frame(URL, "black", module_px=4, noise=2, seed=5)
    boxes = [(10, 10, 100, 100), (200, 150, 120, 120)]
    monkeypatch.setattr("app.scan.stream.find_candidates", lambda f, max_boxes=2: list(boxes))
    monkeypatch.setattr("app.scan.stream.zx_read", lambda *a, **k: [])
    tried: list = []

    with StreamDecoder() as sd:

        def fails(frame_, budget, hints=(), keep_going=lambda: True):
            tried.append(hints[0])
            return []

        monkeypatch.setattr(sd._dec, "decode_within", fails)
        for _ in range(40):
            sd.feed(img)
            time.sleep(0.02)
            if len(set(tried)) == 2:
                break
    assert set(tried) == set(boxes)
