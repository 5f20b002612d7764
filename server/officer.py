"""The subdistrict officer's pages: login, every gate with its last sync and sequence gaps,
today's counts per gate, CSV/XLSX daily export across gates, quarantined events, bundle upload,
pairing codes. Plain server-rendered HTML; ID numbers, phones and names masked in exports."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import os
import secrets
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.i18n import t
from app.privacy import mask_id, mask_name, mask_phone
from app.sync.bundle import BundleRefused
from server.bundles import import_bundle
from server.devices import new_enrolment, revoke
from server.store import Store, utc_now

COOKIE = "gp_officer"
SESSION_HOURS = 12
ITERATIONS = 120_000
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
)


# ----------------------------------------------------------------- officers and sessions
def _pw_hash(password: str, salt: bytes) -> str:
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, ITERATIONS)
    return f"pbkdf2${ITERATIONS}${salt.hex()}${digest.hex()}"


def set_officer(store: Store, username: str, password: str) -> None:
    if not username or len(password) < 8:
        raise ValueError("a username and a password of 8 or more characters")
    hashed = _pw_hash(password, os.urandom(16))
    with store.tx() as tx:
        tx.execute(
            "INSERT INTO officers(username, password_hash, created_utc) VALUES (?, ?, ?) "
            "ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash",
            (username, hashed, utc_now()),
        )


def check_officer(store: Store, username: str, password: str) -> bool:
    with store.tx() as tx:
        row = tx.one("SELECT password_hash FROM officers WHERE username = ?", (username,))
    if row is None:
        _pw_hash(password, b"0" * 16)  # same time whether or not the user exists
        return False
    _, iterations, salt, _digest = row["password_hash"].split("$")
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(iterations))
    expected = f"pbkdf2${iterations}${salt}${digest.hex()}"
    return secrets.compare_digest(expected, row["password_hash"])


def _new_session(store: Store, username: str) -> str:
    token = secrets.token_urlsafe(32)
    expires = (datetime.now(UTC) + timedelta(hours=SESSION_HOURS)).isoformat()
    with store.tx() as tx:
        tx.execute(
            "INSERT INTO sessions(token_hash, username, expires_utc) VALUES (?, ?, ?)",
            (hashlib.sha256(token.encode()).hexdigest(), username, expires),
        )
    return token


def _session_user(store: Store, request: Request) -> str | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    with store.tx() as tx:
        row = tx.one(
            "SELECT username, expires_utc FROM sessions WHERE token_hash = ?",
            (hashlib.sha256(token.encode()).hexdigest(),),
        )
    if row is None or row["expires_utc"] < datetime.now(UTC).isoformat():
        return None
    return str(row["username"])


# ----------------------------------------------------------------- queries
def gaps(store: Store, device_id: str, limit: int = 5) -> list[tuple[int, int]]:
    """Missing sequence ranges below the highest one received (events or quarantine)."""
    with store.tx() as tx:
        rows = tx.execute(
            "SELECT seq, prev FROM (SELECT seq, LAG(seq, 1, 0) OVER (ORDER BY seq) AS prev "
            "FROM (SELECT seq FROM events WHERE device_id = ? UNION "
            "SELECT seq FROM quarantine WHERE device_id = ?) s) w WHERE seq - prev > 1 "
            "ORDER BY seq LIMIT ?",
            (device_id, device_id, limit),
        )
    return [(int(r["prev"]) + 1, int(r["seq"]) - 1) for r in rows]


DEFAULT_TZ = "Asia/Shanghai"
TZ_ENV = "GATEPOST_SERVER_TZ"


def server_tz(name: str | None = None) -> ZoneInfo:
    """The officer's local time zone: the argument, $GATEPOST_SERVER_TZ, else Asia/Shanghai.
    An unknown name is a ValueError naming it (the server refuses to start with it)."""
    name = name or os.environ.get(TZ_ENV) or DEFAULT_TZ
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone: {name}") from None


def local_time(utc_text: str | None, tz: ZoneInfo) -> str:
    """A stored UTC instant as the officer's wall-clock time (unchanged if unreadable)."""
    if not utc_text:
        return ""
    try:
        when = datetime.fromisoformat(str(utc_text).replace("Z", "+00:00"))
    except ValueError:
        return str(utc_text)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def _body(text: Any) -> dict[str, Any]:
    try:
        body = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return body if isinstance(body, dict) else {}


