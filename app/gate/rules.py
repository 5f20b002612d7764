"""The gate's rules: what a typed temperature means, and what a code colour allows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.errors import KnownError

TEMP_MIN = 34.0
TEMP_MAX = 42.5
DIRECTIONS = ("in", "out")
CATEGORIES = ("resident", "visitor", "courier", "worker", "official")
MANUAL_METHODS = ("id_number", "name_room")
DISPOSITIONS = ("fever_clinic", "grid_cadre", "other", "left")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．。", "0123456789..")
_UNITS = "℃°Cc"  # a unit sign after the number
_TEMP_LIKE = re.compile(rf"^[\d０-９.,．。]{{1,5}}\s*[{_UNITS}]?$")
# the number as the field may hold it, key by key: up to 4 digits (5 → 36.5, 365, 3650) or
# up to 2 digits, one point or comma, up to 2 decimals; every prefix of a reading is in it
_TYPING = re.compile(r"[0-9]{0,4}|[0-9]{0,2}[.,][0-9]{0,2}")


def looks_like_temperature(text: str) -> bool:
    """What a volunteer or an IR thermometer types; longer text is a scanner typing a code."""
    return bool(_TEMP_LIKE.match(text.strip()))


def typed_code(text: str) -> bool:
    """Typed text that is a code, not a temperature: a keyboard-wedge scanner typed it."""
    text = text.strip()
    return len(text) >= 6 and not looks_like_temperature(text)


def keyed_code(keys: str, refused: str) -> bool:
    """Keys typed into the temperature field (refused: those it did not take) that were a
    scanner's code, not a volunteer's slip: code-like, and mostly refused, or with digits the
    field had no room for. A slip ('36..6x') leaves the reading the field shows."""
    if not typed_code(keys):
        return False
    shown = "".join(keys.split())  # spaces are dropped, neither taken nor refused
    return 2 * len(refused) > len(shown) or any(ch.isdigit() for ch in refused)


def _normalised(text: str) -> str:
    """Typed text as the parser reads it: spaces dropped, full-width digits and 。 ASCII."""
    return "".join(text.split()).translate(_FULLWIDTH)


def typed_temperature(text: str) -> str | None:
    """The temperature field's rule: the text it may hold, as parse_temperature reads it
    (full-width digits and 。 made ASCII, spaces dropped), or None: not a temperature's keys.

    Whatever it holds looks_like_temperature, so Enter parses it (or says why not)."""
    text = _normalised(text)
    number = text[:-1] if text[-1:] in _UNITS else text
    if number != text and not any(ch.isdigit() for ch in number):
        return None  # a unit sign alone, or a letter C, is not a temperature
    return text if _TYPING.fullmatch(number) else None


def parse_temperature(raw: str) -> float:
    """'36.5', '365', '36,5', '３６５', '5' → 36.5; nonsense or out of range raises KnownError.

    A single digit d is 36.d: the quick temperatures on one key. It can never be a fever."""
    text = _normalised(str(raw)).replace(",", ".").rstrip(_UNITS)
    if not text:
        raise KnownError("temp_required")
    try:
        if text.isdigit() and len(text) == 1:
            value = 36.0 + int(text) / 10.0  # one key for the everyday 36.x: '5' is 36.5
        elif text.isdigit() and len(text) == 3:
            value = int(text) / 10.0  # thermometers and tired volunteers type 365
        elif text.isdigit() and len(text) == 4:
            value = int(text) / 100.0  # 3650
        else:
            value = float(text)
    except ValueError:
        raise KnownError("temp_invalid") from None
    if value != value or not (TEMP_MIN <= value <= TEMP_MAX):
        raise KnownError("temp_out_of_range", value=text)
    return round(value, 1)


def is_fever(temperature: float, threshold: float) -> bool:
    return temperature >= threshold - 1e-9


@dataclass(frozen=True)
class Decision:
    decision: str  # "pass" | "refused"
    reason: str | None = None  # reason code when refused
    override_reason: str | None = None


def decide_code(color: str, override_reason: str | None = None) -> Decision:
    """Red → refused. Yellow → refused unless an override reason is given. Others pass."""
    if color == "red":
        return Decision("refused", "red_code")
    if color == "yellow":
        if override_reason and override_reason.strip():
            return Decision("pass", None, override_reason.strip())
        return Decision("refused", "yellow_code")
    return Decision("pass")


def identified(
    code_color: str, payload_kind: str | None, identity: Any, override: str | None
) -> bool:
    """The gate's first rule: a pass needs a green code, an approved yellow override, a valid
    signed pass, or a manual identity (a valid ID number, or a name with a room)."""
    if payload_kind == "healthcode" and code_color == "green":
        return True
    if payload_kind == "healthcode" and code_color == "yellow" and (override or "").strip():
        return True
    if payload_kind == "pass" and identity.method == "pass":
        return True
    if identity.method == "id_number":
        return bool(identity.id_number)
    if identity.method == "name_room":
        return bool(identity.person_name and identity.room)
    return False
