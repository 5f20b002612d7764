"""Full-jitter exponential backoff, 2 s to 10 min, honouring Retry-After; sleep is injectable."""

from __future__ import annotations

import random
import time
from collections.abc import Callable


class Backoff:
    def __init__(
        self,
        base: float = 2.0,
        cap: float = 600.0,
        rng: random.Random | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.base = base
        self.cap = cap
        self.rng = rng or random.Random()
        self.sleep = sleep or time.sleep
        self.attempt = 0

    def reset(self) -> None:
        self.attempt = 0

    def next_delay(self, retry_after: float | None = None) -> float:
        """The next wait: uniform in [base, base·2^n], capped, never below Retry-After."""
        self.attempt += 1
        ceiling = min(self.cap, self.base * (2 ** (self.attempt - 1)))
        delay = self.rng.uniform(self.base, max(self.base, ceiling))
        if retry_after is not None:
            delay = max(delay, min(self.cap, retry_after))
        return min(delay, self.cap)

    def wait(self, retry_after: float | None = None) -> float:
        delay = self.next_delay(retry_after)
        self.sleep(delay)
        return delay