def day_numbers(store: Store, day: str) -> dict[str, dict[str, int]]:
    """Per gate, that day's passages in / out (let through), refused, and fever checks, from the
    event bodies; a voided passage does not count."""
    with store.tx() as tx:
        rows = tx.execute(
            "SELECT device_id, event_id, kind, body FROM events WHERE local_date = ? "
            "AND kind IN ('passage', 'fever_check')",
            (day,),
        )
        voids = tx.execute("SELECT device_id, body FROM events WHERE kind = 'void'")
    voided = {(v["device_id"], _body(v["body"]).get("target_id")) for v in voids}
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        n = out.setdefault(r["device_id"], {"in": 0, "out": 0, "refused": 0, "fevers": 0})
        body = _body(r["body"])
        if r["kind"] == "fever_check":
            n["fevers"] += 1
            continue
        if (r["device_id"], r["event_id"]) in voided:  # a passage's event id is its record id
            continue
        if body.get("decision") == "refused":
            n["refused"] += 1
        elif body.get("decision") == "pass" and body.get("direction") in ("in", "out"):
            n[body["direction"]] += 1
    return out


def gate_rows(store: Store, day: str) -> list[dict[str, Any]]:
    numbers = day_numbers(store, day)
    with store.tx() as tx:
        gates = tx.execute("SELECT * FROM devices ORDER BY name, device_id")
        counts = tx.execute(
            "SELECT device_id, kind, count(*) AS n FROM events "
            "WHERE local_date = ? GROUP BY device_id, kind",
            (day,),
        )
        quarantined = tx.execute(
            "SELECT device_id, count(*) AS n FROM quarantine GROUP BY device_id"
        )
    per: dict[str, dict[str, int]] = {}
    for c in counts:
        per.setdefault(c["device_id"], {})[c["kind"]] = int(c["n"])
    q = {r["device_id"]: int(r["n"]) for r in quarantined}
    for g in gates:
        g["counts"] = per.get(g["device_id"], {})
        g["day"] = numbers.get(g["device_id"], {"in": 0, "out": 0, "refused": 0, "fevers": 0})
        g["quarantined"] = q.get(g["device_id"], 0)
        g["gaps"] = gaps(store, g["device_id"])
    return gates


def export_rows(store: Store, day: str) -> list[list[Any]]:
    """One row per event of that day across all gates, personal data masked."""
    with store.tx() as tx:
        names = {
            r["device_id"]: r["name"] for r in tx.execute("SELECT device_id, name FROM devices")
        }
        events = tx.execute(
            "SELECT device_id, seq, kind, body FROM events WHERE local_date = ? "
            "ORDER BY device_id, seq",
            (day,),
        )
    out = []
    for e in events:
        try:
            body = json.loads(e["body"])
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        row = {
            "gate": names.get(e["device_id"], ""),
            "device_id": e["device_id"],
            "seq": e["seq"],
            "kind": e["kind"],
        }
        for col in EXPORT_COLUMNS[4:]:
            row[col] = body.get(col)
        row["person_name"] = mask_name(row["person_name"])
        row["id_number"] = mask_id(row["id_number"])
        row["phone"] = mask_phone(row["phone"])
        out.append([row[c] if row[c] is not None else "" for c in EXPORT_COLUMNS])
    return out


