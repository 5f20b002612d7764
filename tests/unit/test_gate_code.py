"""The gate's short code (#15): derived from the device id alone, 6 characters of Crockford's
base32 with a check character that catches a mistyped character and a swapped pair."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app import gate_code

ids = st.text(min_size=1, max_size=64)


@given(ids)
def test_a_code_is_six_unambiguous_characters_with_a_good_check(device_id):
    code = gate_code.derive(device_id)
    assert len(code) == 6 and set(code) <= set(gate_code.ALPHABET)
    assert not set(code) & set("ILOU")
    assert gate_code.valid(code)
    assert gate_code.derive(device_id) == code  # the gate and the server derive the same


@given(ids, st.integers(0, 5), st.sampled_from(gate_code.ALPHABET))
def test_any_one_wrong_character_is_caught(device_id, at, wrong):
    code = gate_code.derive(device_id)
    typed = code[:at] + wrong + code[at + 1 :]
    assert gate_code.valid(typed) == (typed == code)


@given(ids, st.integers(0, 4))
def test_two_swapped_neighbours_are_caught_but_for_0_and_z(device_id, at):
    code = gate_code.derive(device_id)
    a, b = code[at], code[at + 1]
    swapped = code[:at] + b + a + code[at + 2 :]
    if a != b and {a, b} != {"0", "Z"}:  # Luhn mod 32's one blind pair (as 09/90 in Luhn)
        assert not gate_code.valid(swapped)


@given(ids)
def test_read_as_typed_lower_case_dashes_and_look_alikes(device_id):
    code = gate_code.derive(device_id)
    typed = gate_code.shown(code).lower().replace("0", "o").replace("1", "l")
    assert gate_code.normalise(typed) == code and gate_code.valid(typed)


def test_each_attempt_gives_another_code():
    codes = {gate_code.derive("gate-1", n) for n in range(50)}
    assert len(codes) == 50 and all(gate_code.valid(c) for c in codes)
