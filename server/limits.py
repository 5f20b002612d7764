"""Request bodies read with a cap: a route says how much it takes, and nothing more is read
into memory (the Content-Length is checked first, then the stream as it arrives)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request

ENROL_BODY = 4 * 1024  # a code, a device id, a public key and a name
FORM_BODY = 16 * 1024  # login, revoke, a new pairing code, logout
UPLOAD_BODY = 64 * 1024 * 1024  # one USB bundle (a busy gate's month is a few MB)
REPORT_BODY = 16 * 1024 * 1024  # one gate's daily report to verify (CSV/XLSX/PDF, #17)


class TooLarge(Exception):
    """The body is over the route's cap; answer 413."""


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, or TooLarge as soon as it is known to be over limit bytes."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > limit):
        raise TooLarge()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


def replay(request: Request, body: bytes) -> Request:
    """A request whose body is the bytes already read (so form parsing reads no further)."""
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    receiver: Callable[[], Awaitable[dict[str, Any]]] = receive
    return Request(request.scope, receiver)


async def capped_form(request: Request, limit: int) -> Any:
    """The form of a request whose body is at most limit bytes (TooLarge otherwise)."""
    body = await read_body(request, limit)
    return await replay(request, body).form()
