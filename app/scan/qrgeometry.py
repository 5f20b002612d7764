"""The fixed geometry of a QR symbol (ISO/IEC 18004): its side, the format information and
where it sits, the function patterns, the order of the data modules and the masks. What
app/scan/qrcodec.py decodes with; the alignment positions come from the `qrcode` package."""

from __future__ import annotations

from functools import cache

import numpy as np
from qrcode.util import pattern_position

_FORMAT_MASK = 0x5412


def side(version: int) -> int:
    """Modules per side of a symbol of this version."""
    return 17 + 4 * version


def _bch(value: int, poly: int, degree: int) -> int:
    """The BCH remainder of value shifted by degree, for the format and version words."""
    r = value << degree
    top = poly.bit_length() - 1
    while r.bit_length() - 1 >= top:
        r ^= poly << (r.bit_length() - 1 - top)
    return (value << degree) | r


@cache
def format_words() -> tuple[tuple[int, int, int], ...]:
    """All 32 valid format words: (15-bit word as placed, ec bits, mask)."""
    return tuple(
        (_bch((ec << 3) | mask, 0x537, 10) ^ _FORMAT_MASK, ec, mask)
        for ec in range(4)
        for mask in range(8)
    )


def format_positions(n: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Where bit i (0 = least significant) of the format word sits, in both copies: (row, col)."""
    first = [
        (i if i < 6 else i + 1, 8) if i < 8 else (8, 14 - i if i > 8 else 7) for i in range(15)
    ]
    second = [(8, n - 1 - i) if i < 8 else (n - 15 + i, 8) for i in range(15)]
    return first, second


def _alignment_centres(version: int) -> list[tuple[int, int]]:
    """Centres of the alignment patterns: every pair of listed positions but the three that
    would sit on a finder pattern (those on the timing lines are real and cross them)."""
    pos = list(pattern_position(version))
    if not pos:
        return []
    first, last = pos[0], pos[-1]
    corners = {(first, first), (first, last), (last, first)}
    return [(r, c) for r in pos for c in pos if (r, c) not in corners]


@cache
def function_mask(version: int) -> np.ndarray:
    """True where a module belongs to a function pattern, format or version area (no data)."""
    n = side(version)
    m = np.zeros((n, n), bool)
    m[:9, :9] = True
    m[:9, n - 8 :] = True
    m[n - 8 :, :9] = True
    m[6, :] = True
    m[:, 6] = True
    for r, c in _alignment_centres(version):
        m[r - 2 : r + 3, c - 2 : c + 3] = True
    if version >= 7:
        m[:6, n - 11 : n - 8] = True
        m[n - 11 : n - 8, :6] = True
    return m


@cache
def expected_function(version: int) -> tuple[np.ndarray, np.ndarray]:
    """The known dark (1) / light (0) modules of finders, separators, timing and alignment
    patterns, and a mask of where they are known; used to choose the version and check a grid."""
    n = side(version)
    val = np.zeros((n, n), np.int8)
    known = np.zeros((n, n), bool)

    def finder(r0: int, c0: int) -> None:
        for dr in range(-1, 8):
            for dc in range(-1, 8):
                r, c = r0 + dr, c0 + dc
                if 0 <= r < n and 0 <= c < n:
                    ring = max(abs(dr - 3), abs(dc - 3))
                    val[r, c] = 1 if ring in (0, 1, 3) else 0
                    known[r, c] = True

    finder(0, 0)
    finder(0, n - 7)
    finder(n - 7, 0)
    for i in range(8, n - 8):
        val[6, i] = val[i, 6] = 1 - i % 2
        known[6, i] = known[i, 6] = True
    for r, c in _alignment_centres(version):
        for dr in range(-2, 3):
            for dc in range(-2, 3):
                val[r + dr, c + dc] = 1 if max(abs(dr), abs(dc)) != 1 else 0
                known[r + dr, c + dc] = True
    val[n - 8, 8] = 1
    known[n - 8, 8] = True
    return val, known


@cache
def data_order(version: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of the data modules in reading order (two-column zigzag from the
    bottom right, skipping the vertical timing column)."""
    n = side(version)
    fm = function_mask(version)
    rows, cols = [], []
    col = n - 1
    upward = True
    while col > 0:
        if col == 6:
            col -= 1
        rng = range(n - 1, -1, -1) if upward else range(n)
        for r in rng:
            for c in (col, col - 1):
                if not fm[r, c]:
                    rows.append(r)
                    cols.append(c)
        upward = not upward
        col -= 2
    return np.asarray(rows), np.asarray(cols)


@cache
def mask_grid(mask: int, n: int) -> np.ndarray:
    """True where data mask pattern `mask` inverts a module."""
    i, j = np.indices((n, n))
    return [
        (i + j) % 2 == 0,
        i % 2 == 0,
        j % 3 == 0,
        (i + j) % 3 == 0,
        (i // 2 + j // 3) % 2 == 0,
        (i * j) % 2 + (i * j) % 3 == 0,
        ((i * j) % 2 + (i * j) % 3) % 2 == 0,
        ((i * j) % 3 + (i + j) % 2) % 2 == 0,
    ][mask]
