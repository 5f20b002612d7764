"""`main.py decode IMAGE...`: one JSON line per image, errors as lines too, never a traceback."""

from __future__ import annotations

import json
import sys
import time
from typing import IO

import numpy as np

from app.errors import KnownError

from .decoder import FrameDecoder
from .image import load_image
from .payload import classify_payload


def _load(path: str) -> np.ndarray:
    """Read an image within limits (app.scan.image); raise ValueError with the reason."""
    try:
        return load_image(path)
    except KnownError as exc:
        raise ValueError(exc.message("en")) from None


def decode_one(path: str, decoder: FrameDecoder) -> dict:
    """The JSON object for one file; payloads the gate must refuse are reported, never shown."""
    try:
        img = _load(path)
        t0 = time.perf_counter()
        found = decoder.decode(img)
        ms = round((time.perf_counter() - t0) * 1000.0, 1)
    except ValueError as e:
        return {"file": path, "error": str(e)}
    except Exception as e:  # noqa: BLE001 - the command promises a line, not a traceback
        return {"file": path, "error": f"internal error: {type(e).__name__}"}
    if not found:
        return {"file": path, "found": False, "text": None, "color": None, "ms": ms}
    r = found[0]
    line: dict = {"file": path, "found": True, "text": r.text, "color": r.color, "ms": ms}
    p = classify_payload(r.text)
    line["kind"] = p.kind
    if p.kind == "refused":
        line["text"] = None
        line["reason"] = p.reason
    if len(found) > 1:
        line["codes"] = len(found)
    return line


def decode_command(paths: list[str], out: IO[str] = sys.stdout) -> int:
    """Decode each image in order, one JSON object per line; 1 if any file gave an error, else 0."""
    decoder = FrameDecoder()
    status = 0
    for path in paths:
        line = decode_one(path, decoder)
        status |= "error" in line
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
        out.flush()
    return 1 if status else 0


if __name__ == "__main__":
    raise SystemExit(decode_command(sys.argv[1:]))
