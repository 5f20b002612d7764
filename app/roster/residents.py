"""Residents: clean and check their fields, and record every change with who, when and why."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.errors import KnownError
from app.idcard import validate_id
from app.privacy import mask_id, mask_name, mask_phone
from db.roster import RESIDENT_FIELDS

STATUSES = ("normal", "observation", "moved_out")
EDITABLE = RESIDENT_FIELDS  # the columns a person may change, as the table stores them
_CJK = re.compile(r"[\u3400-\u9fff]")
_STATUS_WORDS = {
    "normal": "normal",
    "正常": "normal",
    "在住": "normal",
    "": "normal",
    "observation": "observation",
    "居家医学观察": "observation",
    "居家观察": "observation",
    "居家隔离": "observation",
    "医学观察": "observation",
    "moved_out": "moved_out",
    "已搬离": "moved_out",
    "搬离": "moved_out",
    "迁出": "moved_out",
    "已迁出": "moved_out",
}


def clean_text(value: Any) -> str:
    """Full-width to half-width (NFKC), no stray spaces; None → ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    return " ".join(text.split())


def clean_name(value: Any) -> str:
    """Chinese names padded for alignment ('张  三') lose their spaces; others keep one."""
    text = clean_text(value)
    return text.replace(" ", "") if _CJK.search(text) else text


def clean_phone(value: Any) -> str:
    """11-digit mobile or a landline (7–12 digits, a dash allowed); '' when empty."""
    text = clean_text(value).replace(" ", "")
    if not text:
        return ""
    if text.startswith("+86"):
        text = text[3:]
    digits = text.replace("-", "")
    if not digits.isdigit() or not (7 <= len(digits) <= 12):
        raise KnownError("phone_bad", value=text)
    if len(digits) == 11 and digits.startswith("1"):
        return digits
    return text


def clean_date(value: Any) -> str | None:
    """2026-12-05, 2026/12/5, 2026.12.5, 20261205, 2026年12月5日, or an Excel date."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()[:10]
    text = clean_text(value)
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?: .*)?", text) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", text
    )
    if not m:
        raise KnownError("date_bad", value=text)
    try:
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        raise KnownError("date_bad", value=text) from None


def clean_status(value: Any) -> str:
    text = clean_text(value).replace(" ", "")
    if text not in _STATUS_WORDS:
        raise KnownError("status_bad", value=text)
    return _STATUS_WORDS[text]


def household_of(building: str, unit: str, room: str) -> str:
    return "-".join(p for p in (building, unit, room) if p)


def check_fields(
    raw: dict[str, Any], today: date
) -> tuple[dict[str, Any], list[tuple[str, KnownError]]]:
    """Clean every given field; problems come back per field, nothing raises."""
    clean: dict[str, Any] = {}
    errors: list[tuple[str, KnownError]] = []

    def attempt(field: str, fn: Any) -> None:
        try:
            clean[field] = fn(raw[field])
        except KnownError as exc:
            errors.append((field, exc))

    if "name" in raw:
        clean["name"] = clean_name(raw["name"])
        if not clean["name"]:
            errors.append(("name", KnownError("name_required")))
    if "id_number" in raw:
        attempt("id_number", lambda v: validate_id(clean_text(v), today) if clean_text(v) else None)
    if "phone" in raw:
        attempt("phone", clean_phone)
    for field in ("building", "unit", "room", "household"):
        if field in raw:
            clean[field] = clean_text(raw[field]).replace(" ", "")
    if "tags" in raw:
        parts = re.split(r"[,，;；、/]", clean_text(raw["tags"]))
        clean["tags"] = ",".join(p.strip() for p in parts if p.strip())
    if "status" in raw:
        attempt("status", clean_status)
    for field in ("obs_start", "obs_end"):
        if field in raw:
            attempt(field, clean_date)
    if not errors and clean.get("status") == "observation" and not clean.get("obs_end"):
        errors.append(("obs_end", KnownError("obs_end_required")))
    start, end = clean.get("obs_start"), clean.get("obs_end")
    if not errors and start and end and end < start:
        errors.append(("obs_end", KnownError("obs_end_before_start")))
    if clean.get("status") in ("normal", "moved_out"):
        clean.setdefault("obs_start", None)
        clean.setdefault("obs_end", None)
    return clean, errors


def under_observation(resident: dict[str, Any], today: date) -> bool:
    """Observation holds from its start until (not including) its end date: it lifts by itself."""
    if resident.get("status") != "observation":
        return False
    day = today.isoformat()
    start, end = resident.get("obs_start"), resident.get("obs_end")
    return (not start or start <= day) and (not end or day < end)


def effective_status(resident: dict[str, Any], today: date) -> str:
    if resident.get("status") == "observation" and not under_observation(resident, today):
        return "normal"
    return str(resident.get("status") or "normal")


@dataclass(frozen=True)
class ResidentView:
    """What a screen or a printout may show by default: masked."""

    resident_id: int
    name: str
    id_number: str
    phone: str
    building: str
    unit: str
    room: str
    household: str
    tags: str
    status: str
    obs_end: str | None

    @property
    def place(self) -> str:
        return household_of(self.building, self.unit, self.room)


def view(resident: dict[str, Any], today: date, masked: bool = True) -> ResidentView:
    def m(fn: Any, value: Any) -> str:
        return fn(value) if masked else (value or "")

    return ResidentView(
        int(resident["id"]),
        m(mask_name, resident["name"]),
        m(mask_id, resident["id_number"]),
        m(mask_phone, resident["phone"]),
        resident["building"],
        resident["unit"],
        resident["room"],
        resident["household"],
        resident["tags"],
        effective_status(resident, today),
        resident.get("obs_end"),
    )
