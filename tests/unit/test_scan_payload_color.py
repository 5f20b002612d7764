"""Payload refusal cases and colour classification under white balance, brightness and glare."""

from __future__ import annotations

import numpy as np
import pytest

from app.scan.color import classify_color
from app.scan.payload import MAX_PAYLOAD_CHARS, PASS_PREFIX, classify_payload, keyed_hash
from tests.fakes.qrframes import patch


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\xff\xfe\x00binary\x81", "payload_binary"),
        ("x" * (MAX_PAYLOAD_CHARS + 1), "payload_too_long"),
        ("", "payload_empty"),
        ("   \n\t", "payload_empty"),
        ("name\x00=admin", "payload_control_chars"),
        ("\x1b[31mRED\x1b[0m", "payload_control_chars"),
        ("ok\x7f", "payload_control_chars"),
        ("pay\u202eabc.exe", "payload_bidi_controls"),
        ("GP1:\u2066evil\u2069", "payload_bidi_controls"),
    ],
)
def test_refused_payloads_have_a_reason_and_no_text(raw: str | bytes, reason: str) -> None:
    p = classify_payload(raw)
    assert (p.kind, p.text, p.reason) == ("refused", None, reason)


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (PASS_PREFIX + "abc.def", "pass"),
        ("https://hc.example.gd.cn/qr?v=2&t=x", "healthcode"),
        ("HC:abcdef", "healthcode"),
        ('{"name":"张*伟","st":"G"}', "text"),
        ("第一行\n第二行\t", "text"),
        ("张*伟".encode(), "text"),
    ],
)
def test_accepted_payloads_keep_their_text(raw: str | bytes, kind: str) -> None:
    p = classify_payload(raw)
    assert p.kind == kind and p.reason is None
    assert p.text == (raw.decode() if isinstance(raw, bytes) else raw)


def test_keyed_hash_is_stable_keyed_and_not_the_payload() -> None:
    a = keyed_hash("https://hc.example/qr?t=1", b"k1")
    assert a == keyed_hash("https://hc.example/qr?t=1", b"k1")
    assert a != keyed_hash("https://hc.example/qr?t=1", b"k2") and "hc.example" not in a
    with pytest.raises(ValueError):
        keyed_hash("x", b"")


CONDITIONS = {
    "plain": {},
    "warm_wb": {"wb": (1.3, 1.0, 0.7)},
    "cool_wb": {"wb": (0.7, 1.0, 1.3)},
    "bright": {"exposure": 1.6},
    "blown_out": {"exposure": 2.5},
    "dim": {"exposure": 0.35},
    "glare": {"glare": 0.8},
}


@pytest.mark.parametrize("cond", CONDITIONS)
@pytest.mark.parametrize("color", ["green", "yellow", "red", "black"])
def test_colour_is_robust(color: str, cond: str) -> None:
    img, pts = patch(color, **CONDITIONS[cond])
    got = classify_color(img, pts)
    assert got == color
    if color in ("red", "yellow"):
        assert got != "green"


def test_unsure_cases_answer_unknown() -> None:
    flat = np.full((100, 100, 3), 128, np.uint8)
    assert classify_color(flat, ((10, 10), (90, 10), (90, 90), (10, 90))) == "unknown"
    assert classify_color(flat, ()) == "unknown"
    assert classify_color(flat, ((0, 0), (1, 0), (1, 1))) == "unknown"
    # a code whose modules are a hue between yellow and green (lime) is not guessed
    img = np.full((100, 100, 3), 245, np.uint8)
    img[::4, :] = (0, 200, 150)  # BGR: hue ~75 deg
    img[:, ::4] = (0, 200, 150)
    assert classify_color(img, ((5, 5), (95, 5), (95, 95), (5, 95))) == "unknown"


def test_orange_and_red_are_never_green() -> None:
    for bgr in [(0, 80, 230), (0, 140, 240), (30, 30, 200), (0, 190, 250)]:
        img = np.full((100, 100, 3), 245, np.uint8)
        img[::3, :] = bgr
        img[:, ::3] = bgr
        assert classify_color(img, ((5, 5), (95, 5), (95, 95), (5, 95))) != "green"
