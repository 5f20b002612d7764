"""The server's rooms (#11): modules by job, none over 400 lines, templates autoescaped."""

from __future__ import annotations

from pathlib import Path

import pytest
from markupsafe import escape

from server.officer.pages import render

SERVER = Path(__file__).resolve().parents[2] / "server"


def test_no_server_module_over_400_lines():
    sizes = {
        p.relative_to(SERVER).as_posix(): len(p.read_text().splitlines())
        for p in SERVER.rglob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > 400} == {}


def test_officer_is_split_by_job():
    names = {p.name for p in (SERVER / "officer").glob("*.py")}
    assert {"auth.py", "queries.py", "pages.py", "exports.py"} <= names
    assert {"base.html", "login.html", "dashboard.html", "pairing.html"} <= {
        p.name for p in (SERVER / "officer" / "templates").glob("*.html")
    }


@pytest.mark.parametrize("evil", ["<script>alert(1)</script>", "'><img src=x onerror=alert(1)>"])
def test_templates_escape_what_gates_send(evil):
    gate = {
        "device_id": evil,
        "name": evil,
        "enrolled_via": evil,
        "last_sync": evil,
        "acked_seq": 1,
        "max_seq": 1,
        "gaps": [],
        "revoked": 0,
        "gap_text": "—",
        "day": {"in": 0, "out": 0, "refused": 0, "fevers": 0},
        "count_text": evil,
        "quarantined": 0,
    }
    page = render(
        "dashboard.html",
        "zh",
        "officer_title",
        day=evil,
        heads=(),
        zone_name="Asia/Shanghai",
        gates=[gate],
        quarantine=[],
        message=evil,
        ack_for=evil,
        csrf_field="",
    ).body.decode()
    assert "<script>" not in page and "<img" not in page
    assert f"data-device='{escape(evil)}'" in page  # the quote cannot close the attribute
