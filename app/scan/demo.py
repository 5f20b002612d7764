"""A built-in camera that shows a phone with green, yellow and red health codes in turn,
and one light-on-dark code (a dark-mode phone or a WeChat-style code: light modules on colour).

A newcomer with no webcam sees the whole flow; tests drive it with their own clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import qrcode

# BGR module colours close to those of real health-code apps
CODE_BGR = {
    "green": (60, 160, 20),
    "yellow": (20, 190, 245),
    "red": (40, 40, 215),
    "black": (20, 20, 20),
}


@dataclass(frozen=True)
class DemoCard:
    color: str  # module colour (for a light-on-dark card: the colour behind light modules)
    payload: str
    light_on_dark: bool = False


DEFAULT_CARDS: tuple[DemoCard, ...] = (
    DemoCard("green", "https://jkm.demo.gatepost.invalid/v1?u=demo-0001&t=GREEN-7f3a"),
    DemoCard("yellow", "https://jkm.demo.gatepost.invalid/v1?u=demo-0002&t=YELLOW-19c2"),
    DemoCard("red", "https://jkm.demo.gatepost.invalid/v1?u=demo-0003&t=RED-55e0"),
    DemoCard("green", "https://jkm.demo.gatepost.invalid/v1?u=demo-0004&t=GREEN-a8b1"),
    DemoCard("green", "https://jkm.demo.gatepost.invalid/v1?u=demo-0005&t=GREEN-DARK-3c9d", True),
)
LIGHT_MODULES_BGR = (235, 245, 240)  # what a light-on-dark code draws its modules in


def render_qr(
    payload: str, color: str, module_px: int = 6, light_on_dark: bool = False
) -> np.ndarray:
    """A clean QR in the given module colour on white, BGR; light_on_dark: light modules on the
    colour instead (the quiet zone in the colour too), as dark-mode and WeChat-style codes."""
    qr = qrcode.QRCode(border=2, box_size=1, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(payload)
    qr.make(fit=True)
    matrix = np.array(qr.get_matrix(), dtype=bool)
    ink = CODE_BGR.get(color, CODE_BGR["black"])
    img = np.empty(matrix.shape + (3,), dtype=np.uint8)
    img[:] = ink if light_on_dark else (255, 255, 255)
    img[matrix] = LIGHT_MODULES_BGR if light_on_dark else ink
    return cv2.resize(img, None, fx=module_px, fy=module_px, interpolation=cv2.INTER_NEAREST)


def render_phone(card: DemoCard, size: tuple[int, int] = (640, 480), t: float = 0.0) -> np.ndarray:
    """A frame: a hand-held phone (slight sway) showing the card's code on a booth background."""
    w, h = size
    frame = np.full((h, w, 3), (88, 96, 104), dtype=np.uint8)
    cv2.rectangle(frame, (0, int(h * 0.75)), (w, h), (60, 66, 72), -1)  # the desk
    qr = render_qr(card.payload, card.color, light_on_dark=card.light_on_dark)
    qh, qw = qr.shape[:2]
    pw, ph = qw + 40, qh + 150
    sway = int(6 * np.sin(t * 2.1))
    x0 = (w - pw) // 2 + sway
    y0 = max(4, (h - ph) // 2 + int(4 * np.cos(t * 1.7)))
    cv2.rectangle(frame, (x0 - 8, y0 - 8), (x0 + pw + 8, y0 + ph + 8), (30, 30, 30), -1)
    screen = (24, 24, 24) if card.light_on_dark else (250, 250, 250)  # dark mode
    cv2.rectangle(frame, (x0, y0), (x0 + pw, y0 + ph), screen, -1)
    band = CODE_BGR.get(card.color, CODE_BGR["black"])
    cv2.rectangle(frame, (x0, y0), (x0 + pw, y0 + 50), band, -1)
    cv2.putText(
        frame,
        "HEALTH CODE",
        (x0 + 14, y0 + 34),
        cv2.FONT_HERSHEY_SIMPLEX,
        0.8,
        (255, 255, 255),
        2,
        cv2.LINE_AA,
    )
    qy = y0 + 70
    y1, x1 = min(h, qy + qh), min(w, x0 + 20 + qw)
    frame[qy:y1, x0 + 20 : x1] = qr[: y1 - qy, : x1 - x0 - 20]
    return frame


class DemoSource:
    """Cycles: nobody → a phone with a card → nobody → the next card …"""

    def __init__(
        self,
        cards: Sequence[DemoCard] = DEFAULT_CARDS,
        show_seconds: float = 3.0,
        gap_seconds: float = 2.0,
        fps: float = 15.0,
        clock: Callable[[], float] = time.monotonic,
        size: tuple[int, int] = (640, 480),
    ) -> None:
        self.name = "demo"
        self.fps = fps
        self.cards = list(cards)
        self.show_seconds = show_seconds
        self.gap_seconds = gap_seconds
        self._clock = clock
        self._size = size
        self._start = 0.0
        self._cache: dict[int, np.ndarray] = {}

    def open(self) -> None:
        self._start = self._clock()

    def current_card(self) -> DemoCard | None:
        period = self.show_seconds + self.gap_seconds
        elapsed = self._clock() - self._start
        slot = int(elapsed // period)
        if elapsed - slot * period < self.gap_seconds:
            return None
        return self.cards[slot % len(self.cards)]

    def read(self) -> np.ndarray:
        card = self.current_card()
        t = self._clock() - self._start
        if card is None:
            w, h = self._size
            frame = np.full((h, w, 3), (88, 96, 104), dtype=np.uint8)
            cv2.rectangle(frame, (0, int(h * 0.75)), (w, h), (60, 66, 72), -1)
            return frame
        return render_phone(card, self._size, t)

    def close(self) -> None:
        self._cache.clear()
