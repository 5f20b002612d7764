"""The subdistrict officer's pages, by job: auth (logins, sessions), queries (what the pages
read), pages (routes and Jinja2 templates), exports (the day's CSV/XLSX)."""

from server.officer.auth import check_officer, set_officer
from server.officer.pages import officer_routes
from server.officer.queries import (
    EXPORT_COLUMNS,
    day_numbers,
    export_rows,
    gaps,
    gate_rows,
    local_time,
    server_tz,
)

__all__ = [
    "EXPORT_COLUMNS",
    "check_officer",
    "day_numbers",
    "export_rows",
    "gaps",
    "gate_rows",
    "local_time",
    "officer_routes",
    "server_tz",
    "set_officer",
]
