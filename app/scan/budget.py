"""The decoder's budget: a fixed charge in work units for each step, so a frame gets the same
steps, and the same answer, on an idle and on a loaded machine (#14)."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

STEP_MS = 3.0  # typical cost of one crop view (prepare + zxing) on this class of machine
CPU_CAP_MS = 250.0  # a safety net only: no decode takes more CPU time than this (or 5 budgets)

# The budget is counted in work units, not time: each step is charged a fixed cost from the
# pixels it touches (CPU ms per megapixel, medians measured on the 2-core build VM with
# thread_time), so a frame takes the same steps, and gives the same answer, on an idle and on a
# loaded machine (issue #14: with a wall-clock budget 3 images flipped across 3 runs).
MS_PER_MP = {
    "zxing": 2.0,  # one zxing pass over a view (twice when a light-on-dark retry also misses)
    "find": 4.6,  # the candidate finder, per frame pixel
    "clahe": 4.0,
    "min": 0.6,
    "crop": 17.0,  # best channel + cubic upscale, per crop pixel
    "sharp": 5.6,  # stretch + unsharp, per upscaled pixel
    "psf": 20.0,  # measuring the blur (once per channel), per crop pixel
    "wiener": 28.0,  # deconvolution + upscale, per crop pixel
    "stretch": 6.1,  # local min/max flattening, per upscaled pixel
}
ZX_FIXED_MS = 0.1


def cost(kind: str, pixels: int) -> float:
    """The fixed charge for one step of the given kind over that many pixels (work units)."""
    return MS_PER_MP[kind] * pixels / 1e6


class Deadline:
    """The budget shared by every stage of one decode: work units by default (deterministic),
    or time read from a clock when one is given (the benchmark's wall-clock baseline)."""

    def __init__(
        self,
        budget_ms: float,
        keep_going: Callable[[], bool] = lambda: True,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.clock = clock
        self.budget = budget_ms
        self.spent = 0.0
        self.last = STEP_MS
        # the thread's CPU time (a system call, ~0.1 ms here: read every fourth step only)
        self.cap = time.thread_time() + max(CPU_CAP_MS, 5 * budget_ms) / 1000.0
        self.steps = 0
        self.end = clock() + budget_ms / 1000.0 if clock is not None else 0.0
        self.keep_going = keep_going
        self.mark: float | None = None

    def charge(self, units: float) -> None:
        """Count a finished step's fixed cost (ignored when the budget is a clock)."""
        self.spent += units
        self.last = units

    def left(self, need_ms: float = 0.0) -> bool:
        """True while at least need_ms remain (a step that cannot finish is not started)."""
        if not self.keep_going():
            return False
        if self.clock is not None:
            return self.clock() + need_ms / 1000.0 < self.end
        return self.spent + need_ms < self.budget

    def step_left(self) -> bool:
        """True if another step like the last one fits."""
        if self.clock is None:
            self.steps += 1
            if self.steps % 4 == 0 and time.thread_time() > self.cap:
                return False
            return self.left(max(STEP_MS, self.last))
        now = self.clock()
        last = (now - self.mark) * 1000.0 if self.mark is not None else STEP_MS
        self.mark = now
        return self.left(max(STEP_MS, last))


def zx_cost(view: np.ndarray) -> float:
    """The fixed charge for one zxing pass over a view that read nothing."""
    return ZX_FIXED_MS + cost("zxing", view.shape[0] * view.shape[1])
