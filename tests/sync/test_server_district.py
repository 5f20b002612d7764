"""The officer page for a district (#15) over HTTP: totals, compounds, 失联 gates, the filter,
gate codes (enrolment, migration, command line), revoke confirmed and audited; 补录 and
clock-suspect records shown and exported, and a gate's daily report verified on upload (#17)."""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta, timezone

import pytest

from app import gate_code
from app.clock import FakeClock
from app.ids import uuid7
from app.sync.bundle import export_bundle
from db import outbox
from db.connection import transaction
from server import devices
from server.acks import AckError, find_device
from server.audit import audit_log
from server.bundles import import_bundle
from server.officer import set_officer
from server.run import ServerThread
from server.store import MIGRATIONS, SqliteStore
from tests.fakes.district import make_district

from .conftest import desk_day, enrol_offline_gate
from .test_server_trust import PASSWORD, _multipart, csrf_of, http_login, opener, status_of

SQLITE_ONLY = pytest.mark.parametrize("store", ["sqlite"], indirect=True)
DAY = "2026-11-29"
NOW = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
CST = timezone(timedelta(hours=8))


def _page(op, url: str, query: str = "") -> str:
    return op.open(f"{url}/?date={DAY}{query}", timeout=30).read().decode()


def _totals(page: str) -> dict[str, int]:
    found = re.findall(r"id='total-(\w+)'><dt>[^<]*</dt><dd>(\d+)</dd>", page)
    return {k: int(v) for k, v in found}


def _rows(page: str) -> list[str]:
    return re.findall(r"<tr class='gate [^']*'.*?</tr>", page, re.S)


@SQLITE_ONLY
def test_totals_groups_and_silent_gates_then_the_filter(store, monkeypatch):
    monkeypatch.delenv("GATEPOST_SILENT_MINUTES", raising=False)
    set_officer(store, "jiedao", PASSWORD)
    made = make_district(store, 40, DAY, NOW)
    with ServerThread(store, clock=FakeClock(NOW)) as srv:
        op = opener()
        http_login(op, srv.url)
        page = _page(op, srv.url)
        totals = _totals(page)
        want = {k: made.totals.get(k, 0) for k in totals}
        assert totals == want and totals["gates"] == 40 and totals["silent"] == len(made.silent)
        assert totals["silent"] > 0 and totals["backfill"] > 0 and totals["voids"] > 0
        assert "class='total bad' id='total-silent'" in page  # the count of 失联 in red
        # grouped by compound, 未分组 last, every gate once
        compounds = re.findall(r"<tbody class='compound' data-compound='([^']*)'>", page)
        assert compounds[-1] == "未分组" and len(compounds) == len(set(compounds)) > 2
        assert "鼓楼街道 · 东街社区" in compounds
        rows = _rows(page)
        assert len(rows) == 40
        silent_rows = [r for r in rows if r.startswith("<tr class='gate is-silent'")]
        assert {re.search(r"data-device='([^']+)'", r)[1] for r in silent_rows} == set(made.silent)
        assert all("失联" in r and "class='state bad'" in r for r in silent_rows)
        # the filter: 失联 only; a gate by its code typed loosely; a compound
        only = _page(op, srv.url, "&state=silent")
        assert len(_rows(only)) == len(made.silent)
        assert f"显示 {len(made.silent)} / 40 个卡口" in only
        one = find_device(store, made.gates[3]["device_id"])
        typed = gate_code.shown(one["gate_code"]).lower()
        found = _rows(_page(op, srv.url, "&q=" + urllib.parse.quote(typed)))
        assert len(found) == 1 and one["device_id"] in found[0]
        assert f"<code class='code'>{gate_code.shown(one['gate_code'])}</code>" in found[0]
        # the threshold is a setting: at 6 hours nobody here is silent
        monkeypatch.setenv("GATEPOST_SILENT_MINUTES", "360")
    with ServerThread(store, clock=FakeClock(NOW)) as srv:
        op = opener()
        http_login(op, srv.url)
        assert _totals(_page(op, srv.url))["silent"] == 0


