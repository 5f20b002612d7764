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

from .conftest import enrol_offline_gate


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
    enrol_offline_gate(store, gate.conn)
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


def csrf_of(op, url) -> str:
    """The session's CSRF token, as the page's forms carry it."""
    page = op.open(f"{url}/", timeout=10).read().decode()
    return page.split("name='csrf' value='")[1].split("'")[0]


def post(op, url: str, fields: dict, csrf: str | None = None):
    """A form POST as the page sends it (with the session's CSRF token unless given)."""
    base = url.split("/", 3)
    token = csrf_of(op, "/".join(base[:3])) if csrf is None else csrf
    data = urllib.parse.urlencode({**fields, "csrf": token}).encode()
    return op.open(urllib.request.Request(url, data=data, method="POST"), timeout=10)


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
    assert "通行 6 · 值班 2" in page  # kinds in Chinese on the Chinese page (#15)
    english = op.open(f"{site.url}/?date=2026-11-29&lang=en", timeout=10).read().decode()
    assert "passage 6 · shift 2" in english
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
    page = post(op, f"{site.url}/enrol-code", {}).read().decode()
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


def _passage(conn, direction, decision="pass", day="2026-11-29"):
    body = {
        "id": uuid7(),
        "local_date": day,
        "direction": direction,
        "category": "resident",
        "decision": decision,
    }
    outbox.append(conn, body["id"], "passage", body, "2026-11-29T00:00:00Z")
    return body["id"]


def test_dashboard_shows_in_out_refused_fevers_per_gate_in_local_time(
    store, gate, tmp_path, monkeypatch
):
    """From the event bodies: voided passages and other days do not count; fever checks do."""
    monkeypatch.delenv("GATEPOST_SERVER_TZ", raising=False)
    set_officer(store, "jiedao", "correct horse")
    with transaction(gate.conn):
        for _ in range(3):
            _passage(gate.conn, "in")
        wrong = _passage(gate.conn, "in")
        _passage(gate.conn, "out")
        _passage(gate.conn, "out")
        _passage(gate.conn, "in", "refused")
        _passage(gate.conn, "out", day="2026-11-28")  # another day
        fever = {"id": uuid7(), "local_date": "2026-11-29", "temperature": 38.1}
        outbox.append(gate.conn, fever["id"], "fever_check", fever, "t")
        void = {"id": uuid7(), "target_id": wrong, "reason": "wrong_direction"}
        outbox.append(gate.conn, void["id"], "void", void, "t")
    enrol_offline_gate(store, gate.conn)
    import_bundle(store, export_bundle(gate.conn, tmp_path))
    with store.tx() as tx:
        tx.execute("UPDATE devices SET last_sync_utc = '2026-11-28T17:30:00.000Z'")
    for tz, shown in ((None, "2026-11-29 01:30:00"), ("Europe/London", "2026-11-28 17:30:00")):
        with ServerThread(store, tz=tz) as srv:
            op = opener()
            login(op, srv.url)
            page = op.open(f"{srv.url}/?date=2026-11-29", timeout=10).read().decode()
        row = page[page.index("<tr class='gate ") :]
        row = row[: row.index("</tr>")]
        cells = {
            k: row.split(f"class='n-{k}")[1].split(">")[1].split("<")[0]
            for k in ("in", "out", "refused", "fevers")
        }
        assert cells == {"in": "3", "out": "2", "refused": "1", "fevers": "1"}
        assert f"<td class='last-sync bad'>{shown}</td>" in row  # long ago: 失联
        assert f"({tz or 'Asia/Shanghai'})" in page
        assert "(UTC)" not in page


def test_officer_downloads_the_signed_ack_for_a_gate(site, gate, tmp_path):
    from app.sync.ack import import_ack

    op = opener()
    login(op, site.url)
    page = op.open(f"{site.url}/", timeout=10).read().decode()
    assert f"/devices/{gate.device.device_id}/ack" in page
    reply = op.open(f"{site.url}/devices/{gate.device.device_id[:8]}/ack", timeout=10)
    assert "attachment" in reply.headers["Content-Disposition"]
    path = tmp_path / "ack.json"
    path.write_bytes(reply.read())
    result = import_ack(gate.conn, path)
    assert result.acked_seq == 6  # 7..8 never arrived: only the contiguous part
    waiting = gate.conn.execute("SELECT min(seq) FROM outbox WHERE acked_utc IS NULL")
    assert waiting.fetchone()[0] == 7
    with pytest.raises(urllib.error.HTTPError) as err:
        op.open(f"{site.url}/devices/nobody/ack", timeout=10)
    assert err.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as err:
        opener().open(f"{site.url}/devices/{gate.device.device_id}/ack", timeout=10)
    assert err.value.code == 401


def test_an_unknown_time_zone_stops_the_server_with_its_name(tmp_path, capsys):
    import main

    assert main.main(["--data-dir", str(tmp_path), "server", "--tz", "Mars/Olympus"]) == 2
    assert "Mars/Olympus" in capsys.readouterr().err
