"""What the desk shows, as words: the banner, the 下一位 line and the message (no Qt)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.gate.desk import Desk
from app.gate.people import Person, describe_person
from app.i18n import t

COLOR_WORDS = {"green": "code_green_short", "yellow": "code_yellow_short", "red": "code_red_short"}


@dataclass(frozen=True)
class DeskView:
    banner: str  # idle | green | yellow | red | unknown | fever | done | refused
    title: str
    detail: str
    next_up: str  # "" when nobody waits
    message: str
    error: bool


def who(person: Person) -> str:
    return describe_person(vars(person.identity))


def person_banner(person: Person, lang: str) -> tuple[str, str, str]:
    name = who(person)
    if person.refusal is not None:
        detail = " · ".join(x for x in (person.refusal.message(lang), name) if x)
        return "red", t("pass_invalid", lang), f"{detail}\n{t('pass_enter_records', lang)}"
    stops = [a for a in person.alerts if a.level == "stop"]
    if stops:
        return "red", stops[0].message(lang), name
    color = person.code_color
    if color == "green":
        return "green", t("code_green", lang), name or t("type_temp_enter", lang)
    if color == "yellow":
        if person.override_reason:
            return "yellow", t("yellow_override", lang), person.override_reason
        return "yellow", t("code_yellow", lang), t("enter_records_refusal", lang)
    if color == "red":
        return "red", t("code_red", lang), t("enter_records_refusal", lang)
    if color == "none":
        return "green", t("code_manual", lang), name
    return "unknown", t("code_unknown", lang), name or t("confirm_color_hint", lang)


def record_words(
    row: dict[str, Any], lang: str, fever: bool = False, rest_seconds: int = 300
) -> tuple[str, str]:
    """(title, detail) for a record just written: the temperature that decided is shown."""
    name = describe_person(row) or t(f"cat_{row.get('category') or 'resident'}", lang)
    if fever:  # a fever check: the person rests, then re-tests
        minutes = max(1, round(rest_seconds / 60))
        detail = t("fever_rest", lang, minutes=minutes)
        title = t("fever_alarm", lang, value=f"{row['temperature']:.1f}")
        return title, f"{describe_person(row)} {detail}".strip()
    deciding = row.get("retest_temperature")
    if deciding is None:
        deciding = row.get("temperature")
    if row["decision"] == "pass":
        temp = f" · {deciding:.1f} °C" if deciding is not None else ""
        return f"{t('decision_pass', lang)}{temp}", t("record_ok", lang, what=name)
    reason = t(f"reason_{row['reason']}", lang) if row.get("reason") else ""
    return f"{t('decision_refused', lang)} · {reason}", t("record_ok", lang, what=name)


def next_up_line(desk: Desk, lang: str) -> str:
    if not desk.waiting:
        return ""
    first = desk.waiting[0]
    color = t(COLOR_WORDS[first.code_color], lang) if first.code_color in COLOR_WORDS else ""
    if first.payload_kind == "pass":
        color = t("pass_short", lang)
    what = " · ".join(x for x in (color, who(first)) if x)
    more = f"  (+{len(desk.waiting) - 1})" if len(desk.waiting) > 1 else ""
    return t("next_up", lang, what=what or "…") + more


def render(desk: Desk, lang: str, rest_seconds: int = 300) -> DeskView:
    msg = desk.message
    message, error = "", False
    if msg is not None:
        error = msg.error
        if msg.code == "desk_recorded":
            title, detail = record_words(
                msg.params["record"], lang, msg.params.get("fever", False), rest_seconds
            )
            message = t("desk_last", lang, what=f"{title} · {detail}")
        elif msg.code == "undo_done_named":
            title, detail = record_words(msg.params["record"], lang)
            message = t("undo_done_named", lang, what=f"{title} · {detail}")
        else:
            message = t(msg.code, lang, **msg.params)
    if desk.current is not None:
        banner, title, detail = person_banner(desk.current, lang)
    elif desk.flash is not None and desk.clock.monotonic() < desk.flash.until:
        banner = desk.flash.state
        if banner == "unknown":
            title, detail = t("code_unrecognised", lang), t(desk.flash.reason, lang)
        else:
            title, detail = record_words(desk.flash.record, lang, banner == "fever", rest_seconds)
        if msg is not None and msg.code == "desk_recorded":
            message, error = "", False  # the banner says it already
    else:
        banner, title, detail = "idle", t("scan_wait", lang), t("camera_manual_hint", lang)
    return DeskView(banner, title, detail, next_up_line(desk, lang), message, error)
