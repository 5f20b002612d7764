"""One HTTP request through an ASGI app in-process, with no socket and no HTTP client library:
the raw path, query string and headers go in exactly as drawn (CRLF, lies and all), and what
the app sent comes back with any exception it raised."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_to_bytes


@dataclass
class Reply:
    status: int = 0
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""
    error: BaseException | None = None  # what the app raised instead of answering

    def header(self, name: str) -> list[bytes]:
        key = name.lower().encode()
        return [v for k, v in self.headers if k.lower() == key]


def call(
    app: Any,
    method: str,
    raw_path: bytes,
    query: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
    body: bytes = b"",
    chunks: int = 1,
    client: tuple[str, int] = ("127.0.0.1", 50000),
) -> Reply:
    """The request as an ASGI http scope; the body arrives in `chunks` pieces."""
    path = unquote_to_bytes(raw_path).decode("utf-8", "replace")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": raw_path,
        "root_path": "",
        "query_string": query,
        "headers": headers or [],
        "client": client,
        "server": ("testserver", 80),
    }
    size = max(1, -(-len(body) // max(1, chunks)))
    pieces = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
    reply = Reply()

    async def receive() -> dict[str, Any]:
        if pieces:
            piece = pieces.pop(0)
            return {"type": "http.request", "body": piece, "more_body": bool(pieces)}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            reply.status = message["status"]
            reply.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            reply.body += message.get("body", b"")

    try:
        asyncio.run(app(scope, receive, send))
    except Exception as exc:  # noqa: BLE001 - the caller's property says what this means
        reply.error = exc
    return reply
