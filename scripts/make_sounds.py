"""Regenerate resources/sounds/*.wav (short tones; no external assets, no licence questions)."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "resources" / "sounds"
RATE = 22050


def tone(path: Path, parts: list[tuple[float, float]], volume: float = 0.6) -> None:
    frames = bytearray()
    for freq, seconds in parts:
        n = int(RATE * seconds)
        for i in range(n):
            env = min(1.0, i / 200, (n - i) / 200)  # no clicks
            sample = volume * env * math.sin(2 * math.pi * freq * i / RATE) if freq else 0.0
            frames += struct.pack("<h", int(sample * 32767))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(frames))


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    tone(OUT / "alarm.wav", [(880, 0.18), (0, 0.05), (660, 0.18), (0, 0.05)] * 3)
    tone(OUT / "ok.wav", [(1320, 0.08)], volume=0.35)
    tone(OUT / "refused.wav", [(440, 0.25), (0, 0.05), (330, 0.35)], volume=0.5)
