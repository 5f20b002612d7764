"""The server's rooms (#11): modules by job (sizes: tests/unit/test_module_sizes.py), templates
autoescaped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from markupsafe import escape

from server.officer import views
from server.officer.district import View
from server.officer.pages import render
from server.officer.queries import DAY_KEYS

SERVER = Path(__file__).resolve().parents[2] / "server"


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
        "gate_code": evil,
        "name": evil,
        "street": evil,
        "community": evil,
        "enrolled_via": evil,
        "enrolled_utc": evil,
        "last_seen": evil,
        "acked_seq": 1,
        "max_seq": 1,
        "gaps": [],
        "revoked": 0,
        "day": dict.fromkeys(DAY_KEYS, 0),
        "counts": {evil: 1},
        "quarantined": 0,
    }
    quarantined = {"device_id": evil, "seq": 1, "event_id": evil, "kind": evil}
    page_of = views.Page(evil, "zh", ZoneInfo("Asia/Shanghai"), datetime.now(UTC), timedelta(1))
    context = views.dashboard(
        [gate], [{**quarantined, "reason": evil, "received_utc": evil}], page_of, View(q=evil)
    )
    context["view"] = View()  # the filter box holds the text too: shown, not run
    page = render(
        "dashboard.html",
        "zh",
        "officer_title",
        **context,
        message=evil,
        ack_for=evil,
        csrf_field="",
    ).body.decode()
    page += render(
        "dashboard.html", "zh", "officer_title", **{**context, "view": View(q=evil)}
    ).body.decode()
    page += render(
        "revoke.html", "zh", "officer_revoke", gate={"device_id": evil, "name": evil, "code": evil}
    ).body.decode()
    page += render(
        "verify.html", "zh", "officer_verify", lines=[evil], ok=False, file=evil
    ).body.decode()
    assert "<script>" not in page and "<img" not in page
    assert f"data-device='{escape(evil)}'" in page  # the quote cannot close the attribute
