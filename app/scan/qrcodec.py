"""A QR decoder of our own for the codes zxing locates but cannot correct: reads a grid of soft
module values (dark-ness with a confidence, or unknown) and decodes it with erasures.

Why: saturated glare over part of a code makes those modules read as light. A reader that takes
them as light counts each wrong codeword as an *error*; one that knows they are unknown can count
them as *erasures*, and Reed-Solomon corrects twice as many erasures as errors. The decoder also
tries, per block, erasing the least reliable codewords first (generalized minimum distance
decoding), which recovers codes where blur or noise leaves many modules near the threshold.

Safety: a decoded block must keep at least SLACK check symbols unused (so a wrong block is
about as likely as guessing SLACK bytes), the bit stream must parse to the end with the
standard padding after it, and byte-mode text must be valid UTF-8. Only the table of block
sizes and the alignment pattern positions are taken from the `qrcode` package (both are fixed
by ISO/IEC 18004); the rest follows the standard.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import reedsolo
from qrcode.base import rs_blocks

from .qrgeometry import (
    data_order,
    format_positions,
    format_words,
    mask_grid,
    side,
)

SLACK = 3  # check symbols of each block left unused by a decode (wrong block ~ 256**-SLACK)
EC_LEVELS = {1: "L", 0: "M", 3: "Q", 2: "H"}  # format-info bits -> level

# reedsolo keeps its Galois field tables in module globals, empty until initialised: QR codes use
# GF(256) with the polynomial 0x11d and generator 2. Nothing else in Gatepost uses reedsolo.
reedsolo.init_tables(0x11D, 2, 8)
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


@dataclass(frozen=True)
class GridRead:
    """What decode_grid made of a module grid."""

    text: str
    version: int
    ec_level: str
    erasures: int  # codewords decoded as erasures, all blocks
    errors: int  # codewords corrected as errors, all blocks


def read_format(soft: np.ndarray) -> tuple[int, int, float] | None:
    """(ec bits, mask, agreement) of the format word best matching both copies, or None.

    soft: dark-ness in [-1, 1] per module (0 = unknown). The score of a candidate is the sum of
    soft agreements over both copies; a candidate more than 3 hard bit-flips from each copy
    that has known bits is refused.
    """
    n = soft.shape[0]
    a, b = format_positions(n)
    sa = np.array([soft[p] for p in a])
    sb = np.array([soft[p] for p in b])
    best = None
    for word, ec, mask in format_words():
        bits = np.array([(word >> i) & 1 for i in range(15)]) * 2 - 1
        score = float((bits * sa).sum() + (bits * sb).sum())
        if best is None or score > best[0]:
            best = (score, word, ec, mask, bits)
    assert best is not None
    score, _w, ec, mask, bits = best
    flips = [int(((s * bits) < 0).sum()) for s in (sa, sb) if np.abs(s).max() > 0]
    if not flips or min(flips) > 3 or score <= 0:
        return None
    return ec, mask, score


def decode_grid(soft: np.ndarray, version: int) -> GridRead | None:
    """Decode a grid of soft module values (dark-ness in [-1, 1], 0 = unknown) of this version."""
    n = side(version)
    if soft.shape != (n, n):
        return None
    fmt = read_format(soft)
    if fmt is None:
        return None
    ec, mask, _score = fmt
    rows, cols = data_order(version)
    vals = soft[rows, cols] * np.where(mask_grid(mask, n)[rows, cols], -1.0, 1.0)
    blocks = rs_blocks(version, ec)
    total = sum(b.total_count for b in blocks)
    vals = vals[: total * 8].reshape(total, 8)
    bits = (vals > 0).astype(np.uint8)
    words = np.packbits(bits, axis=1).ravel()
    rel = np.abs(vals).min(axis=1)  # a codeword is as reliable as its weakest module
    # de-interleave: data codewords go round the blocks, then the check codewords
    idx: list[list[int]] = [[] for _ in blocks]
    k = 0
    for i in range(max(b.data_count for b in blocks)):
        for bi, b in enumerate(blocks):
            if i < b.data_count:
                idx[bi].append(k)
                k += 1
    for i in range(max(b.total_count - b.data_count for b in blocks)):
        for bi, b in enumerate(blocks):
            if i < b.total_count - b.data_count:
                idx[bi].append(k)
                k += 1
    data = bytearray()
    n_era = n_err = 0
    for b, ix in zip(blocks, idx, strict=True):
        got = _decode_block(words[ix], rel[ix], b.total_count - b.data_count)
        if got is None:
            return None
        msg, e, t = got
        data += msg[: b.data_count]
        n_era += e
        n_err += t
    text = parse_stream(bytes(data), version)
    if text is None:
        return None
    return GridRead(text, version, EC_LEVELS[ec], n_era, n_err)


def _decode_block(words: np.ndarray, rel: np.ndarray, nsym: int) -> tuple[bytes, int, int] | None:
    """Reed-Solomon decode one block, erasing the least reliable codewords first (GMD).

    Returns (corrected block, erasures, errors) or None when no trial keeps SLACK check
    symbols unused.
    """
    words = np.asarray(words, np.int64)
    if not _syndromes(words, nsym).any():
        return bytes(words.astype(np.uint8)), 0, 0  # a clean block
    order = np.argsort(rel, kind="stable")
    unknown = int((rel <= 0).sum())  # codewords with an unknown module are always erased
    for e in [unknown] + list(range(unknown + 2, nsym - SLACK + 1, 2)):
        if e > nsym - SLACK:
            break
        erase = sorted(int(i) for i in order[:e])
        fixed = _correct(words, nsym, erase)
        if fixed is None:
            continue
        errors = int((fixed != words).sum()) - int((fixed[erase] != words[erase]).sum())
        if 2 * errors + e <= nsym - SLACK:
            return bytes(fixed.astype(np.uint8)), e, errors
    return None


def _correct(words: np.ndarray, nsym: int, erase: list[int]) -> np.ndarray | None:
    """Errors-and-erasures decoding of one block (Berlekamp-Massey on the Forney syndromes, then
    Forney's formula), with reedsolo's polynomial steps and numpy for the two O(n * nsym) parts:
    the syndromes and the search for the error locator's roots."""
    msg = words.copy()
    msg[erase] = 0
    synd = _syndromes(msg, nsym)
    if not synd.any():
        return msg if not erase else None  # erased symbols that are all zero: let a check decide
    n = len(msg)
    synd_l = [0] + [int(v) for v in synd]
    try:
        fsynd = reedsolo.rs_forney_syndromes(synd_l, erase, n, 2)
        loc = reedsolo.rs_find_error_locator(fsynd, nsym, erase_count=len(erase))
    except reedsolo.ReedSolomonError:
        return None
    errs = _roots(list(loc[::-1]), n)
    if errs is None:
        return None
    try:
        out = reedsolo.rs_correct_errata(
            bytearray(msg.astype(np.uint8).tobytes()), synd_l, erase + errs, 0, 2
        )
    except (reedsolo.ReedSolomonError, ZeroDivisionError, ValueError):
        return None
    fixed = np.frombuffer(bytes(out), np.uint8).astype(np.int64)
    return fixed if not _syndromes(fixed, nsym).any() else None


def _roots(err_loc: list[int], n: int) -> list[int] | None:
    """Positions whose locator evaluates to zero (a vectorised Chien search); None when their
    number does not match the locator's degree (more errors than the code can place)."""
    deg = len(err_loc) - 1
    if deg == 0:
        return []
    coef = np.asarray(err_loc, np.int64)  # highest degree first, as reedsolo keeps them
    i = np.arange(n)
    acc = np.zeros(n, np.int64)
    for k, c in enumerate(coef):
        if c:
            acc ^= _EXP[(_LOG[c] + (deg - k) * i) % 255]
    pos = [n - 1 - int(j) for j in np.nonzero(acc == 0)[0]]
    return pos if len(pos) == deg else None


_EXP = np.array(reedsolo.gf_exp[:255], np.int64)
_LOG = np.array(reedsolo.gf_log, np.int64)


def _syndromes(words: np.ndarray, nsym: int) -> np.ndarray:
    """The block's nsym syndromes (all zero for a valid codeword), vectorised."""
    c = np.asarray(words, np.int64)
    nz = c != 0
    powers = (len(c) - 1 - np.arange(len(c)))[nz]
    logs = _LOG[c[nz]]
    j = np.arange(nsym)[:, None]
    terms = _EXP[(logs[None, :] + j * powers[None, :]) % 255]
    return np.bitwise_xor.reduce(terms, axis=1) if terms.size else np.zeros(nsym, np.int64)


def parse_stream(data: bytes, version: int) -> str | None:
    """The text of a QR data bit stream; None unless it parses cleanly to standard padding."""
    bits = "".join(f"{b:08b}" for b in data)
    pos = 0
    band = 0 if version <= 9 else 1 if version <= 26 else 2
    count_bits = {1: (10, 12, 14), 2: (9, 11, 13), 4: (8, 16, 16), 8: (8, 10, 12)}
    out: list[str] = []
    raw = bytearray()
    encoding = "utf-8"

    def take(k: int) -> int | None:
        nonlocal pos
        if pos + k > len(bits):
            return None
        v = int(bits[pos : pos + k], 2)
        pos += k
        return v

    def flush() -> bool:
        if raw:
            try:
                out.append(raw.decode(encoding))
            except (UnicodeDecodeError, LookupError):
                return False
            raw.clear()
        return True

    while True:
        if len(bits) - pos < 4:  # no room for a terminator: what is left must be zero bits
            if "1" in bits[pos:]:
                return None
            break
        mode = take(4)
        if mode == 0:
            break
        if mode == 7:  # ECI: only UTF-8 (26) and ASCII / Latin-1 designators are accepted
            first = take(8)
            if first is None or first & 0x80:
                return None
            if not flush():
                return None
            encoding = {26: "utf-8", 3: "latin-1", 27: "ascii"}.get(first, "")
            if not encoding:
                return None
            continue
        if mode not in count_bits:
            return None
        count = take(count_bits[mode][band])
        if count is None:
            return None
        if mode == 4:
            for _ in range(count):
                v = take(8)
                if v is None:
                    return None
                raw.append(v)
            continue
        if not flush():
            return None
        if mode == 1:
            s = []
            for _ in range(count // 3):
                v = take(10)
                if v is None or v > 999:
                    return None
                s.append(f"{v:03d}")
            rest = count % 3
            if rest:
                v = take(4 if rest == 1 else 7)
                if v is None or v >= 10**rest:
                    return None
                s.append(f"{v:0{rest}d}")
            out.append("".join(s))
        elif mode == 2:
            s = []
            for _ in range(count // 2):
                v = take(11)
                if v is None or v >= 45 * 45:
                    return None
                s.append(_ALNUM[v // 45] + _ALNUM[v % 45])
            if count % 2:
                v = take(6)
                if v is None or v >= 45:
                    return None
                s.append(_ALNUM[v])
            out.append("".join(s))
        else:  # kanji (Shift-JIS pairs): not used by health codes; refuse rather than guess
            return None
    if not flush():
        return None
    # after the terminator: zero bits to the byte boundary, then 0xEC 0x11 alternating
    aligned = (pos + 7) // 8 * 8
    if "1" in bits[pos:aligned]:
        return None
    pos = aligned
    pad = data[pos // 8 :].lstrip(b"\x00")  # some encoders (segno) put a zero byte first
    if any(v != (0xEC, 0x11)[i % 2] for i, v in enumerate(pad)):
        return None
    text = "".join(out)
    return text or None
