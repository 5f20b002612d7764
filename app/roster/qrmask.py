"""The QR mask choice of the `qrcode` package, made with numpy (#12).

To choose a mask, `qrcode` places the data 8 times (once per mask) and scores each with the
standard's four penalty rules, all in pure Python: most of the 7.2 ms CPU a pass card's matrix
takes, holding the GIL while the GUI thread waits (3.8 ms here). This places it once, applies
the masks as arrays and scores with `lost_point`, so the same mask is chosen and the printed
code is the same (tests/unit/test_qrmask.py checks both against the package).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import qrcode

from app.scan.qrgeometry import mask_grid

# 1:1:3:1:1 dark-light-dark-light-dark with 4 light modules after or before it
_FINDER = np.array([1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0], dtype=bool)
_FINDER_BACK = _FINDER[::-1].copy()


def _runs(a: np.ndarray) -> int:
    """Rule 1: every run of 5 or more same-colour modules in a row costs its length - 2."""
    cells = np.concatenate([a.astype(np.int8), np.full((a.shape[0], 1), 2, np.int8)], axis=1)
    flat = cells.ravel()
    starts = np.flatnonzero(np.concatenate(([True], flat[1:] != flat[:-1])))
    lengths = np.diff(np.append(starts, flat.size))
    real = flat[starts] != 2
    return int((lengths[real & (lengths >= 5)] - 2).sum())


def _finders(a: np.ndarray) -> int:
    """Rule 3: each finder-like pattern in a row costs 40."""
    windows = np.lib.stride_tricks.sliding_window_view(a, 11, axis=1)
    hits = (windows == _FINDER).all(axis=-1) | (windows == _FINDER_BACK).all(axis=-1)
    return 40 * int(hits.sum())


def lost_point(modules: np.ndarray) -> int:
    """qrcode.util.lost_point for a square bool matrix."""
    m = np.asarray(modules, dtype=bool)
    n = m.shape[0]
    score = _runs(m) + _runs(m.T) + _finders(m) + _finders(m.T)
    top = m[:-1, :-1]
    same = (top == m[1:, :-1]) & (top == m[:-1, 1:]) & (top == m[1:, 1:])
    score += 3 * int(same.sum())  # rule 2: each 2×2 block of one colour
    percent = float(m.sum()) / (n * n)
    return score + int(abs(percent * 100 - 50) / 5) * 10  # rule 4: dark share far from half


class QRCode(qrcode.QRCode):
    """qrcode.QRCode that places the data once and tries the 8 masks on arrays (the package
    places it 8 times, once per mask, and scores each in pure Python)."""

    _free: np.ndarray | None = None

    def map_data(self, data: Sequence[int], mask_pattern: int) -> None:
        if self._free is None:  # the modules the data goes into: all not yet set
            self._free = np.array([[v is None for v in row] for row in self.modules])
        super().map_data(data, mask_pattern)

    def best_mask_pattern(self) -> int:
        self._free = None
        self.makeImpl(True, 0)  # test: the format bits stay light, whichever the mask
        free, self._free = self._free, None
        placed = np.array(self.modules, dtype=bool)
        grids = [mask_grid(p, placed.shape[0]) for p in range(8)]
        unmasked = placed ^ (free & grids[0])
        scores = [lost_point(unmasked ^ (free & grid)) for grid in grids]
        return int(np.argmin(scores))  # the first of equal scores, as the package does
