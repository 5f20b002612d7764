"""Resident ID numbers (GB 11643-1999): 17 digits, a check character, a real birth date."""

from __future__ import annotations

from datetime import date

from app.errors import KnownError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_FULLWIDTH = str.maketrans("０１２３４５６７８９ＸｘX", "0123456789XXX")


def normalise_id(raw: str) -> str:
    """Strip spaces, fold full-width digits and a lower-case x."""
    return "".join(raw.split()).translate(_FULLWIDTH).upper()


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def validate_id(raw: str, today: date | None = None) -> str:
    """The normalised ID number, or KnownError with a reason the volunteer can act on."""
    value = normalise_id(raw)
    if len(value) != 18:
        raise KnownError("id_bad_length")
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise KnownError("id_bad_chars")
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise KnownError("id_bad_birth") from None
    if born.year < 1890 or born > (today or date.today()):
        raise KnownError("id_bad_birth")
    expected = check_char(value[:17])
    if value[17] != expected:
        raise KnownError("id_bad_check", expected=expected)
    return value