# ----------------------------------------------------------------- pages
def _page(title: str, body: str, lang: str) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html lang='{'en' if lang == 'en' else 'zh-CN'}'>"
        "<head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>"
        "body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.3em .6em}.bad{color:#b00020}.ok{color:#1b7f3b}"
        f"</style></head><body>{body}</body></html>"
    )


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def officer_routes(store: Store, tz: ZoneInfo | None = None) -> list[BaseRoute]:
    zone = tz or server_tz()

    def lang_of(request: Request) -> str:
        return "en" if request.query_params.get("lang") == "en" else "zh"

    async def login_form(request: Request) -> Response:
        lang = lang_of(request)
        error = (
            f"<p class='bad' id='error'>{t('officer_login_failed', lang)}</p>"
            if request.query_params.get("failed")
            else ""
        )
        return _page(
            t("officer_title", lang),
            (
                f"<h1>{t('officer_title', lang)}</h1>{error}"
                "<form method='post' action='/login'>"
                f"<label>{t('officer_username', lang)} "
                "<input name='username' id='username'></label> "
                f"<label>{t('officer_password', lang)} <input name='password' id='password' "
                "type='password'></label> "
                f"<button type='submit' id='login'>{t('officer_login', lang)}</button></form>"
            ),
            lang,
        )

    async def login(request: Request) -> Response:
        form = await request.form()
        user, password = str(form.get("username", "")), str(form.get("password", ""))
        if not await run_in_threadpool(check_officer, store, user, password):
            return RedirectResponse("/login?failed=1", status_code=303)
        token = await run_in_threadpool(_new_session, store, user)
        resp = RedirectResponse("/", status_code=303)
        resp.set_cookie(
            COOKIE, token, httponly=True, samesite="strict", max_age=SESSION_HOURS * 3600
        )
        return resp

    async def logout(request: Request) -> Response:
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(COOKIE)
        return resp

    async def guard(request: Request) -> str | None:
        return await run_in_threadpool(_session_user, store, request)

    def today() -> str:
        return datetime.now(zone).date().isoformat()

    async def dashboard(request: Request) -> Response:
        if await guard(request) is None:
            return RedirectResponse("/login", status_code=303)
        lang = lang_of(request)
        day = request.query_params.get("date") or today()
        gates = await run_in_threadpool(gate_rows, store, day)
        with store.tx() as tx:
            quarantine = tx.execute(
                "SELECT device_id, seq, event_id, kind, reason, received_utc "
                "FROM quarantine ORDER BY id DESC LIMIT 100"
            )
        rows = []
        for g in gates:
            gap_text = ", ".join(f"{a}–{b}" for a, b in g["gaps"]) or "—"
            counts = " · ".join(f"{k} {n}" for k, n in sorted(g["counts"].items())) or "0"
            cls = "bad" if g["gaps"] or g["revoked"] else "ok"
            day_cells = "".join(
                f"<td class='n-{k}{' bad' if k == 'fevers' and g['day'][k] else ''}'>"
                f"{_e(g['day'][k])}</td>"
                for k in ("in", "out", "refused", "fevers")
            )
            rows.append(
                f"<tr class='gate' data-device='{_e(g['device_id'])}'>"
                f"<td>{_e(g['name'] or '—')}</td>"
                f"<td><code>{_e(g['device_id'][:8])}</code></td><td>{_e(g['enrolled_via'])}</td>"
                f"<td class='last-sync'>{_e(local_time(g['last_sync_utc'], zone) or '—')}</td>"
                f"<td>{_e(g['acked_seq'])}</td>"
                f"<td>{_e(g['max_seq'])}</td><td class='{cls} gaps'>{_e(gap_text)}</td>"
                f"{day_cells}"
                f"<td class='counts'>{_e(counts)}</td><td>{_e(g['quarantined'])}</td>"
                f"<td>{'revoked' if g['revoked'] else ''}"
                f"<a class='ack' href='/devices/{_e(_q(g['device_id']))}/ack'>"
                f"{t('ack_download', lang)}</a>"
                f"<form method='post' action='/devices/{_e(g['device_id'])}/revoke'>"
                f"<button>{t('officer_revoke', lang)}</button></form></td></tr>"
            )
        qrows = "".join(
            f"<tr class='quarantined'><td><code>{_e(q['device_id'][:8])}</code></td>"
            f"<td>{_e(q['seq'])}</td><td><code>{_e(q['event_id'])}</code></td>"
            f"<td>{_e(q['kind'])}</td><td>{_e(q['reason'])}</td>"
            f"<td>{_e(local_time(q['received_utc'], zone))}</td></tr>"
            for q in quarantine
        )
        message = request.query_params.get("msg", "")
        ack_for = request.query_params.get("ack", "")
        zone_name = str(zone.key)
        heads = "".join(
            f"<th>{_e(t(c, lang) if c else '')}"
            + (f" ({_e(zone_name)})" if c == "officer_last_sync_local" else "")
            + "</th>"
            for c in (
                "officer_gate",
                "officer_device",
                "officer_via",
                "officer_last_sync_local",
                "officer_acked",
                "officer_max",
                "officer_gaps",
                "officer_in",
                "officer_out",
                "officer_refused",
                "officer_fevers",
                "officer_counts",
                "officer_quarantined",
                "",
            )
        )
        body = (
            f"<h1>{t('officer_title', lang)}</h1>"
            f"<p><a href='/logout'>{t('officer_logout', lang)}</a></p>"
            + (f"<p id='message'>{_e(message)}</p>" if message else "")
            + (
                f"<p><a id='ack-download' href='/devices/{_e(_q(ack_for))}/ack'>"
                f"{t('ack_download', lang)}</a></p>"
                if ack_for
                else ""
            )
            + f"<h2>{t('officer_gates', lang)} · {_e(day)}</h2>"
            f"<table id='gates'><tr>{heads}</tr>{''.join(rows)}</table>"
            f"<p><a id='csv' href='/export.csv?date={_e(day)}'>CSV</a> · "
            f"<a id='xlsx' href='/export.xlsx?date={_e(day)}'>XLSX</a></p>"
            f"<h2>{t('officer_upload', lang)}</h2>"
            "<form method='post' action='/bundles' enctype='multipart/form-data'>"
            "<input type='file' name='bundle' id='bundle'> "
            f"<button type='submit' id='upload'>{t('officer_upload', lang)}</button></form>"
            f"<h2>{t('officer_pairing', lang)}</h2><form method='post' action='/enrol-code'>"
            f"<button id='pair'>{t('officer_new_code', lang)}</button></form>"
            f"<h2>{t('officer_quarantine', lang)}</h2><table id='quarantine'>{qrows}</table>"
        )
        return _page(t("officer_title", lang), body, lang)

    async def upload(request: Request) -> Response:
        if await guard(request) is None:
            return RedirectResponse("/login", status_code=303)
        lang = lang_of(request)
        form = await request.form()
        item = form.get("bundle")
        if item is None or isinstance(item, str):
            return RedirectResponse(
                "/?msg=" + _q(t("bundle_refused", lang, reason="no file")), status_code=303
            )
        data = await item.read()
        with tempfile.NamedTemporaryFile(suffix=".zip", delete=False) as fh:
            fh.write(data)
            temp = Path(fh.name)
        try:
            result = await run_in_threadpool(import_bundle, store, temp)
            text = t("bundle_import_result", lang, **result.counts())
            device = await run_in_threadpool(_bundle_device, temp)
        except BundleRefused as exc:
            text = t("bundle_refused", lang, reason=exc.reason)
            device = ""
        finally:
            temp.unlink(missing_ok=True)
        # the page then offers the signed ack for that gate, to carry back on the stick
        ack = f"&ack={_q(device)}" if device else ""
        return RedirectResponse("/?msg=" + _q(text) + ack, status_code=303)

    async def ack_download(request: Request) -> Response:
        if await guard(request) is None:
            return Response(status_code=401)
        from server.acks import AckError, make_ack

        try:
            name, data = await run_in_threadpool(make_ack, store, request.path_params["device_id"])
        except AckError as exc:
            return Response(exc.reason, status_code=404, media_type="text/plain")
        return Response(
            data,
            media_type="application/json",
            headers={"Content-Disposition": f"attachment; filename={name}"},
        )

    async def export_csv(request: Request) -> Response:
        if await guard(request) is None:
            return Response(status_code=401)
        day = request.query_params.get("date") or today()
        rows = await run_in_threadpool(export_rows, store, day)
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(rows)
        return Response(
            ("\ufeff" + buf.getvalue()).encode("utf-8"),
            media_type="text/csv",
            headers={"Content-Disposition": f"attachment; filename=gatepost-{day}.csv"},
        )

    async def export_xlsx(request: Request) -> Response:
        if await guard(request) is None:
            return Response(status_code=401)
        day = request.query_params.get("date") or today()
        rows = await run_in_threadpool(export_rows, store, day)

        def build() -> bytes:
            from openpyxl import Workbook

            wb = Workbook(write_only=True)
            ws = wb.create_sheet(day)
            ws.append(list(EXPORT_COLUMNS))
            for r in rows:
                ws.append(r)
            out = io.BytesIO()
            wb.save(out)
            return out.getvalue()

        data = await run_in_threadpool(build)
        return Response(
            data,
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f"attachment; filename=gatepost-{day}.xlsx"},
        )

    async def enrol_code(request: Request) -> Response:
        if await guard(request) is None:
            return RedirectResponse("/login", status_code=303)
        lang = lang_of(request)
        base = str(request.base_url).rstrip("/")
        text = await run_in_threadpool(new_enrolment, store, base)
        import qrcode
        import qrcode.image.svg

        svg = io.BytesIO()
        qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage).save(svg)
        return _page(
            t("officer_pairing", lang),
            (
                f"<h1>{t('officer_pairing', lang)}</h1><div id='qr' style='width:320px'>"
                f"{svg.getvalue().decode()}</div><p><code id='enrol-text'>{_e(text)}</code></p>"
                "<p><a href='/'>←</a></p>"
            ),
            lang,
        )

    async def revoke_device(request: Request) -> Response:
        if await guard(request) is None:
            return RedirectResponse("/login", status_code=303)
        await run_in_threadpool(revoke, store, request.path_params["device_id"])
        return RedirectResponse("/", status_code=303)

    return [
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["GET"]),
        Route("/", dashboard, methods=["GET"]),
        Route("/bundles", upload, methods=["POST"]),
        Route("/export.csv", export_csv, methods=["GET"]),
        Route("/export.xlsx", export_xlsx, methods=["GET"]),
        Route("/enrol-code", enrol_code, methods=["POST"]),
        Route("/devices/{device_id}/revoke", revoke_device, methods=["POST"]),
        Route("/devices/{device_id}/ack", ack_download, methods=["GET"]),
    ]


def _bundle_device(path: Path) -> str:
    from app.sync.bundle import verify_bundle

    return str(verify_bundle(path).manifest["device_id"])


def _q(text: str) -> str:
    from urllib.parse import quote

    return quote(text)
