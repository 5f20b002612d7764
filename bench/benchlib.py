"""Benchmark helpers: baselines, statistics, empty frames, sequence runs and the markdown report."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import zxingcpp

from app.scan.stream import StreamDecoder

Decoder = Callable[[np.ndarray], tuple[str | None, str | None]]
COLORS = ("green", "yellow", "red", "black")


def baseline_decoders() -> dict[str, Decoder]:
    """OpenCV QRCodeDetector and plain zxing-cpp, on gray as the issue's table measured them."""
    det = cv2.QRCodeDetector()

    def opencv(img: np.ndarray) -> tuple[str | None, str | None]:
        gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
        try:
            text, _pts, _ = det.detectAndDecode(gray)
        except cv2.error:
            return None, None
        return (text or None), None

    def zxing(img: np.ndarray) -> tuple[str | None, str | None]:
        gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
        found = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode)
        return (found[0].text, None) if found else (None, None)

    return {"OpenCV QRCodeDetector (gray)": opencv, "zxing-cpp read_barcodes (gray)": zxing}


def pct(a: float, b: float) -> str:
    return f"{100.0 * a / b:.1f} %" if b else "–"


class Stat:
    """Aggregates one decoder's per-frame records into the numbers the issue asks for."""

    def __init__(self, recs: list[dict]) -> None:
        self.recs = recs
        self.n = len(recs)
        self.ok = sum(r["ok"] for r in recs)
        self.wrong = sum(r["wrong"] for r in recs)
        read = [r for r in recs if r["ok"]]
        self.color_known = any(r["got_color"] for r in recs)
        self.color_ok = sum(r["got_color"] == r["color"] for r in read)
        self.color_bad = sum(r["got_color"] not in (r["color"], "unknown") for r in read)
        self.n_read = len(read)

    def rate(self, key: str, value: str) -> str:
        sub = [r for r in self.recs if r[key] == value]
        return pct(sum(r["ok"] for r in sub), len(sub))

    def ms(self, size: str | None = None) -> tuple[float, float]:
        v = [r["ms"] for r in self.recs if size is None or r["size"] == size]
        return (float(np.median(v)), float(np.percentile(v, 95))) if v else (0.0, 0.0)


def empty_frames(shared_dir: str, n: int) -> dict:
    """Time both paths on empty 1280x720 scenes (backgrounds, half of them cluttered)."""
    from scan14 import empty_frames_1280

    from app.scan.decoder import FrameDecoder

    frames = empty_frames_1280(shared_dir, n)
    dec, stream = FrameDecoder(), StreamDecoder()
    single, feed, false_reads = [], [], 0
    try:
        for f in frames:
            t0 = time.perf_counter()
            false_reads += bool(dec.decode(f))
            single.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            false_reads += stream.feed(f) is not None
            feed.append((time.perf_counter() - t0) * 1000)
            time.sleep(max(0.0, 1 / 30 - feed[-1] / 1000))
    finally:
        stream.close()
    q = lambda v: (float(np.median(v)), float(np.percentile(v, 95)))  # noqa: E731
    return dict(n=n, single=q(single), feed=q(feed), false_reads=false_reads)


def run_scene(frames: list[np.ndarray], make: Callable = StreamDecoder, fps: float = 30.0) -> dict:
    """Feed one scene's frames at camera pace to a fresh StreamDecoder (or what make builds)
    until the first read: its frame number (1-based) and text, the feed() times, and which
    multi-frame step read it (fused crops, grid votes, super-resolution)."""
    sd = make()
    first, text, feed_ms = None, None, []
    try:
        for k, f in enumerate(frames):
            t0 = time.perf_counter()
            r = sd.feed(f)
            dt = time.perf_counter() - t0
            feed_ms.append(dt * 1000)
            if r is not None:
                first, text = k + 1, r.text
                break
            time.sleep(max(0.0, 1 / fps - dt))
    finally:
        sd.close()
    return dict(
        first=first,
        text=text,
        feed_ms=feed_ms,
        fused=sd.fused_reads if text else 0,
        grid=sd.grid_reads if text else 0,
        sr=getattr(sd, "sr_reads", 0) if text else 0,
    )


