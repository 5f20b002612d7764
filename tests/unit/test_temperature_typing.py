"""What the temperature field may hold agrees with what the desk parses: every reading typed
the ways the desk takes it is accepted key by key, anything else is refused at the key, and
whatever is accepted reaches Enter as a temperature (parsed, or refused with its reason)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import KnownError
from app.gate.desk import Desk
from app.gate.rules import (
    TEMP_MAX,
    TEMP_MIN,
    keyed_code,
    looks_like_temperature,
    parse_temperature,
    typed_code,
    typed_temperature,
)

GREEN = "https://jkm.example.invalid/v?t=GREEN-1"
READINGS = st.integers(int(TEMP_MIN * 10), int(TEMP_MAX * 10))  # tenths of a degree
FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


def typings(tenths: int) -> list[str]:
    """The ways the desk takes a reading today (app/gate/rules.py parse_temperature)."""
    dotted = f"{tenths / 10:.1f}"
    forms = [dotted, dotted.replace(".", ","), f"{tenths}", f"{tenths * 10}", dotted + "℃"]
    forms += [dotted.translate(FULLWIDTH), dotted.replace(".", "。"), dotted + "C"]
    if 360 <= tenths <= 369:
        forms.append(str(tenths - 360))  # one key: 5 is 36.5
    return forms


@given(READINGS)
def test_every_reading_is_accepted_key_by_key_and_means_the_same(tenths):
    for form in typings(tenths):
        for end in range(1, len(form) + 1):  # each key of it, as it is typed
            assert typed_temperature(form[:end]) is not None, form[:end]
        held = typed_temperature(form)
        assert held is not None and looks_like_temperature(held)
        assert parse_temperature(held) == parse_temperature(form) == tenths / 10


@given(st.text(max_size=12))
def test_whatever_the_field_holds_enter_reads_as_a_temperature(text):
    held = typed_temperature(text)
    if not held:
        return
    assert looks_like_temperature(held) and not typed_code(held)  # never taken for a code
    assert held.isascii() or held.endswith("℃") or held.endswith("°")
    try:
        parse_temperature(held)
    except KnownError as err:  # never 请先输入体温 for something typed
        assert err.code in ("temp_invalid", "temp_out_of_range")


@given(st.text(max_size=8).filter(lambda s: any(ch.isalpha() and ch not in "Cc" for ch in s)))
def test_letters_and_cjk_are_refused(text):
    assert typed_temperature(text) is None


@pytest.mark.parametrize(
    "text", ["a", "36a", "体温", "36度", "36..5", "36.5.1", "12345", "365.", "c", "℃", "36.5°C"]
)
def test_not_a_temperature_is_refused(text):
    assert typed_temperature(text) is None


@pytest.mark.parametrize(
    "text, held", [("３６．５", "36.5"), ("３６５", "365"), (" 36.5 ", "36.5"), ("12", "12")]
)
def test_full_width_digits_are_made_ascii(text, held):
    assert typed_temperature(text) == held


def test_a_scanner_code_is_not_a_temperature():
    assert typed_code("https://jkm.example.invalid/v?t=P1")
    assert not typed_code("36.5℃") and not typed_code("abc") and not typed_code("3650")


def type_keys(keys: str) -> tuple[str, str]:
    """The field, key by key at the end: (what it holds, the keys it refused)."""
    held, refused = "", ""
    for key in keys:
        taken = typed_temperature(held + key)
        if taken is None:
            refused += key
        else:
            held = taken
    return held, refused


SLIPS = st.lists(st.characters(categories=["L"], exclude_characters="Cc"), max_size=2)


@given(READINGS, SLIPS, st.data())
def test_a_slip_or_two_leaves_the_reading_the_field_shows(tenths, slips, data):
    """'36..6x' ⏎ records 36.6, as the field shows, not a scan of the code '36..6x'."""
    keys = f"{tenths / 10:.1f}"
    for slip in slips:
        at = data.draw(st.integers(0, len(keys)))
        keys = keys[:at] + slip + keys[at:]
    held, refused = type_keys(keys)
    assert len(refused) == len(slips)
    assert not keyed_code(keys, refused) and parse_temperature(held) == tenths / 10


CODE = st.text(st.characters(codec="ascii", categories=["L", "N", "P", "S"]), min_size=5)


@given(st.sampled_from(["https://jkm.example.invalid/v?t=", "hc:", "GP1:"]), CODE)
def test_a_scanner_code_typed_into_the_field_stays_a_code(prefix, rest):
    keys = prefix + rest
    assert keyed_code(keys, type_keys(keys)[1])


@given(st.text(min_size=13).filter(lambda s: len("".join(s.split())) >= 13))
def test_long_keys_are_always_a_code(keys):
    """The field holds 6 characters at most: 13 keys (spaces aside) are a code."""
    assert keyed_code(keys, type_keys(keys)[1])


def test_digits_the_field_has_no_room_for_are_a_code():
    assert type_keys("361234") == ("3612", "34") and keyed_code("361234", "34")


@pytest.fixture
def desk(service):
    d = Desk(service)
    d.scan(GREEN, "green", debounce=False)
    return d


def passages(service):
    return service.conn.execute("SELECT temperature FROM passages").fetchall()


def test_letters_at_enter_say_not_a_temperature_and_record_nothing(desk, service):
    desk.set_typed("abc")
    step = desk.key("Enter")
    assert step.outcome == "message" and desk.message.code == "temp_invalid"
    assert desk.typed == "" and desk.current is not None and passages(service) == []


@pytest.mark.parametrize("typed", ["12", "45.0"])
def test_out_of_range_says_so_and_keeps_the_reading(desk, service, typed):
    desk.set_typed(typed)
    desk.key("Enter")
    assert desk.message.code == "temp_out_of_range" and desk.message.params == {"value": typed}
    assert desk.typed == typed and passages(service) == []


def test_a_refused_key_says_what_the_field_takes(desk):
    assert desk.refuse_keys().outcome == "message"
    assert desk.message.code == "temp_keys_only" and desk.current is not None


def test_one_digit_is_still_36_point_that(desk, service):
    desk.set_typed("5")
    assert desk.key("Enter").outcome == "recorded"
    assert [tuple(r) for r in passages(service)] == [(36.5,)]