@SQLITE_ONLY
def test_sorting_by_a_count_reorders_the_gates_within_their_groups(store):
    set_officer(store, "jiedao", PASSWORD)
    make_district(store, 12, DAY, NOW, ungrouped_every=1)  # one group: 未分组
    with ServerThread(store, clock=FakeClock(NOW)) as srv:
        op = opener()
        http_login(op, srv.url)
        for order, reverse in (("", False), ("&order=desc", True)):
            rows = _rows(_page(op, srv.url, "&sort=in" + order))
            ins = [int(re.search(r"class='n-in[^']*'>(\d+)<", r)[1]) for r in rows]
            assert ins == sorted(ins, reverse=reverse) and len(ins) == 12
        english = _page(op, srv.url, "&lang=en&sort=in")
        assert "<dt>Backfilled</dt>" in english and "Ungrouped" in english
        assert "href='?date=2026-11-29&amp;lang=en&amp;sort=in&amp;order=desc'" in english


def test_the_gate_code_comes_from_the_device_id_and_a_taken_one_is_refused(
    store, gate, monkeypatch
):
    code = devices.enrol_offline(store, "gate-a", "ab" * 32, officer="test")
    assert code == gate_code.derive("gate-a") and gate_code.valid(code)
    monkeypatch.setattr(gate_code, "derive", lambda device_id, attempt=0: code)
    with pytest.raises(devices.EnrolError) as err:
        devices.enrol_offline(store, "gate-b", "cd" * 32, officer="test")
    assert err.value.reason == "gate_code_taken"
    assert devices.get_device(store, "gate-b") is None
    text = devices.new_enrolment(store, "http://127.0.0.1:1")
    pairing = urllib.parse.parse_qs(text.split("?", 1)[1])["code"][0]
    with pytest.raises(devices.EnrolError):  # the same over the network: the code stays unused
        devices.enrol(store, pairing, "gate-c", "ef" * 32)
    monkeypatch.undo()
    devices.enrol(store, pairing, "gate-c", "ef" * 32)
    assert find_device(store, gate_code.derive("gate-c"))["device_id"] == "gate-c"


def test_gates_enrolled_before_codes_get_unique_derived_ones(tmp_path, monkeypatch):
    store = SqliteStore(tmp_path / "old.db")
    monkeypatch.setattr("server.store.MIGRATIONS", MIGRATIONS[:3])  # the schema before #15
    store.migrate()
    with store.tx() as tx:
        for device_id, at in (
            ("b-gate", "2026-01-02"),
            ("a-gate", "2026-01-01"),
            ("c", "2026-01-03"),
        ):
            tx.execute(
                "INSERT INTO devices(device_id, public_key, key_id, enrolled_via, enrolled_utc) "
                "VALUES (?, 'k', 'id', 'bundle', ?)",
                (device_id, at),
            )
    monkeypatch.setattr("server.store.MIGRATIONS", MIGRATIONS)
    real = gate_code.derive
    # a-gate and b-gate collide: the one enrolled first keeps the code its window shows
    monkeypatch.setattr(
        gate_code, "derive", lambda d, attempt=0: real("a-gate" if d == "b-gate" else d, attempt)
    )
    store.migrate()
    with store.tx() as tx:
        codes = {r["device_id"]: r["gate_code"] for r in tx.execute("SELECT * FROM devices")}
    assert codes == {"a-gate": real("a-gate"), "b-gate": real("a-gate", 1), "c": real("c")}
    store.close()


