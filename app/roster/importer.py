"""The roster importer's public names, kept where callers look for them (#11 item 5).

The work lives in app/roster/importing/: read.py (file → rows, bounded), plan.py (map and
check, no writes), apply.py (batched writes + error report) and export.py (export-residents).
"""

from __future__ import annotations

from app.roster.importing.apply import (
    BATCH,
    ImportResult,
    apply,
    report_path_for,
    write_report,
)
from app.roster.importing.export import EXPORT_HEADERS, STATUS_WORDS, export_csv
from app.roster.importing.plan import COMPARED, Plan, PlannedRow, Rejection, plan
from app.roster.importing.read import (
    HEADER_ALIASES,
    HEADER_SCAN_ROWS,
    find_header,
    map_header,
    parse_address,
    read_table,
)

__all__ = [
    "BATCH",
    "COMPARED",
    "EXPORT_HEADERS",
    "HEADER_ALIASES",
    "HEADER_SCAN_ROWS",
    "STATUS_WORDS",
    "ImportResult",
    "Plan",
    "PlannedRow",
    "Rejection",
    "apply",
    "export_csv",
    "find_header",
    "map_header",
    "parse_address",
    "plan",
    "read_table",
    "report_path_for",
    "write_report",
]