def run_sequences(
    seq_dir: Path,
    scenes: int,
    fps: float = 30.0,
    make: Callable = StreamDecoder,
    transform: Callable[[np.ndarray], np.ndarray] | None = None,
) -> dict:
    """Feed each scene's frames (after transform, if any) at camera pace to a fresh
    StreamDecoder (or what make builds); record the first read."""
    out = []
    feed_ms: list[float] = []
    fused = gridded = 0
    for d in sorted(seq_dir.glob("scene_*"))[:scenes]:
        info = json.loads((d / "scene.json").read_text(encoding="utf-8"))
        frames = [cv2.imread(str(p)) for p in sorted(d.glob("[0-9][0-9].png"))]
        frames = [transform(f) for f in frames] if transform is not None else frames
        r = run_scene(frames, make, fps)
        feed_ms += r["feed_ms"]
        fused += r["fused"]
        gridded += r["grid"]
        text, first = r["text"], r["first"]
        out.append(
            dict(
                scene=info["scene"],
                deg=info["degradation"],
                color=info["color"],
                ok=text == info["payload"],
                wrong=text is not None and text != info["payload"],
                first=first,
            )
        )
    ok = [r for r in out if r["ok"]]
    return dict(
        n=len(out),
        ok=len(ok),
        wrong=sum(r["wrong"] for r in out),
        median_first=float(np.median([r["first"] for r in ok])) if ok else None,
        fused=fused,
        grid=gridded,
        feed=(float(np.median(feed_ms)), float(np.percentile(feed_ms, 95))),
        misses=[(r["scene"], r["deg"], r["color"]) for r in out if not r["ok"]],
    )


def render_markdown(
    cmd: str, seed: int, n: int, stats: dict[str, Stat], empty: dict | None, seqs: dict[str, dict]
) -> str:
    """The BENCHMARKS.md section: every number the issue asks for, from this run only."""
    L = [
        "## Scan engine (issue #3)",
        "",
        "Pipeline (app/scan): zxing-cpp on luma; else the candidate finder (two-axis edge "
        "density on min(B,G,R)) and zxing's located-but-unread symbols give boxes; a box is "
        "cropped, upscaled (cubic, to ~480 px), sharpened, then Wiener-deconvolved with a PSF "
        "measured from its edge slopes (Gaussian or motion along the structure-tensor "
        "direction), on the highest-contrast channel first when it clearly beats luma (yellow, "
        "over-exposed colours), then on luma; CLAHE and min(B,G,R) on the "
        "whole frame in between. A budget of 56 work units per frame (a fixed charge per "
        "step from the pixels it touches, #14); a step is not started when one like the last "
        "no longer fits. Only opencv-python-headless "
        "and zxing-cpp: no CNN models. The live path (StreamDecoder) does only the luma read and "
        "the candidate finder per frame; a worker thread runs the decoder on the latest frame "
        "with a candidate, tracked box first, 150 ms budget; when that frame alone does not read, "
        "it aligns the tracked box's crops from the last 15 frames (affine ECC on min(B,G,R) "
        "shrunk to 160 px) and reads their per-pixel mean, then their median "
        "(app/scan/fusion.py). "
        "Our own QR grid decoder (app/scan/qrcodec.py, grid.py) takes a symbol zxing located but "
        "could not correct: soft module values against local light/dark levels, unknown "
        "(an erasure) where glare blew the screen out, Reed-Solomon with erasures and the least "
        "reliable codewords erased first; in FrameDecoder it runs last, when time is left; the "
        "live worker also averages the located symbol's soft grids over the frames (GridVotes), "
        "so modules glare hides in one frame come from another.",
        "",
        f"Command: `{cmd}` (seed {seed}, {n} frames; "
        f"measured {time.strftime('%Y-%m-%d')} on this 2-core machine, single process).",
        "",
    ]
    L += single_frame_table(stats)
    degs = list(dict.fromkeys(r["deg"] for r in next(iter(stats.values())).recs))
    L += [
        "",
        "Read rate per degradation:",
        "",
        "| degradation | " + " | ".join(stats) + " |",
        "|---|" + "---|" * len(stats),
    ]
    for d in degs:
        L.append(f"| {d} | " + " | ".join(s.rate("deg", d) for s in stats.values()) + " |")
    ours = next(iter(stats.values()))
    per_colour = [s for c in COLORS if (s := ours.rate("color", c)) != "–"]
    p95_720 = ours.ms("1280x720")[1]
    L += [
        "",
        "Against the bar (our decoder): "
        f"overall {pct(ours.ok, ours.n)} (bar 92 %), lowest colour "
        f"{min(per_colour, key=lambda v: float(v.split()[0]))} (bar 90 %), wrong texts "
        f"{ours.wrong} (bar 0), colour accuracy {pct(ours.color_ok, ours.n_read)} (bar 98 %), "
        f"p95 at 1280x720 {p95_720:.1f} ms (bar 60 ms).",
    ]
    if empty:
        L += [
            "",
            f"Empty 1280x720 frames ({empty['n']}, half cluttered): FrameDecoder.decode "
            f"median {empty['single'][0]:.1f} ms, p95 {empty['single'][1]:.1f} ms; "
            f"StreamDecoder.feed median {empty['feed'][0]:.1f} ms, "
            f"p95 {empty['feed'][1]:.1f} ms; "
            f"false reads {empty['false_reads']}.",
        ]
    if seqs:
        L += [""] + seq_table(seqs)
    load = os.getloadavg()
    L += [
        "",
        f"Machine load average at the end of the run: {load[0]:.1f} / {load[1]:.1f} / "
        f"{load[2]:.1f} (1/5/15 min; other work was running on the 2 cores). The decoder's "
        "budget is in work units, so a busy machine reads the same frames and takes longer "
        "(the millisecond columns are wall time).",
    ]
    return "\n".join(L) + "\n"


