import pytest

from app.errors import KnownError
from app.gate.debounce import Debouncer
from app.gate.rules import decide_code, is_fever, parse_temperature
from app.privacy import mask_id, mask_name, mask_phone, payload_hash


@pytest.mark.parametrize(
    "typed, value",
    [
        ("36.5", 36.5),
        ("365", 36.5),
        ("36,5", 36.5),
        ("３６５", 36.5),
        (" 37.3 ", 37.3),
        ("3650", 36.5),
        ("36.5℃", 36.5),
        ("34", 34.0),
        ("42.5", 42.5),
    ],
)
def test_temperature_typing_forms(typed, value):
    assert parse_temperature(typed) == value


@pytest.mark.parametrize("digit", "0123456789")
def test_one_digit_is_the_everyday_36_x_and_never_a_fever(digit):
    value = parse_temperature(digit)
    assert value == 36.0 + int(digit) / 10 and value < 37.0


@pytest.mark.parametrize("typed", ["33.9", "42.6", "99", "455", "31"])
def test_temperature_out_of_range_is_refused(typed):
    with pytest.raises(KnownError) as err:
        parse_temperature(typed)
    assert err.value.code == "temp_out_of_range"


@pytest.mark.parametrize("typed", ["abc", "36..5", "nan", "36.5.1"])
def test_temperature_nonsense_is_refused(typed):
    with pytest.raises(KnownError) as err:
        parse_temperature(typed)
    assert err.value.code in ("temp_invalid", "temp_out_of_range")


def test_fever_threshold_is_inclusive():
    assert is_fever(37.3, 37.3)
    assert not is_fever(37.2, 37.3)


def test_code_colour_rules():
    assert decide_code("green").decision == "pass"
    assert decide_code("red") == decide_code("red", "officer says so")  # red is never overridden
    assert decide_code("red").reason == "red_code"
    assert decide_code("yellow").decision == "refused"
    assert decide_code("yellow", "   ").decision == "refused"
    over = decide_code("yellow", "核酸阴性证明")
    assert over.decision == "pass" and over.override_reason == "核酸阴性证明"


def test_debounce_one_scan_per_window(clock):
    d = Debouncer(clock, window_seconds=10)
    assert d.accept("A")
    hits = 0
    for _ in range(30):  # a phone held for three seconds at 10 fps
        clock.advance(0.1)
        hits += d.accept("A")
    assert hits == 0
    assert d.accept("B")  # another person is not held back
    clock.advance(10.5)
    assert d.accept("A")  # after the window, a new scan


def test_masking():
    assert mask_id("35020319900101123X") == "3502**********123X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳小明") == "欧**明"
    assert mask_id(None) == "" and mask_phone("") == ""


def test_payload_hash_is_keyed():
    a = payload_hash(b"k1", "https://x/y")
    assert a != payload_hash(b"k2", "https://x/y")
    assert a == payload_hash(b"k1", "https://x/y")
    assert "https" not in a and len(a) == 64
