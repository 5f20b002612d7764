"""Officer logins and sessions: scrypt password hashes (the gate's KDF), a lockout per account
and per address replayed from the audit table, sessions kept server-side and ended by logout
and by a password reset, and the CSRF token every state-changing form carries."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request

from app import officer as gate_officer
from app.clock import Clock, SystemClock, utc_iso
from server.audit import audit
from server.store import Store, Tx

COOKIE = "gp_officer"
SESSION_HOURS = 12
ACCOUNT_FAILURES = 5  # wrong passwords for one officer within the window lock that officer
ADDRESS_FAILURES = 20  # wrong passwords from one address within the window lock that address
LOCK_MINUTES = 15
TRUSTED_PROXIES_ENV = "GATEPOST_TRUSTED_PROXIES"


# ----------------------------------------------------------------- password hashes
def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> str:
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=128 * 1024 * 1024, dklen=32
    )
    return digest.hex()


def hash_password(password: str, salt: bytes | None = None) -> str:
    """scrypt with the gate's cost, as `scrypt$n$r$p$salt$digest`."""
    salt = salt or os.urandom(16)
    cost = gate_officer.SCRYPT  # read at each call: the gate's cost, whatever it is now
    n, r, p = cost["n"], cost["r"], cost["p"]
    return f"scrypt${n}${r}${p}${salt.hex()}${_scrypt(password, salt, n, r, p)}"


def verify_password(password: str, stored: str) -> bool:
    """True when the password matches a stored scrypt hash or an older PBKDF2 one."""
    parts = stored.split("$")
    if parts[0] == "scrypt" and len(parts) == 6:
        n, r, p = (int(x) for x in parts[1:4])
        digest = _scrypt(password, bytes.fromhex(parts[4]), n, r, p)
    elif parts[0] == "pbkdf2" and len(parts) == 4:  # before #11: kept readable, re-hashed
        raw = hashlib.pbkdf2_hmac(
            "sha256", password.encode("utf-8"), bytes.fromhex(parts[2]), int(parts[1])
        )
        digest = raw.hex()
    else:
        return False
    return secrets.compare_digest(digest, parts[-1])


def _current(stored: str) -> bool:
    cost = gate_officer.SCRYPT
    return stored.startswith(f"scrypt${cost['n']}${cost['r']}${cost['p']}$")


# ----------------------------------------------------------------- officers


def set_officer(
    store: Store, username: str, password: str, clock: Clock | None = None, by: str = "cli"
) -> None:
    """Create an officer login, or reset its password; a reset ends that officer's sessions."""
    if not username or len(password) < 8:
        raise ValueError("a username and a password of 8 or more characters")
    clock = clock or SystemClock()
    hashed = hash_password(password)
    with store.tx() as tx:
        tx.execute(
            "INSERT INTO officers(username, password_hash, created_utc) VALUES (?, ?, ?) "
            "ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash",
            (username, hashed, utc_iso(clock.now())),
        )
        tx.execute("DELETE FROM sessions WHERE username = ?", (username,))
        audit(tx, username, by, "password_set", clock=clock)


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    locked: bool = False


def _since(clock: Clock) -> str:
    return utc_iso(clock.now() - timedelta(minutes=LOCK_MINUTES))


def _locked(tx: Tx, clock: Clock, username: str, address: str) -> bool:
    since = _since(clock)
    last_ok = tx.one(
        "SELECT max(at_utc) AS at FROM officer_audit WHERE action = 'login_ok' AND username = ?",
        (username,),
    )
    account_since = max(since, (last_ok or {}).get("at") or "")
    by_account = tx.one(
        "SELECT count(*) AS n FROM officer_audit WHERE action = 'login_failed' "
        "AND username = ? AND at_utc > ?",
        (username, account_since),
    )
    by_address = tx.one(
        "SELECT count(*) AS n FROM officer_audit WHERE action = 'login_failed' "
        "AND address = ? AND at_utc > ?",
        (address, since),
    )
    return (
        int(by_account["n"] if by_account else 0) >= ACCOUNT_FAILURES
        or int(by_address["n"] if by_address else 0) >= ADDRESS_FAILURES
    )