def seq_table(seqs: dict[str, dict]) -> list[str]:
    """Markdown lines: what the sequence scenes are, and one row per glare model run."""
    L = [
        "Sequence scenes (bench/seqgen.py): the shared generator's frame for a cell, "
        "re-rendered 15 times with a random walk of roll/tilt (about 1 deg per frame), "
        "scale (2 %), focus and motion blur, plus fresh sensor noise per frame; 640x480 only "
        "(1280x720 renders take 2-3 s each on this machine). Glare models: `tilt` = the "
        "reflection slides over the glass as the phone tilts, 0.1-0.3 of the code's side "
        "per degree (mirror geometry at the gate, see seqgen.scene_params); `static` = glued "
        "to the same modules in all 15 frames (a stress case); `walk` = a random walk of "
        "~4 % of the side per frame. Scenes without glare are the same files in every set.",
        "",
        "| live path (StreamDecoder, 640x480 fed at 30 fps) | scenes read | wrong texts "
        "| median frames to first read | first read from fused crops / grid votes "
        "| feed() median / p95 ms | missed scenes |",
        "|---|---|---|---|---|---|---|",
    ]
    for mode, seq in seqs.items():
        label = mode if "`" in mode else f"glare `{mode}`"
        L.append(
            f"| {label}, {seq['n']} scenes x 15 frames "
            f"| {pct(seq['ok'], seq['n'])} "
            f"| {seq['wrong']} | {seq['median_first']} | {seq.get('fused', 0)} / "
            f"{seq.get('grid', 0)} "
            f"| {seq['feed'][0]:.1f} / {seq['feed'][1]:.1f} | {seq['misses'] or 'none'} |"
        )
    return L


def update_doc(path: Path, section: str, title: str = "Scan engine (issue #3)") -> None:
    """Replace the section with this title (or append it), leaving other sections alone."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    pat = re.compile(r"## " + re.escape(title) + r".*?(?=\n## |\Z)", re.S)
    text = (
        pat.sub(lambda _m: section.rstrip("\n") + "\n", text)
        if pat.search(text)
        else (text.rstrip("\n") + "\n\n" + section)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def single_frame_table(stats: dict) -> list[str]:
    """The single-frame table: read rate per colour, wrong texts, colour, time per size."""
    L = [
        "| decoder | all | green | yellow | red | black | wrong texts | colour ok (of read) "
        "| 640x480 median / p95 ms | 1280x720 median / p95 ms |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, s in stats.items():
        col = pct(s.color_ok, s.n_read) + f" ({s.color_bad} wrong)" if s.color_known else "–"
        m1, m2 = s.ms("640x480"), s.ms("1280x720")
        L.append(
            f"| {name} | {pct(s.ok, s.n)} | "
            + " | ".join(s.rate("color", c) for c in COLORS)
            + f" | {s.wrong} | {col} | {m1[0]:.1f} / {m1[1]:.1f} "
            f"| {m2[0]:.1f} / {m2[1]:.1f} |"
        )
    return L
