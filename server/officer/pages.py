"""The officer's routes: login, the gates page, bundle upload, pairing, enrolling an offline
gate, revoke, ack and export downloads. HTML comes from the templates beside this module
(Jinja2, autoescaped). Every state-changing form carries the session's CSRF token; bodies are
read with a cap per route."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import BaseRoute, Route

from app import gate_code
from app.clock import Clock, SystemClock
from app.i18n import t
from app.sync.bundle import BundleRefused
from server import devices, retention
from server.audit import audit
from server.bundles import bundle_device_id, import_bundle
from server.limits import FORM_BODY, REPORT_BODY, UPLOAD_BODY, TooLarge, capped_form
from server.officer import auth, district, exports, queries, views
from server.public_url import pairing_base
from server.store import Store


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


def _known(status: int, code: str, lang: str, **params: Any) -> Response:
    return PlainTextResponse(t(code, lang, **params), status_code=status)


@dataclass(frozen=True)
class Officer:
    """Who is asking: the logged-in officer and the address they ask from."""

    username: str
    address: str


Handler = Callable[[Request, Officer, Any], Awaitable[Response]]


def officer_routes(
    store: Store,
    tz: ZoneInfo | None = None,
    *,
    clock: Clock | None = None,
    proxies: Iterable[str] | None = None,
    silent_after: timedelta | None = None,
    retention_days: int | None = None,
) -> list[BaseRoute]:
    """The officer's pages over one store, in the officer's time zone. proxies: addresses
    whose X-Forwarded-For/-Proto are believed (else $GATEPOST_TRUSTED_PROXIES); silent_after:
    a gate unheard for longer is 失联 (else $GATEPOST_SILENT_MINUTES, else 2 hours);
    retention_days: the server's period (else the setting), for the page's purge notice."""
    zone = tz or queries.server_tz()
    silent = silent_after or district.silent_after()
    clock = clock or SystemClock()
    trusted = auth.trusted_proxies(proxies)
    keep_days = retention.retention_days(retention_days)

    def address(request: Request) -> str:
        return auth.client_address(request, trusted)

    async def guard(request: Request) -> Officer | None:
        user = await run_in_threadpool(auth.session_user, store, request, clock)
        return None if user is None else Officer(user, address(request))

    def form_action(handler: Handler, limit: int = FORM_BODY) -> Callable[..., Any]:
        """A state-changing POST: logged in, body within limit, the session's CSRF token."""

        async def endpoint(request: Request) -> Response:
            officer = await guard(request)
            if officer is None:
                return RedirectResponse("/login", status_code=303)
            lang = lang_of(request)
            try:
                form = await capped_form(request, limit)
            except TooLarge:
                return _known(413, "server_too_large", lang, mb=limit // (1024 * 1024) or 1)
            if not auth.csrf_ok(request, form.get("csrf")):
                return _known(403, "server_form_expired", lang)
            return await handler(request, officer, form)

        return endpoint

    def today() -> date:
        """The officer's day now, by the server's clock (a test's fake clock included)."""
        return clock.now().astimezone(zone).date()

    async def login_form(request: Request) -> Response:
        return render(
            "login.html",
            lang_of(request),
            "officer_title",
            failed=bool(request.query_params.get("failed")),
            locked=bool(request.query_params.get("locked")),
            minutes=auth.LOCK_MINUTES,
        )

    async def login(request: Request) -> Response:
        try:
            form = await capped_form(request, FORM_BODY)
        except TooLarge:
            return _known(413, "server_too_large", lang_of(request), mb=1)
        if not auth.origin_ok(request):  # no session yet, so no token: the Origin check
            return _known(403, "server_form_expired", lang_of(request))
        user, password = str(form.get("username", "")), str(form.get("password", ""))
        result = await run_in_threadpool(auth.login, store, user, password, address(request), clock)
        if not result.ok:
            where = "/login?locked=1" if result.locked else "/login?failed=1"
            return RedirectResponse(where, status_code=303)
        token = await run_in_threadpool(auth.new_session, store, user, clock)
        resp = RedirectResponse("/", status_code=303)
        resp.set_cookie(
            auth.COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=auth.is_tls(request, trusted),
            max_age=auth.SESSION_HOURS * 3600,
        )
        return resp

    async def logout(request: Request, officer: Officer, form: Any) -> Response:
        await run_in_threadpool(auth.end_session, store, request)
        with store.tx() as tx:
            audit(tx, officer.username, officer.address, "logout", clock=clock)
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(auth.COOKIE)
        return resp

    def csrf_field(request: Request) -> Markup:
        return Markup("<input type='hidden' name='csrf' value='{}'>").format(
            auth.csrf_token(request)
        )

    async def dashboard(request: Request) -> Response:
        if await guard(request) is None:
            return RedirectResponse("/login", status_code=303)
        lang = lang_of(request)
        day = request.query_params.get("date") or today().isoformat()
        if not exports.valid_day(day):
            return _known(400, "server_bad_date", lang)
        gates = await run_in_threadpool(queries.gate_rows, store, day)
        quarantine = await run_in_threadpool(queries.quarantine_rows, store)
        purge_notice = await run_in_threadpool(retention.notice, store, today(), keep_days)
        context = views.dashboard(
            gates,
            quarantine,
            views.Page(day, lang, zone, clock.now(), silent),
            district.View.of(request.query_params),
        )
        return render(
            "dashboard.html",
            lang,
            "officer_title",
            **context,
            message=request.query_params.get("msg", ""),
            retention_notice=purge_notice.text(lang) if purge_notice else "",
            ack_for=request.query_params.get("ack", ""),
            csrf_field=csrf_field(request),
        )

    async def upload(request: Request, officer: Officer, form: Any) -> Response:
        lang = lang_of(request)
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
            device = await run_in_threadpool(bundle_device_id, store, temp)
        except BundleRefused as exc:
            text = exc.message(lang)
            device = ""
        finally:
            temp.unlink(missing_ok=True)
        with store.tx() as tx:
            audit(tx, officer.username, officer.address, "bundle_upload", text, clock=clock)
        # the page then offers the signed ack for that gate, to carry back on the stick
        ack = f"&ack={_quote(device)}" if device else ""
        return RedirectResponse("/?msg=" + _quote(text) + ack, status_code=303)

    async def ack_download(request: Request) -> Response:
        if await guard(request) is None:
            return _known(401, "server_login_needed", lang_of(request))
        from server.acks import AckError, make_ack

        try:
            name, data = await run_in_threadpool(make_ack, store, request.path_params["device_id"])
        except AckError as exc:
            return Response(exc.reason, status_code=404, media_type="text/plain")
        return Response(
            data,
            media_type="application/json",
            headers={"Content-Disposition": exports.attachment(name)},
        )

    async def export(request: Request) -> Response:
        if await guard(request) is None:
            return _known(401, "server_login_needed", lang_of(request))
        day = request.query_params.get("date") or today().isoformat()
        if not exports.valid_day(day):
            return _known(400, "server_bad_date", lang_of(request))
        await run_in_threadpool(retention.note_export, store, day)  # no purge notice for it now
        if request.url.path.endswith(".csv"):  # streamed: memory flat in the day's events
            return StreamingResponse(
                exports.csv_chunks(store, day),
                media_type="text/csv",
                headers={"Content-Disposition": exports.attachment(f"gatepost-{day}.csv")},
            )
        spool = tempfile.TemporaryFile()  # the file on disk, not in memory (#15)
        try:
            await run_in_threadpool(exports.xlsx_to, store, day, spool)
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        return StreamingResponse(
            exports.file_chunks(spool),
            media_type=exports.XLSX_TYPE,
            headers={"Content-Disposition": exports.attachment(f"gatepost-{day}.xlsx")},
        )

    async def enrol_code(request: Request, officer: Officer, form: Any) -> Response:
        base = pairing_base(str(request.base_url))  # #16.5: the public URL when known
        where = devices.Compound.of(form.get("street"), form.get("community"))
        text = await run_in_threadpool(lambda: devices.new_enrolment(store, base, compound=where))
        with store.tx() as tx:
            audit(tx, officer.username, officer.address, "enrol_code", clock=clock)
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

    async def enrol_offline(request: Request, officer: Officer, form: Any) -> Response:
        lang = lang_of(request)
        device_id = str(form.get("device_id", "")).strip()
        where = devices.Compound.of(form.get("street"), form.get("community"))
        try:
            code = await run_in_threadpool(
                lambda: devices.enrol_offline(
                    store,
                    device_id,
                    str(form.get("public_key", "")),
                    str(form.get("name", "")),
                    officer=officer.username,
                    address=officer.address,
                    compound=where,
                )
            )
            text = t("officer_enrol_done", lang, device=f"{gate_code.shown(code)} ({device_id})")
        except devices.EnrolError as exc:
            text = t("officer_enrol_failed", lang, reason=exc.reason)
        return RedirectResponse("/?msg=" + _quote(text), status_code=303)

    async def revoke_ask(request: Request) -> Response:
        """Revoke asks first: a page naming the gate, whose form does it (no JavaScript)."""
        if await guard(request) is None:
            return RedirectResponse("/login", status_code=303)
        from server.acks import AckError, find_device

        lang = lang_of(request)
        ref = request.path_params["device_id"]
        try:
            gate = await run_in_threadpool(find_device, store, ref)
        except AckError as exc:
            return _known(404, "revoke_unknown", lang, device=ref, reason=exc.reason)
        return render(
            "revoke.html",
            lang,
            "officer_revoke",
            gate={**gate, "code": gate_code.shown(str(gate.get("gate_code") or ""))},
            csrf_field=csrf_field(request),
        )

    async def revoke_device(request: Request, officer: Officer, form: Any) -> Response:
        device_id = request.path_params["device_id"]
        if form.get("confirm") != "yes":  # not from the confirmation page: ask there
            return RedirectResponse(f"/devices/{_quote(device_id)}/revoke", status_code=303)
        await run_in_threadpool(
            lambda: devices.revoke(
                store, device_id, officer=officer.username, address=officer.address, clock=clock
            )
        )
        return RedirectResponse("/", status_code=303)

    async def verify_report(request: Request, officer: Officer, form: Any) -> Response:
        """An uploaded daily report checked as `main.py verify-report` does, with the key of
        the enrolled gate that signed it, and its days against the events held here (#17)."""
        lang = lang_of(request)
        item = form.get("report")
        name = getattr(item, "filename", "") or ""
        if item is None or isinstance(item, str):
            lines, ok = [t("officer_verify_pick", lang)], False
        else:
            data = await item.read()
            lines, ok = await run_in_threadpool(views.check_upload, store, name, data, lang)
        with store.tx() as tx:
            detail = {"file": name[:100], "ok": ok, "result": lines[:20]}
            audit(tx, officer.username, officer.address, "report_verified", detail, clock=clock)
        return render("verify.html", lang, "officer_verify", lines=lines, ok=ok, file=name)

    return [
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", form_action(logout), methods=["POST"]),
        Route("/", dashboard, methods=["GET"]),
        Route("/bundles", form_action(upload, UPLOAD_BODY), methods=["POST"]),
        Route("/reports/verify", form_action(verify_report, REPORT_BODY), methods=["POST"]),
        Route("/export.csv", export, methods=["GET"]),
        Route("/export.xlsx", export, methods=["GET"]),
        Route("/enrol-code", form_action(enrol_code), methods=["POST"]),
        Route("/devices/enrol", form_action(enrol_offline), methods=["POST"]),
        Route("/devices/{device_id}/revoke", revoke_ask, methods=["GET"]),
        Route("/devices/{device_id}/revoke", form_action(revoke_device), methods=["POST"]),
        Route("/devices/{device_id}/ack", ack_download, methods=["GET"]),
    ]
