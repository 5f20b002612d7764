"""Officer logins and sessions: password hashes, the session cookie, who is logged in."""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import UTC, datetime, timedelta

from starlette.requests import Request

from server.store import Store, utc_now

COOKIE = "gp_officer"
SESSION_HOURS = 12
ITERATIONS = 120_000


def _pw_hash(password: str, salt: bytes) -> str:
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, ITERATIONS)
    return f"pbkdf2${ITERATIONS}${salt.hex()}${digest.hex()}"


def set_officer(store: Store, username: str, password: str) -> None:
    """Create an officer login, or reset its password."""
    if not username or len(password) < 8:
        raise ValueError("a username and a password of 8 or more characters")
    hashed = _pw_hash(password, os.urandom(16))
    with store.tx() as tx:
        tx.execute(
            "INSERT INTO officers(username, password_hash, created_utc) VALUES (?, ?, ?) "
            "ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash",
            (username, hashed, utc_now()),
        )


def check_officer(store: Store, username: str, password: str) -> bool:
    """True when the password is this officer's (the same work whether or not they exist)."""
    with store.tx() as tx:
        row = tx.one("SELECT password_hash FROM officers WHERE username = ?", (username,))
    if row is None:
        _pw_hash(password, b"0" * 16)  # same time whether or not the user exists
        return False
    _, iterations, salt, _digest = row["password_hash"].split("$")
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(iterations))
    expected = f"pbkdf2${iterations}${salt}${digest.hex()}"
    return secrets.compare_digest(expected, row["password_hash"])


def new_session(store: Store, username: str) -> str:
    """A fresh session token for the cookie; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    expires = (datetime.now(UTC) + timedelta(hours=SESSION_HOURS)).isoformat()
    with store.tx() as tx:
        tx.execute(
            "INSERT INTO sessions(token_hash, username, expires_utc) VALUES (?, ?, ?)",
            (hashlib.sha256(token.encode()).hexdigest(), username, expires),
        )
    return token


def session_user(store: Store, request: Request) -> str | None:
    """The officer this request's cookie belongs to, or None."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    with store.tx() as tx:
        row = tx.one(
            "SELECT username, expires_utc FROM sessions WHERE token_hash = ?",
            (hashlib.sha256(token.encode()).hexdigest(),),
        )
    if row is None or row["expires_utc"] < datetime.now(UTC).isoformat():
        return None
    return str(row["username"])
