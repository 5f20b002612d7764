"""Who a record is about: filled by the desk, a scanned pass or a typed ID number."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Identity:
    """Who is passing, as far as the gate knows."""

    method: str = "none"  # scan | pass | id_number | name_room | none
    person_name: str | None = None
    id_number: str | None = None
    building: str | None = None
    unit: str | None = None
    room: str | None = None
    resident_id: int | None = None
