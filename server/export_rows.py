"""An event as a row of the officer's day export: which columns, what each cell holds (personal
data masked, formulas neutralised), and the row's CSV text written once, at ingest (#15).

The CSV of a district day is 10 million rows. Decoding each body, masking and quoting it at
export time cost ~11 µs a row in Python (under 100k rows/s); the cells never change once the
event is stored, so ingest writes them beside the body (`events.export_head`, the body's cells,
and `events.export_tail`, the 补录 and clock cells) and the export only joins them with what
can change (the gate's name, whether the passage was voided since). A row whose cells were not
stored (stored before s007, or cells PostgreSQL cannot hold) is built from its body at export
time, by the same functions: the bytes are the same either way.

Changing what a cell holds means the stored cells are stale: a migration must set both
columns to NULL (the export then rebuilds them from the bodies).
"""

from __future__ import annotations

import collections
import csv
import io
import operator
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec

from app.cells import csv_safe_row
from app.privacy import mask_id, mask_name, mask_phone
from app.sync.protocol import storable_text
from server.rollups import BACKFILL_KIND, PASSAGE_KINDS, body_of

EXPORT_COLUMNS = (
    "gate",
    "device_id",
    "seq",
    "kind",
    "ts_local",
    "direction",
    "category",
    "code_color",
    "decision",
    "reason",
    "temperature",
    "person_name",
    "id_number",
    "phone",
    "building",
    "unit",
    "room",
    "volunteer",
    "voided",
    "backfill",  # #17: 补录 from the paper register: "backfill p.<sheet page>"
    "clock_suspect",  # #17: written while the gate's clock was in doubt
)
# taken from the event body as they are, but for MASKS
BODY_COLUMNS = EXPORT_COLUMNS[4 : EXPORT_COLUMNS.index("voided")]
MASKS = (("person_name", mask_name), ("id_number", mask_id), ("phone", mask_phone))
_MASKED = [(BODY_COLUMNS.index(c), f) for c, f in MASKS]
N_BODY = len(BODY_COLUMNS)

# what an export reads from a body; msgspec skips every other field without building it
BODY_FIELDS = (*BODY_COLUMNS, "backfill_page", "clock_suspect")
_ExportBody = msgspec.defstruct("_ExportBody", [(f, Any, None) for f in BODY_FIELDS])
_decode_body = msgspec.json.Decoder(_ExportBody).decode
_body_values = operator.attrgetter(*BODY_FIELDS)
_dict_values = operator.itemgetter(*BODY_FIELDS)


def values_of(body: dict[str, Any]) -> tuple[Any, ...]:
    """The values of BODY_FIELDS in a parsed body (None where absent)."""
    return _dict_values(collections.defaultdict(type(None), body))


def export_fields(text: Any) -> tuple[Any, ...]:
    """The values of BODY_FIELDS in a body's text, as `values_of(body_of(text))` gives them:
    msgspec for speed, json (body_of) for whatever msgspec refuses or reads otherwise (not an
    object, NaN, out-of-range numbers, lone surrogates, bad JSON)."""
    try:
        return _body_values(_decode_body(text))
    except (msgspec.DecodeError, msgspec.ValidationError, TypeError):
        return values_of(body_of(text))


def body_cells(values: Sequence[Any]) -> list[Any]:
    """The body's columns of the row (BODY_COLUMNS), personal data masked."""
    cells = list(values[:N_BODY])
    for i, mask in _MASKED:
        value = cells[i]
        # a number, list or true sent where text belongs is masked as the text it would be
        # written as (an ID number sent as a JSON number is still an ID number)
        cells[i] = mask(value if value is None or isinstance(value, str) else str(value))
    return cells


def tail_cells(kind: str, values: Sequence[Any]) -> list[str]:
    """The 补录 and clock columns (after "voided")."""
    return [
        f"backfill p.{values[N_BODY]}" if kind == BACKFILL_KIND else "",
        "clock_suspect" if values[N_BODY + 1] else "",
    ]


def voided_cell(kind: str, voided: Any) -> str:
    """ "voided" for a passage a void event names (the page's counts leave it out the same way)."""
    return "voided" if voided is not None and kind in PASSAGE_KINDS else ""


def raw_row(
    name: str, device_id: str, seq: Any, kind: str, values: Sequence[Any], voided: Any
) -> list[Any]:
    """The whole row, before neutralising (None where a body has no value)."""
    return [
        name,
        device_id,
        seq,
        kind,
        *body_cells(values),
        voided_cell(kind, voided),
        *tail_cells(kind, values),
    ]


class CsvLine:
    """Cells as one CSV line's text (neutralised, quoted as `csv.writer` quotes them, no line
    end): the same text whether a row is written whole or joined from parts with commas."""

    def __init__(self) -> None:
        self._buf = io.StringIO()
        # the export's own line end: csv quotes a cell holding any of its characters
        self._writer = csv.writer(self._buf, lineterminator="\r\n")

    def __call__(self, cells: Iterable[Any]) -> str:
        row = csv_safe_row(cells)
        if row == [""]:  # csv writes a row's only empty cell as "" (a blank line is no row);
            return ""  # as a part of a longer row it is empty, as the whole row writes it
        self._buf.seek(0)
        self._buf.truncate()
        self._writer.writerow(row)
        return self._buf.getvalue()[:-2]


def storable(text: str) -> str | None:
    """Text PostgreSQL (and the export's UTF-8) can hold: a lone surrogate becomes "?", as the
    export writes it; text with a NUL cannot be stored (None: built at export time)."""
    if storable_text(text):
        return text
    if "\x00" in text:
        return None
    return text.encode("utf-8", "replace").decode("utf-8")


def stored_cells(line: CsvLine, kind: str, body: dict[str, Any]) -> tuple[str | None, str | None]:
    """The export_head and export_tail ingest stores for an event (both None when either
    cannot be stored)."""
    values = values_of(body)
    head = storable(line(body_cells(values)))
    tail = storable(line(tail_cells(kind, values)))
    if head is None or tail is None:
        return None, None
    return head, tail
