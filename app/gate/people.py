"""Who stands at the desk: one person's code, identity and what the volunteer decided so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.gate.rules import MANUAL_METHODS
from app.gate.service import Identity
from app.i18n import t
from app.privacy import mask_id, mask_name


@dataclass(frozen=True)
class PassRefusal:
    """A refused pass as the window shows it (message) and as the record keeps it (note)."""

    code: str  # pass_expired | pass_revoked | pass_forged | pass_other_key | pass_moved_out …
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "zh") -> str:
        return t(self.code, lang, **self.params)

    @property
    def note(self) -> str:
        """'pass_expired: 通行证已过期（2026-11-28）' — code first, for filtering."""
        return f"{self.code}: {self.message('zh')}"


@dataclass
class Person:
    """One person at the desk or waiting; `token` tells two people with the same code apart."""

    token: int
    code_color: str = "none"  # green | yellow | red | black | unknown | none (no code)
    payload_kind: str | None = None  # healthcode | pass | None
    payload_text: str | None = None  # hashed when written, never stored
    identity: Identity = field(default_factory=Identity)
    category: str | None = None  # set by a pass (resident / visitor); else the desk's choice
    override_reason: str | None = None  # a yellow code let through by an officer
    refusal: PassRefusal | None = None  # a pass the roster refused
    alerts: list[Any] = field(default_factory=list)  # roster stops and warnings (Alert)
    color_confirmed: bool = False  # the volunteer looked at the phone: the reader saw no colour

    @property
    def identity_kind(self) -> str:
        """code | pass | manual | none: what the decision may lean on."""
        if self.payload_kind == "pass" and self.refusal is None:
            return "pass"
        if self.identity.method in MANUAL_METHODS:
            return "manual"
        if self.payload_kind == "healthcode":
            return "code"
        return "none"

    @property
    def stop(self) -> bool:
        return self.refusal is not None or any(a.level == "stop" for a in self.alerts)

    def same_code(self, text: str | None) -> bool:
        return text is not None and self.payload_text == text


def describe_person(row: dict[str, Any], masked: bool = True) -> str:
    """Identity for a row: name, ID number (masked unless the officer unmasked) or room."""
    parts = []
    if row.get("person_name"):
        parts.append(mask_name(row["person_name"]) if masked else row["person_name"])
    if row.get("id_number"):
        parts.append(mask_id(row["id_number"]) if masked else row["id_number"])
    room = "-".join(str(row[k]) for k in ("building", "unit", "room") if row.get(k))
    if room:
        parts.append(room)
    return " ".join(parts)
