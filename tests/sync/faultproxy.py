"""A fault-injecting TCP proxy on 127.0.0.1 for the reliability tests.

Each accepted connection takes the next fault from `faults` (or 'pass' when empty):
  pass                  forward both ways
  reset_mid_request     read part of the request, then reset the connection
  reset_after_headers   forward the request, relay only the response headers, then reset
  blackhole             read the request and never answer
  status:CODE[:RETRY]   answer CODE without forwarding (Retry-After: RETRY when given)
  html200               answer 200 with a captive portal's HTML page
"""

from __future__ import annotations

import socket
import struct
import threading
from collections import deque


def _reset(sock: socket.socket) -> None:
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def _read_request(sock: socket.socket) -> bytes:
    """One whole HTTP/1.1 request (headers + Content-Length body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _reply(
    sock: socket.socket, status: int, body: bytes, headers: str = "", ctype: str = "text/plain"
) -> None:
    sock.sendall(
        f"HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
        f"Connection: close\r\n{headers}\r\n".encode()
        + body
    )
    sock.close()


class FaultProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.faults: deque[str] = deque()
        self.seen: list[str] = []
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            fault = self.faults.popleft() if self.faults else "pass"
            self.seen.append(fault)
            threading.Thread(target=self._handle, args=(client, fault), daemon=True).start()

    def _handle(self, client: socket.socket, fault: str) -> None:
        try:
            if fault == "reset_mid_request":
                client.recv(200)
                _reset(client)
                return
            request = _read_request(client)
            if fault == "blackhole":
                self._held.append(client)
                return
            if fault == "html200":
                page = b"<html><body><h1>Welcome! Please log in to the Wi-Fi</h1></body></html>"
                _reply(client, 200, page, ctype="text/html")
                return
            if fault.startswith("status:"):
                parts = fault.split(":")
                extra = f"Retry-After: {parts[2]}\r\n" if len(parts) > 2 else ""
                _reply(client, int(parts[1]), b"upstream trouble", extra)
                return
            upstream = socket.create_connection(self.upstream, timeout=30)
            upstream.sendall(request)
            response = b""
            while True:
                chunk = upstream.recv(65536)
                if not chunk:
                    break
                response += chunk
                if fault == "reset_after_headers" and b"\r\n\r\n" in response:
                    break
            upstream.close()
            if fault == "reset_after_headers":
                client.sendall(response.partition(b"\r\n\r\n")[0] + b"\r\n\r\n")
                _reset(client)
                return
            client.sendall(response)
            client.close()
        except OSError:
            client.close()

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        for s in self._held:
            s.close()
