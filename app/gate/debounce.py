"""One person holding a code in front of the camera is one scan, not thirty."""

from __future__ import annotations

from app.clock import Clock


class Debouncer:
    """Accepts a payload once per window; each sighting within the window extends it."""

    def __init__(self, clock: Clock, window_seconds: float = 10.0) -> None:
        self._clock = clock
        self.window_seconds = window_seconds
        self._last_seen: dict[str, float] = {}

    def accept(self, payload: str) -> bool:
        now = self._clock.monotonic()
        last = self._last_seen.get(payload)
        self._last_seen[payload] = now
        self._forget_older_than(now - self.window_seconds)
        return last is None or now - last > self.window_seconds

    def reset(self, payload: str | None = None) -> None:
        if payload is None:
            self._last_seen.clear()
        else:
            self._last_seen.pop(payload, None)

    def _forget_older_than(self, cutoff: float) -> None:
        if len(self._last_seen) > 256:
            self._last_seen = {k: v for k, v in self._last_seen.items() if v >= cutoff}
