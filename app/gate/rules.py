"""The gate's rules: what a typed temperature means, and what a code colour allows."""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import KnownError

TEMP_MIN = 34.0
TEMP_MAX = 42.5
DIRECTIONS = ("in", "out")
CATEGORIES = ("resident", "visitor", "courier", "worker", "official")
DISPOSITIONS = ("fever_clinic", "grid_cadre", "other", "left")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．。", "0123456789..")


def parse_temperature(raw: str) -> float:
    """'36.5', '365', '36,5', '３６５' → 36.5; nonsense or out of range raises KnownError."""
    text = "".join(str(raw).split()).translate(_FULLWIDTH).replace(",", ".").rstrip("℃°Cc")
    if not text:
        raise KnownError("temp_required")
    try:
        if text.isdigit() and len(text) == 3:
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
