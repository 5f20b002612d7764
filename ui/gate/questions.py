"""The questions the desk asks through the window's asker; the answers go back to the desk."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.gate.desk import Dialog
from app.gate.desk_view import record_words
from app.gate.rules import DISPOSITIONS
from app.i18n import t

if TYPE_CHECKING:
    from ui.gate.window import MainWindow

VOID_REASONS = ("void_wrong_entry", "void_duplicate", "other")


def question(win: MainWindow, dialog: Dialog) -> Any:
    """Ask the volunteer (or the officer) what the desk wants to know; None is cancel."""
    lang, ask = win.lang, win.asker
    kind = dialog.kind
    if kind == "manual":
        return ask.manual_identity(lang)
    if kind == "refuse":
        choices = [("no_code", t("reason_no_code", lang)), ("other", t("reason_other", lang))]
        return ask.choose(t("refuse_reason", lang), choices, lang, note_for={"other"})
    if kind == "override":
        guard = win.guards.get("yellow_override")
        if guard is not None and not guard():
            return None
        choices = [("other", t("override_reason", lang))]
        answer = ask.choose(t("override_reason", lang), choices, lang, note_for={"other"})
        return {"reason": answer[1], "authorized": True} if answer else None
    if kind == "confirm_color":
        colors = [(c, t(f"code_{c}_short", lang)) for c in ("green", "yellow", "red")]
        answer = ask.choose(t("confirm_color_title", lang), colors, lang)
        return {"color": answer[0]} if answer else None
    if kind == "retest_early":
        due = retest_minutes_left(win, dialog.fever_id)
        return ask.confirm(t("retest_early", lang, minutes=due), lang)
    if kind == "retest":
        return ask.temperature(t("fever_retest_prompt", lang), lang)
    if kind == "disposition":
        choices = [(d, t(f"disp_{d}", lang)) for d in DISPOSITIONS]
        return ask.choose(t("fever_still", lang), choices, lang, note_for={"other"})
    if kind == "void":
        return void_reason(win, dialog)
    return None


def void_reason(win: MainWindow, dialog: Dialog) -> str | None:
    """F4 names the record it voids, then asks why; the reason is stored in Chinese."""
    lang = win.lang
    title, detail = record_words(dialog.passage or {}, lang)
    when = str((dialog.passage or {}).get("ts_local", ""))[11:16]
    prompt = t("void_prompt", lang, what=f"{when} {title} · {detail}")
    choices = [(k, t(k if k != "other" else "reason_other", lang)) for k in VOID_REASONS]
    answer = win.asker.choose(prompt, choices, lang, note_for={"other"})
    if not answer:
        return None
    key, note = answer
    return note if key == "other" else t(key, "zh") + (f"：{note}" if note else "")


def retest_minutes_left(win: MainWindow, fever_id: str | None) -> int:
    """Whole minutes until the fever's rest period ends (at least 1), 0 when it is gone."""
    service = win.service
    for fever in service.pending_fevers():
        if fever["id"] == fever_id:
            due = datetime.fromisoformat(service.retest_due_at(fever))
            left = (due - service.clock.now()).total_seconds()
            return max(1, round(left / 60))
    return 0
