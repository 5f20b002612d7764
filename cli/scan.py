"""`decode IMAGE...`: one JSON line per image, errors as lines too, never a traceback."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import IO, TYPE_CHECKING, Any

from cli.common import Commands

if TYPE_CHECKING:
    from app.scan.decoder import FrameDecoder


def register(cmds: Commands) -> None:
    p = cmds.add("decode", cmd_decode, help="read health-code QR images, one JSON line each")
    p.add_argument("images", nargs="+", metavar="IMAGE")


def cmd_decode(args: argparse.Namespace) -> int:
    """Read the QR code in each image; one JSON line per image."""
    return decode_command(args.images)


def decode_one(path: str, decoder: FrameDecoder) -> dict[str, Any]:
    """The JSON object for one file; payloads the gate must refuse are reported, never shown."""
    from app.errors import KnownError
    from app.scan.image import load_image
    from app.scan.payload import classify_payload

    try:
        img = load_image(path)  # within limits: a bomb is refused from its header (#13)
        t0 = time.perf_counter()
        found = decoder.decode(img)
        ms = round((time.perf_counter() - t0) * 1000.0, 1)
    except KnownError as e:
        return {"file": path, "error": e.message("en")}
    except Exception as e:  # noqa: BLE001 - the command promises a line, not a traceback
        return {"file": path, "error": f"internal error: {type(e).__name__}"}
    if not found:
        return {"file": path, "found": False, "text": None, "color": None, "ms": ms}
    r = found[0]
    line: dict[str, Any] = {"file": path, "found": True, "text": r.text, "color": r.color, "ms": ms}
    p = classify_payload(r.text)
    line["kind"] = p.kind
    if p.kind == "refused":
        line["text"] = None
        line["reason"] = p.reason
    if len(found) > 1:
        line["codes"] = len(found)
    return line


def decode_command(paths: list[str], out: IO[str] | None = None) -> int:
    """Decode each image in order, one JSON object per line; 1 if any file gave an error, else 0."""
    from app.scan.decoder import FrameDecoder

    out = out or sys.stdout
    decoder = FrameDecoder()
    status = False
    for path in paths:
        line = decode_one(path, decoder)
        status |= "error" in line
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
        out.flush()
    return 1 if status else 0
