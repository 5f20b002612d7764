"""The officer's page over HTTP: login, gates with gaps, counts, exports masked, quarantine."""

from __future__ import annotations

import csv
import http.cookiejar
import io
import json
import urllib.parse
import urllib.request

import pytest

from app.ids import uuid7
from app.sync.bundle import export_bundle
from db import outbox
from db.connection import transaction
from server.bundles import import_bundle
from server.officer import set_officer
from server.run import ServerThread


@pytest.fixture
def site(store, gate, tmp_path):
    set_officer(store, "jiedao", "correct horse")
    with transaction(gate.conn):
        for _ in range(6):
            body = {
                "id": uuid7(),
                "local_date": "2026-11-29",
                "direction": "in",
                "category": "resident",
                "decision": "pass",
                "person_name": "张三丰",
                "id_number": "350203199001011234",
                "temperature": 36.5,
            }
            outbox.append(gate.conn, body["id"], "passage", body, "2026-11-29T00:00:00Z")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = export_bundle(gate.conn, tmp_path / "a")  # seq 1..6
    with transaction(gate.conn):
        for _ in range(4):
            outbox.append(gate.conn, uuid7(), "shift_event", {"local_date": "2026-11-29"}, "t")
    later = export_bundle(gate.conn, tmp_path / "b", from_seq=9)  # 9..10: 7..8 missing
    import_bundle(store, first)
    import_bundle(store, later)
    with ServerThread(store) as srv:
        yield srv


def opener():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def login(op, url, password="correct horse"):
    data = urllib.parse.urlencode({"username": "jiedao", "password": password}).encode()
    return op.open(f"{url}/login", data=data, timeout=10)


def test_wrong_password_and_no_session_see_nothing(site):
    op = opener()
    page = login(op, site.url, "wrong").read().decode()
    assert "用户名或密码不对" in page and "gates" not in page
    with pytest.raises(urllib.error.HTTPError) as err:
        op.open(f"{site.url}/export.csv?date=2026-11-29", timeout=10)
    assert err.value.code == 401


def test_dashboard_shows_gap_counts_and_exports_are_masked(site, gate):
    op = opener()
    assert "gates" in login(op, site.url).read().decode()
    page = op.open(f"{site.url}/?date=2026-11-29", timeout=10).read().decode()
    assert gate.device.device_id in page
    assert "7–8" in page  # the gap
    assert "passage 6 · shift_event 2" in page
    raw = op.open(f"{site.url}/export.csv?date=2026-11-29", timeout=10).read()
    assert raw.startswith("\ufeff".encode())  # opens right in Excel / WPS
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    passages = [r for r in rows if r["kind"] == "passage"]
    assert len(passages) == 6 and len(rows) == 8
    assert passages[0]["id_number"] == "3502**********1234"
    assert passages[0]["person_name"] != "张三丰" and "350203199001011234" not in raw.decode()
    from openpyxl import load_workbook

    xlsx = op.open(f"{site.url}/export.xlsx?date=2026-11-29", timeout=10).read()
    ws = load_workbook(io.BytesIO(xlsx)).active
    values = list(ws.values)
    assert len(values) == 9 and values[0][0] == "gate"


def test_pairing_page_gives_a_working_code(site, gate):
    from app.sync.transport import HttpTransport
    from tests.sync.conftest import make_client

    op = opener()
    login(op, site.url)
    page = (
        op.open(
            urllib.request.Request(f"{site.url}/enrol-code", data=b"", method="POST"), timeout=10
        )
        .read()
        .decode()
    )
    assert "<svg" in page
    text = page.split("id='enrol-text'>")[1].split("<")[0].replace("&amp;", "&")
    client = make_client(gate.conn, HttpTransport(timeout=5))
    ident = client.enrol(text, "北门")
    assert ident.server_url == site.url
    head = json.loads(
        urllib.request.urlopen(
            urllib.request.Request(
                f"{site.url}/api/v1/head",
                headers={
                    "Authorization": f"Bearer {ident.token}",
                    "X-Gatepost-Device": ident.device_id,
                },
            )
        ).read()
    )
    assert head["acked_seq"] == 6
