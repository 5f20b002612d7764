"""Regenerate resources/icons/gatepost.{png,ico}: a gate with a tick, drawn here (no assets)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZE = 256
GREEN = (22, 128, 64, 255)
WHITE = (255, 255, 255, 255)
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]


def draw(size: int = SIZE) -> Image.Image:
    """Green rounded square, two white gate posts with a lintel, a tick between them."""
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    s = size / 256
    d.rounded_rectangle((8 * s, 8 * s, 248 * s, 248 * s), radius=44 * s, fill=GREEN)
    d.rectangle((48 * s, 64 * s, 76 * s, 212 * s), fill=WHITE)  # left post
    d.rectangle((180 * s, 64 * s, 208 * s, 212 * s), fill=WHITE)  # right post
    d.rectangle((36 * s, 44 * s, 220 * s, 70 * s), fill=WHITE)  # lintel
    tick = [(92 * s, 140 * s), (120 * s, 170 * s), (166 * s, 104 * s)]
    d.line(tick, fill=WHITE, width=int(18 * s), joint="curve")
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    img = draw()
    img.save(OUT / "gatepost.png")
    img.save(OUT / "gatepost.ico", sizes=ICO_SIZES)
    print(f"wrote {OUT / 'gatepost.png'} and {OUT / 'gatepost.ico'}")


if __name__ == "__main__":
    main()