def test_the_command_line_takes_a_code_and_refuses_an_ambiguous_start(tmp_path, capsys):
    import main
    from server.run import store_for

    srv = tmp_path / "srv"
    args = ["--data-dir", str(srv), "--lang", "en"]
    for n in (1, 2):
        assert main.main([*args, "enrol-gate", f"01a22967-{n}", f"{n}{n}" * 32,
                          "--name", f"{n}号门", "--street", "鼓楼街道"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    first = gate_code.derive("01a22967-1")
    assert gate_code.shown(first) in out
    assert main.main([*args, "revoke", "01a22967"]) == 1  # the start of both ids
    err = capsys.readouterr().err
    second = gate_code.derive("01a22967-2")
    assert err.startswith("“01a22967” fits several gates (")
    assert gate_code.shown(first) in err and gate_code.shown(second) in err
    dest = tmp_path / "acks"
    dest.mkdir()
    assert main.main([*args, "bundle", "ack", "--device", "01a22967", "--out", str(dest)]) == 1
    assert "fits several gates" in capsys.readouterr().err
    assert main.main([*args, "bundle", "ack", "--device", second, "--out", str(dest)]) == 0
    assert len(list(dest.iterdir())) == 1  # the ack of the gate named by its code
    assert main.main([*args, "revoke", gate_code.shown(first).lower()]) == 0
    store = store_for(srv)
    try:
        assert devices.get_device(store, "01a22967-1").revoked
        assert not devices.get_device(store, "01a22967-2").revoked
        assert find_device(store, second[:4])["device_id"] == "01a22967-2"
        row = find_device(store, second)
        assert (row["street"], row["community"]) == ("鼓楼街道", "")
        (revoked,) = [json.loads(r["detail"]) for r in audit_log(store, "revoke")]
        assert revoked["gate_code"] == first  # the command line's revoke is audited too
        with pytest.raises(AckError):
            find_device(store, "ZZZZZZ")
    finally:
        store.close()


@SQLITE_ONLY
def test_revoke_asks_on_its_own_page_and_is_audited(store, gate):
    set_officer(store, "jiedao", PASSWORD)
    code = devices.enrol_offline(store, gate.device.device_id, "ab" * 32, "东门", officer="t")
    with ServerThread(store) as srv:
        op = opener()
        http_login(op, srv.url)
        url = f"{srv.url}/devices/{gate.device.device_id}/revoke"
        ask = op.open(url, timeout=10).read().decode()  # the page's 吊销 link
        assert "确定吊销卡口 东门 · " + gate_code.shown(code) in ask and "revoke-yes" in ask
        token = csrf_of(op, srv.url)
        assert status_of(op, url, {"csrf": token}) == 200  # no confirmation: asked again
        missing = urllib.request.Request(f"{srv.url}/devices/nosuchgate/revoke")
        with pytest.raises(urllib.error.HTTPError) as err:
            op.open(missing, timeout=10)
        assert err.value.code == 404 and "nosuchgate" in err.value.read().decode()
        assert not devices.get_device(store, gate.device.device_id).revoked
        assert audit_log(store, "revoke") == []
        assert status_of(op, url, {"csrf": token, "confirm": "yes"}) == 200
        assert devices.get_device(store, gate.device.device_id).revoked
        (entry,) = audit_log(store, "revoke")
        assert entry["username"] == "jiedao"
        assert json.loads(entry["detail"])["gate_code"] == code


def _passage(conn, kind: str = "passage", **extra) -> str:
    body = {"id": uuid7(), "local_date": DAY, "direction": "in", "decision": "pass", **extra}
    outbox.append(conn, body["id"], kind, body, "2026-11-29T00:00:00Z")
    return body["id"]


@SQLITE_ONLY
def test_backfilled_and_clock_suspect_records_are_shown_and_exported(store, gate, tmp_path):
    set_officer(store, "jiedao", PASSWORD)
    with transaction(gate.conn):
        _passage(gate.conn)
        _passage(gate.conn, "passage_backfill", backfill_page=3)
        _passage(gate.conn, clock_suspect=1, clock_offset_s=61.5)
        voided = _passage(gate.conn, "passage_backfill", backfill_page=3)
        void = {"id": uuid7(), "target_id": voided}
        outbox.append(gate.conn, void["id"], "void", void, "t")
    enrol_offline_gate(store, gate.conn)
    import_bundle(store, export_bundle(gate.conn, tmp_path))
    with ServerThread(store) as srv:
        op = opener()
        http_login(op, srv.url)
        page = _page(op, srv.url)
        csv_text = op.open(f"{srv.url}/export.csv?date={DAY}", timeout=10).read().decode()
    (row,) = _rows(page)
    cells = {k: re.search(rf"class='n-{k}[^']*'>(\d+)<", row)[1] for k in ("in", "voids")}
    assert cells == {"in": "3", "voids": "1"}
    assert "class='n-backfill mark'>1<" in row  # 补录, marked
    assert "class='n-clock_suspect bad'>1<" in row  # 时钟异常, in red
    assert "补录通行 2" in row and "通行 2" in row  # the kinds in Chinese
    totals = _totals(page)
    assert (totals["backfill"], totals["clock_suspect"], totals["voids"]) == (1, 1, 1)
    rows = list(csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff"))))
    marks = [(r["kind"], r["backfill"], r["clock_suspect"], r["voided"]) for r in rows]
    assert marks[:4] == [
        ("passage", "", "", ""),
        ("passage_backfill", "backfill p.3", "", ""),
        ("passage", "", "clock_suspect", ""),
        ("passage_backfill", "backfill p.3", "", "voided"),
    ]


# ----------------------------------------------------------------- the report, verified (#17)
def _signed_report(gate, tmp_path, name: str = "d.csv"):
    """A real gate's day: two desk passages and one 补录, exported as a signed CSV, and as an
    XLSX beside it."""
    from app.gate.backfill import PaperEntry, open_session

    _, desk, ident, reports = desk_day(gate, 2)
    entry = PaperEntry(datetime(2026, 11, 29, 5, 40, tzinfo=CST), page=2, identity=ident)
    open_session(desk, "246810").add(entry)
    out = tmp_path / name
    reports.export("csv", out, DAY, pin="246810")
    reports.export("xlsx", out.with_suffix(".xlsx"), DAY, pin="246810")
    return out


def _upload(op, url: str, name: str, data: bytes) -> tuple[int, str]:
    body, ctype = _multipart({"csrf": csrf_of(op, url)}, name, data, field="report")
    req = urllib.request.Request(
        f"{url}/reports/verify", data=body, method="POST", headers={"Content-Type": ctype}
    )
    try:
        reply = op.open(req, timeout=30)
    except urllib.error.HTTPError as err:
        return err.code, ""
    page = reply.read().decode()
    return reply.status, re.search(r"<div id='verify-result'.*?</div>", page, re.S)[0]


@SQLITE_ONLY
def test_an_uploaded_report_is_checked_against_its_gate_and_the_server(
    store, gate, tmp_path, monkeypatch
):
    from app.database import open_database

    set_officer(store, "jiedao", PASSWORD)
    report = _signed_report(gate, tmp_path)
    enrol_offline_gate(store, gate.conn)
    import_bundle(store, export_bundle(gate.conn, tmp_path))
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    edited_at = next(i for i, line in enumerate(lines) if "36.5" in line)
    lines[edited_at] = lines[edited_at].replace("36.5", "36.1", 1)
    (tmp_path / "other").mkdir()
    other = open_database(tmp_path / "other")  # a gate the server never enrolled
    foreign = _signed_report(other, tmp_path, "foreign.csv").read_bytes()
    other.close()
    with ServerThread(store) as srv:
        op = opener()
        http_login(op, srv.url)
        status, said = _upload(op, srv.url, "../东门 11-29.csv", report.read_bytes())
        assert status == 200 and "class='ok'" in said and "一致：东门_11-29.csv" in said
        assert "一致" in said and "卡口签名 3 条，服务器收到 3 条，一致" in said
        edited = "\n".join(lines).encode("utf-8-sig")
        status, said = _upload(op, srv.url, "d.csv", edited)
        assert status == 200 and "class='bad'" in said
        assert f"第 {edited_at + 1} 行" in said  # the edited row, by its line number
        status, said = _upload(op, srv.url, "foreign.csv", foreign)
        assert status == 200 and "class='bad'" in said and "拒绝：此报表由另一门岗的密钥" in said
        status, said = _upload(op, srv.url, "d.xlsx", report.with_suffix(".xlsx").read_bytes())
        assert status == 200 and "class='ok'" in said and "一致" in said
        status, said = _upload(op, srv.url, "junk.xlsx", b"not a workbook")
        assert status == 200 and "无法读取 junk.xlsx" in said
        status, said = _upload(op, srv.url, "d.txt", report.read_bytes())
        assert "CSV、XLSX 或 PDF" in said
        import server.officer.pages as pages

        monkeypatch.setattr(pages, "REPORT_BODY", 1000)
    with ServerThread(store) as srv:
        op = opener()
        http_login(op, srv.url)
        assert _upload(op, srv.url, "d.csv", report.read_bytes())[0] == 413
    verified = [json.loads(r["detail"])["ok"] for r in audit_log(store, "report_verified")]
    assert verified == [True, False, False, True, False, False]


def test_the_server_will_not_start_with_a_bad_silent_threshold(tmp_path, monkeypatch, capsys):
    import main

    monkeypatch.setenv("GATEPOST_SILENT_MINUTES", "2h")
    assert main.main(["--data-dir", str(tmp_path), "server", "--port", "1"]) == 2
    assert "GATEPOST_SILENT_MINUTES" in capsys.readouterr().err


@SQLITE_ONLY
def test_the_enrol_forms_put_the_gate_in_its_compound(store):
    set_officer(store, "jiedao", PASSWORD)
    with ServerThread(store) as srv:
        op = opener()
        http_login(op, srv.url)
        fields = {"device_id": "gate-x", "public_key": "ab" * 32, "name": "北门"}
        where = {"street": "台江街道", "community": "南街社区"}
        form = {**fields, **where, "csrf": csrf_of(op, srv.url)}
        assert status_of(op, f"{srv.url}/devices/enrol", form) == 200
        token = csrf_of(op, srv.url)
        page = (
            op.open(
                urllib.request.Request(
                    f"{srv.url}/enrol-code",
                    data=urllib.parse.urlencode(
                        {**where, "street": "鼓楼街道", "csrf": token}
                    ).encode(),
                ),
                timeout=10,
            )
            .read()
            .decode()
        )
        text = re.search(r"<code id='enrol-text'>([^<]+)</code>", page)[1].replace("&amp;", "&")
        pairing = urllib.parse.parse_qs(text.split("?", 1)[1])["code"][0]
        devices.enrol(store, pairing, "gate-y", "cd" * 32, "东门")
        listed = _page(op, srv.url)
    compound = {
        d: (find_device(store, d)["street"], find_device(store, d)["community"])
        for d in ("gate-x", "gate-y")
    }
    assert compound == {"gate-x": ("台江街道", "南街社区"), "gate-y": ("鼓楼街道", "南街社区")}
    assert "data-compound='台江街道 · 南街社区'" in listed
    assert "data-compound='鼓楼街道 · 南街社区'" in listed


@SQLITE_ONLY
def test_quarantined_events_name_their_gate_by_its_code(store):
    set_officer(store, "jiedao", PASSWORD)
    code = devices.enrol_offline(store, "01a22967-aaaa", "ab" * 32, officer="t")
    with store.tx() as tx:
        tx.execute(
            "INSERT INTO quarantine(device_id, seq, event_id, kind, body, created_utc, prev_hash, "
            "hash, reason, received_utc) VALUES ('01a22967-aaaa', 5, 'e5', 'passage_backfill', "
            "'{}', 't', 'p', 'h', 'bad_hash', '2026-11-29T01:00:00Z')"
        )
    with ServerThread(store) as srv:
        op = opener()
        http_login(op, srv.url)
        page = _page(op, srv.url)
    row = re.search(r"<tr class='quarantined'>.*?</tr>", page)[0]
    assert f"<code>{gate_code.shown(code)}</code>" in row and "补录通行" in row
