"""Report cells, labels and sheets as plain values: shared by the CSV/XLSX writers (app) and
the PDF renderer (ui), and importing nothing from db so the ui may use it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from app.errors import KnownError
from app.i18n import t
from app.privacy import mask_id, mask_name, mask_phone
from app.reports.model import Report

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]


class ExportCancelled(KnownError):
    def __init__(self) -> None:
        super().__init__("export_cancelled")


# who passed and who was at the desk: the same columns in the passage log and the fever sheet
PERSON_HEADERS = ("col_name", "col_id_number", "col_room", "col_volunteer", "col_note")
PASSAGE_HEADERS = (
    "col_time",
    "col_checkpoint",
    "col_direction",
    "col_category",
    "col_code",
    "col_temperature",
    "col_retest",
    "col_decision",
    "col_reason",
    "col_override",
    "col_disposition",
    *PERSON_HEADERS,
    "col_clock",
    "col_backfill",
)
PASSAGE_WIDTHS = (20, 10, 6, 10, 8, 8, 9, 10, 14, 16, 16, 10, 22, 16, 12, 24, 30, 30)


@functools.lru_cache(maxsize=512)
def label(prefix: str, code: str | None, lang: str) -> str:
    """An enum code as words (dir_in → 进); empty for None; unknown codes show themselves."""
    if not code:
        return ""
    key = f"{prefix}_{code}"
    text = t(key, lang)
    return code if text == key else text


def local_dt(ts_local: str | None) -> datetime | None:
    """The local wall-clock time as a naive datetime (what Excel shows)."""
    if not ts_local:
        return None
    return datetime.fromisoformat(ts_local).replace(tzinfo=None)


def room_of(row: Any) -> str:
    return "-".join(str(x) for x in (row["building"], row["unit"], row["room"]) if x)


# free-text cells of a passage row: the CSV writer keeps them from turning into formulas
PASSAGE_TEXT_CELLS = (9, 11, 13, 14, 15)


def passage_values(
    row: tuple[Any, ...], lang: str, masked: bool, text_time: bool = False
) -> list[Any]:
    """One passage (a db.reports.REPORT_COLUMNS tuple) as report cells; names and ID numbers
    masked unless unmasked was chosen. The time is a datetime (XLSX) or, with text_time,
    'YYYY-MM-DD HH:MM:SS' (CSV). Empty cells are None: nothing is written for them."""
    (
        ts,
        checkpoint,
        direction,
        category,
        color,
        temp,
        retest,
        decision,
        reason,
        override,
        disposition,
        name,
        idn,
        building,
        unit,
        room,
        volunteer,
        note,
        clock_suspect,
        clock_trusted_utc,
        clock_offset_s,
        backfill_page,
        entered_utc,
        entered_by,
    ) = row
    return [
        ts[:19].replace("T", " ") if text_time else local_dt(ts),
        checkpoint,
        label("dir", direction, lang) or None,
        label("cat", category, lang) or None,
        label("color", color, lang) or None,
        temp,
        retest,
        label("decision", decision, lang) or None,
        label("reason", reason, lang) or None,
        override or None,
        label("disp", disposition, lang) or None,
        (mask_name(name) if masked else name) or None,
        (mask_id(idn) if masked else idn) or None,
        "-".join(str(x) for x in (building, unit, room) if x) or None,
        volunteer,
        note or None,
        clock_cell(clock_suspect, clock_trusted_utc, clock_offset_s, lang),
        backfill_cell(backfill_page, entered_utc, entered_by, lang),
    ]


def backfill_cell(page: Any, entered_utc: str | None, by: str | None, lang: str) -> str | None:
    """补录 with the paper page, and when and by whom it was typed in (#17)."""
    if page is None:
        return None
    when = (entered_utc or "")[:16].replace("T", " ")
    return t("backfill_cell", lang, page=page, when=when, who=by or "-")


def clock_cell(suspect: Any, trusted_utc: str | None, offset_s: Any, lang: str) -> str | None:
    """A passage written while the clock was in doubt (#17): when the clock was last trusted
    and the seconds counted since then, from which its real time can be worked out."""
    if not suspect:
        return None
    if not trusted_utc:
        return t("clock_suspect_cell_bare", lang)
    return t(
        "clock_suspect_cell", lang, trusted=trusted_utc[:19].replace("T", " "), offset=offset_s
    )


def summary_rows(report: Report, lang: str, masked: bool) -> list[list[Any]]:
    """The summary sheet: totals, categories, hours, reasons, shifts, the shift log."""
    tt = report.totals
    rows: list[list[Any]] = [
        [t("report_title", lang), report.checkpoint_name or report.checkpoint_id],
        [t("report_period", lang), f"{report.date_from} – {report.date_to}"],
        [],
        [t("report_totals", lang), t("col_count", lang)],
        [t("total_passages", lang), tt["passages"]],
        [t("total_pass_in", lang), tt["pass_in"]],
        [t("total_pass_out", lang), tt["pass_out"]],
        [t("total_refused", lang), tt["refused"]],
        [t("total_fever_checks", lang), tt["fever_checks"]],
        [t("total_watchlist", lang), tt["watchlist"]],
        [t("report_voided", lang), tt["voided"]],
        [t("total_backfilled", lang), tt.get("backfilled", 0)],
        [],
        [
            t("report_by_category", lang),
            t("col_direction", lang),
            t("decision_pass", lang),
            t("decision_refused", lang),
        ],
    ]
    for c in report.by_category:
        rows.append(
            [
                label("cat", c["category"], lang),
                label("dir", c["direction"], lang),
                c["passed"],
                c["refused"],
            ]
        )
    rows += [[], [t("report_by_hour", lang), t("col_count", lang)]]
    rows += [[f"{h:02d}:00", n] for h, n in enumerate(report.by_hour)]
    rows += [[], [t("report_refusals", lang), t("col_count", lang)]]
    rows += [[label("reason", r, lang), n] for r, n in report.refusal_reasons.items()]
    rows += [
        [],
        [
            t("report_shifts", lang),
            t("col_phone", lang),
            t("col_start", lang),
            t("col_end", lang),
            t("count_in", lang),
            t("count_out", lang),
            t("count_refused", lang),
            t("count_fever", lang),
            t("handover_notes", lang),
            t("col_acknowledged", lang),
        ],
    ]
    for s in report.shifts:
        c = s["counts"]
        phone = s["phone"] or ""
        rows.append(
            [
                s["volunteer"],
                mask_phone(phone) if masked else phone,
                local_dt(s["start_local"]),
                local_dt(s["end_local"]),
                c.get("in", 0),
                c.get("out", 0),
                c.get("refused", 0),
                c.get("fever", 0),
                s["handover_note"] or "",
                s["acknowledged_by"] or "",
            ]
        )
    rows += [[], [t("report_notes", lang), t("col_volunteer", lang), t("col_text", lang)]]
    rows += [[local_dt(e["ts_local"]), e["volunteer"], e["text"]] for e in report.log]
    return rows


def _person_cells(r: Any, masked: bool) -> list[Any]:
    """The PERSON_HEADERS cells of a fever or refusal row (names and IDs masked unless not)."""
    return [
        (mask_name(r["person_name"]) if masked else r["person_name"]) or "",
        (mask_id(r["id_number"]) if masked else r["id_number"]) or "",
        room_of(r),
        r["volunteer"],
        r["note"] or "",
    ]


def fever_refusal_rows(report: Report, lang: str, masked: bool) -> list[list[Any]]:
    """Fevers (first reading with re-test and disposition), then refusals that are not fevers."""
    rows: list[list[Any]] = []
    for f in report.fevers:
        outcome = (
            label("decision", f["decision"], lang) if f["decision"] else t("fever_pending", lang)
        )
        rows.append(
            [
                local_dt(f["ts_local"]),
                t("report_fevers", lang),
                f["temperature"],
                f["retest_temperature"],
                outcome,
                label("reason", "fever", lang) if f["decision"] == "refused" else "",
                label("disp", f["disposition"], lang),
                *_person_cells(f, masked),
            ]
        )
    for r in report.refusals:
        if r["fever_check_id"]:
            continue  # already listed with its fever
        rows.append(
            [
                local_dt(r["ts_local"]),
                t("report_refusals", lang),
                r["temperature"],
                None,
                label("decision", r["decision"], lang),
                label("reason", r["reason"], lang),
                label("disp", r["disposition"], lang),
                *_person_cells(r, masked),
            ]
        )
    rows.sort(key=lambda x: x[0] or datetime.min)
    return rows


FEVER_HEADERS = (
    "col_time",
    "col_kind",
    "col_temperature",
    "col_retest",
    "col_decision",
    "col_reason",
    "col_disposition",
    *PERSON_HEADERS,
)
