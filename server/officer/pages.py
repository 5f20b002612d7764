"""The officer's routes: login, the gates page, bundle upload, pairing, revoke, ack and export
downloads. HTML comes from the templates beside this module (Jinja2, autoescaped)."""

from __future__ import annotations

import io
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.i18n import t
from app.sync.bundle import BundleRefused
from server.bundles import import_bundle
from server.devices import new_enrolment, revoke
from server.officer import auth, exports, queries
from server.store import Store

HEADS = (
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


def _quote(value: Any) -> str:
    return quote("" if value is None else str(value), safe="")


_ENV = Environment(
    loader=PackageLoader("server.officer", "templates"),
    autoescape=select_autoescape(["html"], default=True),
)
_ENV.filters["urlquote"] = _quote


def lang_of(request: Request) -> str:
    return "en" if request.query_params.get("lang") == "en" else "zh"


def render(name: str, lang: str, title_code: str, **context: Any) -> HTMLResponse:
    """One template with the page's language: tr(code) gives the zh or en text."""

    def tr(code: str, **params: Any) -> str:
        return t(code, lang, **params)

    html = _ENV.get_template(name).render(lang=lang, title=tr(title_code), tr=tr, **context)
    return HTMLResponse(html)


def _gate_view(g: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    return {
        **g,
        "last_sync": queries.local_time(g["last_sync_utc"], zone),
        "gap_text": ", ".join(f"{a}–{b}" for a, b in g["gaps"]) or "—",
        "count_text": " · ".join(f"{k} {n}" for k, n in sorted(g["counts"].items())) or "0",
    }


def officer_routes(store: Store, tz: ZoneInfo | None = None) -> list[BaseRoute]:
    """The officer's pages over one store, in the officer's time zone."""
    zone = tz or queries.server_tz()

    async def guard(request: Request) -> str | None:
        return await run_in_threadpool(auth.session_user, store, request)

    def today() -> str:
        return datetime.now(zone).date().isoformat()

    async def login_form(request: Request) -> Response:
        failed = bool(request.query_params.get("failed"))
        return render("login.html", lang_of(request), "officer_title", failed=failed)

    async def login(request: Request) -> Response:
        form = await request.form()
        user, password = str(form.get("username", "")), str(form.get("password", ""))
        if not await run_in_threadpool(auth.check_officer, store, user, password):
            return RedirectResponse("/login?failed=1", status_code=303)
        token = await run_in_threadpool(auth.new_session, store, user)
        resp = RedirectResponse("/", status_code=303)
        resp.set_cookie(
            auth.COOKIE,
            token,
            httponly=True,
            samesite="strict",
            max_age=auth.SESSION_HOURS * 3600,
        )
        return resp

    async def logout(request: Request) -> Response:
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(auth.COOKIE)
        return resp

    async def dashboard(request: Request) -> Response:
        if await guard(request) is None:
            return RedirectResponse("/login", status_code=303)
        day = request.query_params.get("date") or today()
        gates = await run_in_threadpool(queries.gate_rows, store, day)
        quarantine = await run_in_threadpool(queries.quarantine_rows, store)
        return render(
            "dashboard.html",
            lang_of(request),
            "officer_title",
            day=day,
            heads=HEADS,
            zone_name=str(zone.key),
            gates=[_gate_view(g, zone) for g in gates],
            quarantine=[
                {**q, "received": queries.local_time(q["received_utc"], zone)} for q in quarantine
            ],
            message=request.query_params.get("msg", ""),
            ack_for=request.query_params.get("ack", ""),
            csrf_field=Markup(""),
        )

    async def upload(request: Request) -> Response:
        if await guard(request) is None:
            return RedirectResponse("/login", status_code=303)
        lang = lang_of(request)
        form = await request.form()
        item = form.get("bundle")
        if item is None or isinstance(item, str):
            return RedirectResponse(
                "/?msg=" + _quote(t("bundle_refused", lang, reason="no file")), status_code=303
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
        ack = f"&ack={_quote(device)}" if device else ""
        return RedirectResponse("/?msg=" + _quote(text) + ack, status_code=303)

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
        rows = await run_in_threadpool(queries.export_rows, store, day)
        return Response(
            exports.csv_bytes(rows),
            media_type="text/csv",
            headers={"Content-Disposition": f"attachment; filename=gatepost-{day}.csv"},
        )

    async def export_xlsx(request: Request) -> Response:
        if await guard(request) is None:
            return Response(status_code=401)
        day = request.query_params.get("date") or today()
        rows = await run_in_threadpool(queries.export_rows, store, day)
        data = await run_in_threadpool(exports.xlsx_bytes, day, rows)
        return Response(
            data,
            media_type=exports.XLSX_TYPE,
            headers={"Content-Disposition": f"attachment; filename=gatepost-{day}.xlsx"},
        )

    async def enrol_code(request: Request) -> Response:
        if await guard(request) is None:
            return RedirectResponse("/login", status_code=303)
        base = str(request.base_url).rstrip("/")
        text = await run_in_threadpool(new_enrolment, store, base)
        import qrcode
        import qrcode.image.svg

        svg = io.BytesIO()
        qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage).save(svg)
        # the SVG is made here from our own text, so it is safe to put in as it is
        return render(
            "pairing.html",
            lang_of(request),
            "officer_pairing",
            svg=Markup(svg.getvalue().decode()),
            text=text,
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
