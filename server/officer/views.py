"""What the officer's pages show, shaped for the templates: the gates table's columns and the
totals (#15), a gate's row, the dashboard's context (state, filter, sort, groups), and an
uploaded report's check put into words (#17)."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from app import gate_code
from app.errors import KnownError
from app.i18n import MESSAGES, t
from server.day_check import DayCheck, check_report
from server.officer import district, queries
from server.store import Store

# the day's numbers, as columns of the gates table and boxes of the totals: (label, key)
DAY_COLUMNS = tuple((f"officer_{k}", k) for k in queries.DAY_KEYS)
# the gates table: (column code for the header, sort key or "" when not sortable)
HEADS = (
    ("officer_gate_code", "code"),
    ("officer_gate", "name"),
    ("officer_state", "state"),
    ("officer_via", ""),
    ("officer_last_sync_local", "last_sync"),
    ("officer_acked", ""),
    ("officer_max", ""),
    ("officer_gaps", ""),
    *DAY_COLUMNS,
    ("officer_counts", ""),
    ("officer_quarantined", ""),
    ("", ""),
)
# the totals at the top, in order: (code of the label, key in district.totals)
TOTALS = (("officer_total_gates", "gates"), *DAY_COLUMNS, ("officer_state_silent", "silent"))


def kind_label(kind: str, lang: str) -> str:
    """An event kind in the page's language (kind_* in app/i18n.py); an unknown kind as sent."""
    code = f"kind_{kind}"
    return t(code, lang) if code in MESSAGES else kind


def gate_view(g: dict[str, Any], zone: ZoneInfo, lang: str) -> dict[str, Any]:
    counts = sorted(g["counts"].items())
    return {
        **g,
        "code": gate_code.shown(str(g.get("gate_code") or "")),
        "last_sync": queries.local_time(g["last_seen"], zone),
        "gap_text": ", ".join(f"{a}–{b}" for a, b in g["gaps"]) or "—",
        "count_text": " · ".join(f"{kind_label(k, lang)} {n}" for k, n in counts) or "0",
    }


def compound_label(key: tuple[str, str], lang: str) -> str:
    """A compound as the page names it: street · community, or 未分组."""
    return " · ".join(part for part in key if part) or t("officer_ungrouped", lang)


@dataclass(frozen=True)
class Page:
    """The dashboard's frame: the day shown, the language, the officer's time zone, now, and
    how long a gate may stay unheard before it is 失联."""

    day: str
    lang: str
    zone: ZoneInfo
    now: datetime
    silent: timedelta


def dashboard(
    gates: list[dict[str, Any]],
    quarantine: list[dict[str, Any]],
    page: Page,
    view: district.View,
) -> dict[str, Any]:
    """The dashboard template's context: totals over every gate, the gates the view asks for,
    grouped by compound, and the quarantined events named by their gate's code."""
    lang = page.lang
    for g in gates:
        g["state"] = district.state_of(g, page.now, page.silent)
    shown = district.select(gates, view, page.now)
    numbers = district.totals(gates)
    codes = {g["device_id"]: gate_code.shown(str(g.get("gate_code") or "")) for g in gates}
    return {
        "day": page.day,
        "heads": HEADS,
        "day_keys": queries.DAY_KEYS,
        "totals": [(code, key, numbers[key]) for code, key in TOTALS],
        "shown_count": len(shown),
        "view": view,
        "link": _linker(page, view),
        "states": district.STATES,
        "synced_choices": district.SYNCED,
        "silent_minutes": int(page.silent.total_seconds() // 60),
        "zone_name": str(page.zone.key),
        "groups": [
            (compound_label(key, lang), [gate_view(g, page.zone, lang) for g in members])
            for key, members in district.groups(shown)
        ],
        "quarantine": [
            {
                **q,
                "kind": kind_label(q["kind"], lang),
                "code": codes.get(q["device_id"]) or q["device_id"][:8],
                "received": queries.local_time(q["received_utc"], page.zone),
            }
            for q in quarantine
        ],
    }


def _linker(page: Page, view: district.View) -> Callable[..., str]:
    """The sort links: this view with some parameters changed, in the page's language."""
    keep = {"lang": "en"} if page.lang == "en" else {}

    def link(**changes: Any) -> str:
        return "?" + urlencode({"date": page.day, **keep, **view.query(**changes)})

    return link


REPORT_SUFFIXES = (".csv", ".xlsx", ".pdf")


def day_lines(days: list[DayCheck], lang: str) -> list[str]:
    """The server's side: per signed day, whether the passages held here match."""
    out = []
    for d in days:
        code = "officer_day_match" if d.ok else "officer_day_differs"
        out.append(t(code, lang, day=d.day, signed=d.signed, held=d.held))
        if not d.head_held:
            out.append(t("officer_day_head_missing", lang, day=d.day))
    return out


def check_upload(store: Store, name: str, data: bytes, lang: str) -> tuple[list[str], bool]:
    """An uploaded daily report checked as `main.py verify-report` does, with the key of the
    enrolled gate that signed it, and its days against the events held here: what to say, and
    whether it all matches."""
    suffix = Path(name).suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        return [t("officer_verify_pick", lang)], False
    with tempfile.TemporaryDirectory() as folder:
        # the officer's own file name in what is said, made safe for a path
        stem = re.sub(r"[^\w.-]", "_", Path(name).stem)[:80].lstrip(".") or "report"
        path = Path(folder) / f"{stem}{suffix}"
        path.write_bytes(data)
        try:
            result = check_report(store, path)
        except KnownError as exc:
            return [exc.message(lang)], False
    return [*result.verdict.lines(lang), *day_lines(result.days, lang)], result.ok
