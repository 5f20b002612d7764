"""A gate's short code (#15): 6 characters an officer can read out and type, shown on the
officer page and on the gate window, accepted by the command line wherever a device id is.

The code is derived from the device id alone (25 bits of its SHA-256, 5 characters of
Crockford's base32, which has no I, L, O or U) plus a check character (Luhn mod 32 over the
same alphabet), so a gate that was never online shows the same code the server gives it. The
server refuses to enrol a second gate whose code is already taken (gate_code_taken); existing
rows that collided before codes existed get the next derivation (see derive(…, attempt)).
Reading is forgiving as Crockford's is: lower case, I/L → 1, O → 0, spaces and dashes ignored.
"""

from __future__ import annotations

import hashlib
import sqlite3

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
LENGTH = 6  # 5 data characters and a check character
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_READ_AS = {"I": "1", "L": "1", "O": "0"}


def _check(values: list[int]) -> int:
    """Luhn mod 32 check value: catches any one changed character and most swaps of two."""
    n = len(ALPHABET)
    total = 0
    for i, v in enumerate(reversed(values)):
        add = v * 2 if i % 2 == 0 else v
        total += add // n + add % n
    return (n - total % n) % n


def derive(device_id: str, attempt: int = 0) -> str:
    """The code of a device id (attempt > 0: the next code, for rows that collided)."""
    seed = device_id if attempt == 0 else f"{device_id}#{attempt}"
    number = int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest()[:4], "big") >> 7
    values = [(number >> (5 * (4 - i))) & 31 for i in range(LENGTH - 1)]
    return "".join(ALPHABET[v] for v in values + [_check(values)])


def normalise(text: str) -> str:
    """What someone typed, as code characters: upper case, I/L → 1, O → 0, no spaces/dashes."""
    out = []
    for c in (text or "").upper():
        if c in " -":
            continue
        out.append(_READ_AS.get(c, c))
    return "".join(out)


def valid(text: str) -> bool:
    """A whole code with a right check character (after normalise)."""
    code = normalise(text)
    if len(code) != LENGTH or any(c not in _VALUE for c in code):
        return False
    values = [_VALUE[c] for c in code]
    return _check(values[:-1]) == values[-1]


def of_gate(conn: sqlite3.Connection) -> str:
    """This gate's own code, from its device id (what the server gives it at enrolment)."""
    return derive(conn.execute("SELECT device_id FROM device WHERE id = 1").fetchone()[0])


def shown(code: str) -> str:
    """As printed: two groups of three (ABC-123), easier to read out."""
    return f"{code[:3]}-{code[3:]}" if len(code) == LENGTH else code
