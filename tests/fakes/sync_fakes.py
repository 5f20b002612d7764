"""A fake transport that calls the server's ingest in-process, with scripted failures."""

from __future__ import annotations

import json
from collections import deque
from typing import Any

from app.signatures import verify
from app.sync.identity import SyncIdentity
from app.sync.protocol import encode_batch, parse_reply
from app.sync.transport import AuthRefused, Refused, Retryable, TooLarge
from server import devices
from server.ingest import device_head, ingest
from server.store import Store


class InProcessTransport:
    """Same contract as HttpTransport, no sockets. `faults` is a queue of exceptions (or
    'after_commit' to store the batch and then lose the reply) raised on the next calls."""

    def __init__(self, store: Store, max_events: int | None = None) -> None:
        self.store = store
        self.faults: deque[Any] = deque()
        self.max_events = max_events
        self.sent_batches: list[int] = []

    def _auth(self, identity: SyncIdentity) -> devices.Device:
        device = devices.get_device(self.store, identity.device_id)
        problem = devices.check_token(device, identity.token or "")
        if problem == "unauthorised":
            raise AuthRefused(401)
        if problem == "revoked":
            raise AuthRefused(403)
        assert device is not None
        return device

    def _fault(self) -> str | None:
        if not self.faults:
            return None
        fault = self.faults.popleft()
        if isinstance(fault, BaseException):
            raise fault
        return str(fault)

    def head(self, identity: SyncIdentity) -> int:
        self._fault()
        device = self._auth(identity)
        return device_head(self.store, device.device_id)

    def send(self, identity: SyncIdentity, events: list[dict[str, Any]]):
        fault = self._fault()
        device = self._auth(identity)
        if self.max_events is not None and len(events) > self.max_events:
            raise TooLarge("413")
        raw = encode_batch(identity.device_id, identity.key_id, events)
        assert verify(device.public_key, identity.sign(raw), raw)
        result = ingest(self.store, device.device_id, json.loads(raw)["events"])
        self.sent_batches.append(len(events))
        if fault == "after_commit":
            raise Retryable("connection reset after commit")
        reply = json.dumps(
            {
                "protocol": 1,
                "acked_seq": result.acked_seq,
                "results": [v.as_dict() for v in result.verdicts],
            }
        ).encode()
        return parse_reply(reply, events)

    def enrol(self, server_url: str, code: str, body: dict[str, Any]) -> dict[str, Any]:
        self._fault()
        try:
            token = devices.enrol(
                self.store, code, body["device_id"], body["public_key"], body.get("name", "")
            )
        except devices.EnrolError as exc:
            raise Refused(400, exc.reason) from None
        return {"protocol": 1, "token": token}
