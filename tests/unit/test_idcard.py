from datetime import date

import pytest

from app.errors import KnownError
from app.idcard import check_char, normalise_id, validate_id

# 11010519491231002X is the standard's own worked example
VALID = "11010519491231002X"


def test_standard_example_is_valid():
    assert validate_id(VALID) == VALID


def test_lower_case_x_and_fullwidth_digits_are_folded():
    assert validate_id("１１０１０５１９４９１２３１００２x") == VALID
    assert normalise_id(" 1101 0519 4912 3100 2x ") == VALID


def test_check_char_is_computed():
    assert check_char("11010519491231002") == "X"
    assert check_char("35020319900101123") in "0123456789X"


def test_wrong_check_digit_names_the_expected_one():
    with pytest.raises(KnownError) as err:
        validate_id("110105194912310021")
    assert err.value.code == "id_bad_check"
    assert err.value.params["expected"] == "X"
    assert "X" in err.value.message("zh")


@pytest.mark.parametrize(
    "value, code",
    [
        ("1101051949123100", "id_bad_length"),
        ("11010519491231002XX", "id_bad_length"),
        ("1101051949123A002X", "id_bad_chars"),
        ("110105194902300020", "id_bad_birth"),  # 30 February
    ],
)
def test_malformed_numbers_are_refused_with_a_reason(value, code):
    with pytest.raises(KnownError) as err:
        validate_id(value)
    assert err.value.code == code


def test_birth_date_in_the_future_is_refused():
    future = "110105" + "20300101" + "002"
    with pytest.raises(KnownError) as err:
        validate_id(future + check_char(future), today=date(2026, 11, 29))
    assert err.value.code == "id_bad_birth"
