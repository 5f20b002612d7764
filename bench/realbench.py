"""The real-photo table (#14): our decoder against zxing-cpp with default options and OpenCV's
QRCodeDetector on the images of bench/real_manifest.json, each turned 0/90/180/270 degrees."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import zxingcpp

from app.scan.decoder import FrameDecoder

Reader = Callable[[np.ndarray], list[str]]
ROTATIONS = {
    0: None,
    90: cv2.ROTATE_90_CLOCKWISE,
    180: cv2.ROTATE_180,
    270: cv2.ROTATE_90_COUNTERCLOCKWISE,
}


def readers() -> dict[str, Reader]:
    """Ours (default budget), zxing-cpp read_barcodes with every option at its default (its QR
    results only), OpenCV QRCodeDetector.detectAndDecode on gray."""
    ours = FrameDecoder()
    det = cv2.QRCodeDetector()

    def gatepost(img: np.ndarray) -> list[str]:
        return [r.text for r in ours.decode(img)]

    def zxing(img: np.ndarray) -> list[str]:
        found = zxingcpp.read_barcodes(img)
        return [b.text for b in found if b.format == zxingcpp.BarcodeFormat.QRCode and b.text]

    def opencv(img: np.ndarray) -> list[str]:
        try:
            text, _pts, _ = det.detectAndDecode(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY))
        except cv2.error:
            return []
        return [text] if text else []

    return {
        "gatepost FrameDecoder": gatepost,
        "zxing-cpp, default options": zxing,
        "OpenCV QRCodeDetector (gray)": opencv,
    }


def judge(texts: list[str], expected: list[str]) -> str:
    """read: something read and all of it expected; wrong: any text not expected; else missed."""
    if any(t not in expected for t in texts):
        return "wrong"
    return "read" if texts else "missed"


def run_real(folder: Path, entries: list[dict], decoders: dict[str, Reader]) -> dict:
    """Per decoder and rotation: counts of read / wrong / missed, the misses, and times."""
    res: dict = {
        name: {
            rot: {"read": 0, "wrong": 0, "missed": 0, "misses": [], "ms": []} for rot in ROTATIONS
        }
        for name in decoders
    }
    n = 0
    for e in entries:
        img = cv2.imread(str(folder / e["file"]), cv2.IMREAD_COLOR)
        if img is None:
            continue
        n += 1
        for rot, code in ROTATIONS.items():
            view = img if code is None else cv2.rotate(img, code)
            for name, fn in decoders.items():
                t0 = time.perf_counter()
                verdict = judge(fn(view), e["expected"])
                cell = res[name][rot]
                cell["ms"].append((time.perf_counter() - t0) * 1000.0)
                cell[verdict] += 1
                if verdict != "read":
                    cell["misses"].append(f"{e['file']} ({verdict})")
    return {"n": n, "by": res}


def real_table(cmd: str, out: dict) -> str:
    """The markdown section for docs/BENCHMARKS.md."""
    n = out["n"]
    L = [
        "## Scan engine on real photographs (#14)",
        "",
        f"Command: `{cmd}` ({n} images from bench/real_manifest.json, each at 0/90/180/270 deg; "
        f"measured {time.strftime('%Y-%m-%d')} on the 2-core build VM, one process).",
        "",
        "| decoder | read 0 / 90 / 180 / 270 deg | wrong | not found | median ms |",
        "|---|---|---|---|---|",
    ]
    for name, by in out["by"].items():
        reads = " / ".join(str(by[r]["read"]) for r in ROTATIONS)
        wrong = sum(by[r]["wrong"] for r in ROTATIONS)
        missed = sum(by[r]["missed"] for r in ROTATIONS)
        ms = float(np.median([v for r in ROTATIONS for v in by[r]["ms"]]))
        L.append(f"| {name} | {reads} (of {n} each) | {wrong} | {missed} | {ms:.1f} |")
    L += ["", "Not read (any rotation):", ""]
    for name, by in out["by"].items():
        miss = sorted({m for r in ROTATIONS for m in by[r]["misses"]})
        L.append(f"- {name}: {', '.join(miss) if miss else 'none'}")
    return "\n".join(L) + "\n"
