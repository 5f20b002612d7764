"""HTTP API for gates (head, events, enrol) and the mount point for the officer's pages."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from app.clock import Clock, utc_iso
from app.i18n import t
from app.signatures import verify
from app.sync.protocol import PROTOCOL
from server import devices
from server.ingest import device_head, ingest
from server.limits import ENROL_BODY, TooLarge, read_body
from server.store import Store

log = logging.getLogger(__name__)
MAX_BODY = 4 * 1024 * 1024  # a batch of a few hundred events is far below this


def server_now_utc() -> str:
    """The server's clock, in every batch reply: a gate more than 2 minutes away raises
    系统时间异常 (#17)."""
    return utc_iso(datetime.now(UTC))


def _err(status: int, reason: str) -> JSONResponse:
    return JSONResponse({"protocol": PROTOCOL, "error": reason}, status_code=status)


@dataclass(frozen=True)
class IngestHooks:
    """Called around each batch's commit (tests kill the process there, as kill -9 would);
    production passes none."""

    before_commit: Callable[[], None] | None = None
    after_commit: Callable[[], None] | None = None


def _json(raw: bytes) -> Any:
    """Parsed JSON, or ValueError for anything unreadable, nested too deep included."""
    try:
        return json.loads(raw)
    except RecursionError:
        raise ValueError("nested too deep") from None


def _auth(store: Store, request: Request) -> tuple[devices.Device | None, JSONResponse | None]:
    device_id = request.headers.get("x-gatepost-device", "")
    header = request.headers.get("authorization", "")
    token = header[7:] if header.lower().startswith("bearer ") else ""
    device = devices.get_device(store, device_id) if device_id else None
    problem = devices.check_token(device, token)
    if problem == "unauthorised":
        return None, _err(401, problem)
    if problem == "revoked":
        return None, _err(403, problem)
    return device, None


class ReadableQuery:
    """A query string that is not UTF-8 is answered 400 with a known message before any route
    reads it. h11 refuses such a request line itself, other HTTP parsers pass it on, and
    Starlette's trailing-slash redirect raised UnicodeDecodeError on it: a 500 (#13, found by
    tests/hostile/test_fuzz_server.py)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            try:
                bytes(scope.get("query_string", b"")).decode("utf-8")
            except UnicodeDecodeError:
                reply = PlainTextResponse(t("server_bad_query", "zh"), status_code=400)
                await reply(scope, receive, send)
                return
        await self.app(scope, receive, send)


def api_routes(store: Store, hooks: IngestHooks | None = None) -> list[Route]:
    """The gates' API over one store."""
    hooks = hooks or IngestHooks()

    async def head(request: Request) -> JSONResponse:
        device, error = await run_in_threadpool(_auth, store, request)
        if error is not None:
            return error
        assert device is not None
        acked = await run_in_threadpool(device_head, store, device.device_id)
        return JSONResponse(
            {"protocol": PROTOCOL, "device_id": device.device_id, "acked_seq": acked}
        )

    async def events(request: Request) -> JSONResponse:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > MAX_BODY:
            return _err(413, "too_large")
        device, error = await run_in_threadpool(_auth, store, request)
        if error is not None:
            return error
        assert device is not None
        try:
            raw = await read_body(request, MAX_BODY)
        except TooLarge:
            return _err(413, "too_large")
        if not verify(device.public_key, request.headers.get("x-gatepost-signature", ""), raw):
            return _err(403, "bad_signature")
        try:
            batch: Any = _json(raw)
        except ValueError:
            return _err(400, "not_json")
        if (
            not isinstance(batch, dict)
            or batch.get("protocol") != PROTOCOL
            or batch.get("device_id") != device.device_id
            or not isinstance(batch.get("events"), list)
        ):
            return _err(400, "bad_batch")
        result = await run_in_threadpool(
            ingest, store, device.device_id, batch["events"], before_commit=hooks.before_commit
        )
        if hooks.after_commit is not None:
            hooks.after_commit()
        return JSONResponse(
            {
                "protocol": PROTOCOL,
                "acked_seq": result.acked_seq,
                "results": [v.as_dict() for v in result.verdicts],
                "server_utc": server_now_utc(),  # the gates check their clocks by it (#17)
            }
        )

    async def enrol(request: Request) -> JSONResponse:
        try:
            body = _json(await read_body(request, ENROL_BODY))
        except TooLarge:
            return _err(413, "too_large")
        except ValueError:
            return _err(400, "not_json")
        if not isinstance(body, dict):
            return _err(400, "bad_request")
        try:
            token = await run_in_threadpool(
                devices.enrol,
                store,
                str(body.get("code", "")),
                body.get("device_id"),
                body.get("public_key"),
                str(body.get("name", "")),
            )
        except devices.EnrolError as exc:
            return _err(400, exc.reason)
        return JSONResponse({"protocol": PROTOCOL, "token": token})

    return [
        Route("/api/v1/head", head, methods=["GET"]),
        Route("/api/v1/events", events, methods=["POST"]),
        Route("/api/v1/enrol", enrol, methods=["POST"]),
    ]


def create_app(
    store: Store,
    *,
    officer_pages: bool = True,
    tz: str | None = None,
    hooks: IngestHooks | None = None,
    clock: Clock | None = None,
    trusted_proxies: Iterable[str] | None = None,
    owns_store: bool = False,
    retention_days: int | None = None,
    purge_every: float | None = None,
) -> Starlette:
    """tz: the officer page's time zone (else $GATEPOST_SERVER_TZ, else Asia/Shanghai);
    trusted_proxies: addresses whose X-Forwarded-For/-Proto count (else
    $GATEPOST_TRUSTED_PROXIES); owns_store: close the store when the server stops (a worker
    process); purge_every: run the retention purge (keeping retention_days, else the setting)
    at start and that often, while the server runs; hooks and a fake clock: only tests pass
    them."""
    from server import retention
    from server.officer import server_tz

    zone = server_tz(tz)
    days = retention.retention_days(retention_days)
    from server.acks import server_box_key

    server_box_key(store)  # made at first start: the pairing codes and acks publish it
    routes = api_routes(store, hooks)
    if officer_pages:
        from server.officer import officer_routes

        routes += officer_routes(
            store, zone, clock=clock, proxies=trusted_proxies, retention_days=days
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        timer = None
        if purge_every is not None:
            today = lambda: datetime.now(zone).date()  # noqa: E731
            timer = retention.PurgeTimer(store, today, days, purge_every).start()
        yield
        if timer is not None:
            timer.stop()
        if owns_store:
            store.close()

    app = Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(ReadableQuery)])
    app.state.store = store
    return app
