"""How batches reach the server: a small interface, the HTTP client, and its failure kinds."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

from app.sync.identity import SyncIdentity
from app.sync.protocol import BatchReply, InvalidReply, encode_batch, parse_head, parse_reply


class TransportError(Exception):
    """Base of everything a transport raises."""


class AuthRefused(TransportError):
    """401/403: the token is revoked or wrong. Stop and tell a person."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


class TooLarge(TransportError):
    """413: send the batch in halves."""


class Retryable(TransportError):
    """429, 5xx, timeouts, resets, a 200 that is not a reply: try again later."""

    def __init__(self, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after


class Refused(TransportError):
    """Any other 4xx: the server understood and said no (e.g. a bad enrolment code)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"HTTP {status}: {reason}")
        self.status = status
        self.reason = reason


class Transport(Protocol):
    def head(self, identity: SyncIdentity) -> int: ...

    def send(self, identity: SyncIdentity, events: list[dict[str, Any]]) -> BatchReply: ...

    def enrol(self, server_url: str, code: str, body: dict[str, Any]) -> dict[str, Any]: ...


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds (delta form; an HTTP date is read too)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class WireRequest:
    """One request exactly as the client sends it (a GET when there is no body): the district
    benchmark builds a gate's whole backlog of these before its clock starts (#15)."""

    url: str
    body: bytes | None
    headers: dict[str, str]


class HttpTransport:
    """The real client: urllib, a timeout on every request, status codes sorted into kinds."""

    def __init__(self, timeout: float = 30.0) -> None:
        self.timeout = timeout

    def _request(self, wire: WireRequest) -> bytes:
        method = "POST" if wire.body is not None else "GET"
        req = urllib.request.Request(wire.url, data=wire.body, headers=wire.headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return bytes(resp.read())
        except urllib.error.HTTPError as err:
            status = err.code
            try:
                text = err.read(2000).decode("utf-8", "replace")
            except Exception:  # a reset while reading the error body
                text = ""
            if status in (401, 403):
                raise AuthRefused(status) from None
            if status == 413:
                raise TooLarge("413") from None
            if status == 429 or status >= 500:
                raise Retryable(
                    f"HTTP {status}", retry_after_seconds(err.headers.get("Retry-After"))
                ) from None
            raise Refused(status, _reason(text)) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            raise Retryable(f"{exc.__class__.__name__}: {exc}") from None
        except Exception as exc:  # http.client.IncompleteRead, BadStatusLine, RemoteDisconnected
            raise Retryable(f"{exc.__class__.__name__}: {exc}") from None

    def _auth(self, identity: SyncIdentity) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {identity.token}",
            "X-Gatepost-Device": identity.device_id,
        }

    def head_request(self, identity: SyncIdentity) -> WireRequest:
        return WireRequest(f"{identity.server_url}/api/v1/head", None, self._auth(identity))

    def batch_request(self, identity: SyncIdentity, events: list[dict[str, Any]]) -> WireRequest:
        """The batch's bytes, signed, with the headers that name the gate."""
        body = encode_batch(identity.device_id, identity.key_id, events)
        headers = self._auth(identity)
        headers["Content-Type"] = "application/json"
        headers["X-Gatepost-Signature"] = identity.sign(body)
        return WireRequest(f"{identity.server_url}/api/v1/events", body, headers)

    def head(self, identity: SyncIdentity) -> int:
        raw = self._request(self.head_request(identity))
        try:
            return parse_head(raw)
        except InvalidReply as exc:
            raise Retryable(f"invalid reply: {exc}") from None

    def send(self, identity: SyncIdentity, events: list[dict[str, Any]]) -> BatchReply:
        raw = self._request(self.batch_request(identity, events))
        try:
            return parse_reply(raw, events)
        except InvalidReply as exc:
            raise Retryable(f"invalid reply: {exc}") from None

    def enrol(self, server_url: str, code: str, body: dict[str, Any]) -> dict[str, Any]:
        payload = json.dumps(dict(body, code=code)).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        raw = self._request(WireRequest(f"{server_url}/api/v1/enrol", payload, headers))
        try:
            data = json.loads(raw.decode("utf-8"))
        except ValueError:
            raise Retryable("invalid reply to enrolment") from None
        if not isinstance(data, dict) or not isinstance(data.get("token"), str):
            raise Retryable("invalid reply to enrolment")
        return data


def _reason(text: str) -> str:
    try:
        data = json.loads(text)
        return str(data.get("error", "refused")) if isinstance(data, dict) else "refused"
    except ValueError:
        return "refused"