def login(
    store: Store, username: str, password: str, address: str, clock: Clock | None = None
) -> LoginResult:
    """Check a login: refused while the officer or the address is locked out (the password is
    not even tried then); every attempt is audited; a good login with an older hash re-hashes
    it with scrypt."""
    clock = clock or SystemClock()
    with store.tx() as tx:
        locked = _locked(tx, clock, username, address)
        if locked:
            audit(tx, username, address, "login_locked", clock=clock)
        row = tx.one("SELECT password_hash FROM officers WHERE username = ?", (username,))
    if locked:
        return LoginResult(False, locked=True)
    if row is None:
        hash_password(password, b"0" * 16)  # the same work whether or not the officer exists
        stored, ok = "", False
    else:
        stored = row["password_hash"]
        ok = verify_password(password, stored)
    with store.tx() as tx:
        audit(tx, username, address, "login_ok" if ok else "login_failed", clock=clock)
        if ok and not _current(stored):
            tx.execute(
                "UPDATE officers SET password_hash = ? WHERE username = ? AND password_hash = ?",
                (hash_password(password), username, stored),
            )
    return LoginResult(ok)


def check_officer(store: Store, username: str, password: str) -> bool:
    """True when the password is this officer's (no lockout, no audit: the command line)."""
    with store.tx() as tx:
        row = tx.one("SELECT password_hash FROM officers WHERE username = ?", (username,))
    if row is None:
        hash_password(password, b"0" * 16)  # same time whether or not the user exists
        return False
    return verify_password(password, row["password_hash"])


# ----------------------------------------------------------------- sessions
def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_session(store: Store, username: str, clock: Clock | None = None) -> str:
    """A fresh session token for the cookie; only its hash is stored."""
    clock = clock or SystemClock()
    token = secrets.token_urlsafe(32)
    now = clock.now().astimezone(UTC)
    with store.tx() as tx:
        tx.execute("DELETE FROM sessions WHERE expires_utc < ?", (now.isoformat(),))
        tx.execute(
            "INSERT INTO sessions(token_hash, username, expires_utc) VALUES (?, ?, ?)",
            (_token_hash(token), username, (now + timedelta(hours=SESSION_HOURS)).isoformat()),
        )
    return token


def session_user(store: Store, request: Request, clock: Clock | None = None) -> str | None:
    """The officer this request's cookie belongs to, or None."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    now = (clock or SystemClock()).now().astimezone(UTC)
    with store.tx() as tx:
        row = tx.one(
            "SELECT username, expires_utc FROM sessions WHERE token_hash = ?", (_token_hash(token),)
        )
    if row is None or row["expires_utc"] < now.isoformat():
        return None
    return str(row["username"])


def end_session(store: Store, request: Request) -> None:
    """Logout: the session is gone from the server, not only from the browser."""
    token = request.cookies.get(COOKIE)
    if token:
        with store.tx() as tx:
            tx.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))


def csrf_token(request: Request) -> str:
    """The token the session's forms carry: derived from the HttpOnly cookie, which another
    site can neither read nor make the browser send (SameSite=Strict)."""
    token = request.cookies.get(COOKIE, "")
    return hmac.new(token.encode(), b"gatepost-csrf", hashlib.sha256).hexdigest()


def origin_ok(request: Request) -> bool:
    """No Origin header (an older browser, the command line), or this server's own host; behind
    a TLS proxy the browser's origin is https while we see http, so the host is compared."""
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host", "")


def csrf_ok(request: Request, given: Any) -> bool:
    """The form's token matches this session, and the Origin, when sent, is this server."""
    return (
        origin_ok(request)
        and bool(request.cookies.get(COOKIE))
        and secrets.compare_digest(str(given or ""), csrf_token(request))
    )


# ----------------------------------------------------------------- who is asking
def trusted_proxies(value: Iterable[str] | None = None) -> frozenset[str]:
    """Addresses whose X-Forwarded-For / -Proto we believe (argument, else the environment)."""
    if value is None:
        value = os.environ.get(TRUSTED_PROXIES_ENV, "").split(",")
    return frozenset(v.strip() for v in value if v.strip())


def client_address(request: Request, proxies: frozenset[str]) -> str:
    """The caller's address: the proxy's X-Forwarded-For (last hop) only from a trusted proxy."""
    peer = request.client.host if request.client else ""
    forwarded = request.headers.get("x-forwarded-for", "")
    if peer in proxies and forwarded:
        return forwarded.split(",")[-1].strip()[:100]
    return peer


def is_tls(request: Request, proxies: frozenset[str]) -> bool:
    """Served over TLS: our own scheme, or X-Forwarded-Proto from a trusted proxy."""
    if request.url.scheme == "https":
        return True
    peer = request.client.host if request.client else ""
    return peer in proxies and request.headers.get("x-forwarded-proto", "") == "https"
