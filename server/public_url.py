"""The server's address as the gates reach it, put in every pairing code (#16.5).

Chosen in this order: what the officer said (`server --public-url`, `enrol-code --url`), the
environment (GATEPOST_PUBLIC_URL), what `server --public-url` saved in the data dir, and else
this PC's LAN address, found without the internet: a UDP socket "connected" to a private
address sends nothing but tells which local address the route would use; the host name's
addresses are the fallback. Never 127.0.0.1 for a server bound to all interfaces.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

from app.errors import KnownError

ENV = "GATEPOST_PUBLIC_URL"
SAVED = "public_url"  # a file in the server's data dir
# private addresses to "connect" a UDP socket to (no packet leaves): the usual LAN ranges
PROBES = ("10.255.255.255", "192.168.255.255", "172.31.255.255")
WILDCARDS = ("0.0.0.0", "::", "")


def _usable(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_unspecified or ip.is_link_local)


def lan_address() -> str | None:
    """This PC's address on the LAN (IPv4), or None when it has none but loopback."""
    for probe in PROBES:
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.connect((probe, 9))
                address = str(s.getsockname()[0])
        except OSError:
            continue
        if _usable(address):
            return address
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return None
    return next((str(i[4][0]) for i in infos if _usable(str(i[4][0]))), None)


def check_url(url: str) -> str:
    """http(s)://host[:port] with no path: KnownError otherwise (a gate could not use it)."""
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
        raise KnownError("public_url_bad", url=url)
    return url


def saved(data_dir: Path | None) -> str | None:
    if data_dir is None:
        return None
    try:
        return check_url((Path(data_dir) / SAVED).read_text(encoding="utf-8"))
    except (OSError, KnownError):
        return None


def save(data_dir: Path, url: str) -> None:
    (Path(data_dir) / SAVED).write_text(check_url(url) + "\n", encoding="utf-8")


def choose(
    explicit: str | None, data_dir: Path | None, host: str = "0.0.0.0", port: int = 8750
) -> tuple[str, str]:
    """(url, where it came from: flag | env | saved | lan | bound) for the pairing codes."""
    if explicit:
        return check_url(explicit), "flag"
    if os.environ.get(ENV, "").strip():
        return check_url(os.environ[ENV]), "env"
    kept = saved(data_dir)
    if kept:
        return kept, "saved"
    if host.strip() not in WILDCARDS:
        return f"http://{host.strip()}:{port}", "bound"  # the one address it listens on
    lan = lan_address()
    if lan:
        return f"http://{lan}:{port}", "lan"
    return f"http://{socket.gethostname()}:{port}", "hostname"  # no LAN address: its name


def pairing_base(request_base: str) -> str:
    """The officer page's pairing QR: the public URL when the server was given or found one,
    else the address the officer's browser used."""
    url = os.environ.get(ENV, "").strip()
    return check_url(url) if url else request_base.rstrip("/")
