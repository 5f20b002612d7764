"""Issue #14's live path at scale: hundreds of phone-at-the-webcam scenes, this tree against a
baseline commit in the same run (its app/scan imported under another name, bench/scan14.py).

Rendering is the cost (the shared generator takes ~1 s of CPU per 640x480 frame here), and a
scene the live path reads at frame k depends only on frames 1..k. So every scene is first
rendered as a prefix of --prefix frames; both decoders run on it (scene by scene, taking turns,
so load that comes and goes hits both alike); only the scenes some decoder did not read within
the prefix are rendered whole (15 frames) and run again from the start by that decoder. The
counts are those of a run on the whole scenes.

    python bench/live_bench.py --baseline-ref main --out bench/out/live.md
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from benchlib import run_scene  # noqa: E402
from scan14 import light_on_dark, load_scan_at  # noqa: E402
from seqgen import FRAMES_PER_SCENE, spawn  # noqa: E402

from app.scan.stream import StreamDecoder  # noqa: E402

# (directory under bench/out, seed, frame size): fresh seeds, used for no tuning; 112 scenes
# each cover the generator's 56 cells (14 degradations x 4 colours, incl. small, motion blur,
# defocus) twice; the 320x240 set is the low-resolution webcam (codes at 1-3 px per module)
SETS = (
    ("live-s21", 21, (640, 480)),
    ("live-s22", 22, (640, 480)),
    ("live-s23", 23, (640, 480)),
    ("live-s24-320", 24, (320, 240)),
)


def render(shared: str, out: Path, seed: int, size: tuple[int, int], frames: int, only: list[int]):
    """Render (the missing frames of) these scenes with two worker processes, glare `tilt`."""
    if not only:
        return
    run = ["--glare", "tilt", "--width", str(size[0]), "--height", str(size[1])]
    run += ["--frames", str(frames), "--only"]
    spawn(shared, out, seed, [run + [",".join(map(str, p))] for p in (only[0::2], only[1::2]) if p])


def load(d: Path, transform: Callable | None) -> tuple[dict, list[np.ndarray]]:
    info = json.loads((d / "scene.json").read_text(encoding="utf-8"))
    frames = [cv2.imread(str(p)) for p in sorted(d.glob("[0-9][0-9].png"))]
    return info, [transform(f) for f in frames] if transform is not None else frames


def run_all(a: argparse.Namespace, makers: dict[str, Callable], variants: dict) -> dict:
    """results[variant][decoder] = list of per-scene records (set, scene, colour, degradation,
    read, wrong, first, feed_ms, fused, grid, sr)."""
    res: dict = {v: {m: [] for m in makers} for v in variants}
    for name, seed, size in SETS[: a.sets]:
        d = REPO / "bench" / "out" / name
        scenes = list(range(a.scenes))
        render(a.shared_dir, d, seed, size, a.prefix, scenes)
        pending: list[tuple[str, str, int]] = []
        for s in scenes:
            for v, tf in variants.items():
                if v != "as they are" and s >= a.dark:
                    continue
                info, frames = load(d / f"scene_{s:04d}", tf)
                for m, make in makers.items():
                    r = run_scene(frames, make)
                    if r["text"] is None and len(frames) < FRAMES_PER_SCENE:
                        pending.append((v, m, s))
                        continue
                    res[v][m].append(_record(name, info, r))
        whole = sorted({s for _v, _m, s in pending})
        print(f"{name}: {len(whole)} scenes to render whole", file=sys.stderr, flush=True)
        render(a.shared_dir, d, seed, size, FRAMES_PER_SCENE, whole)
        for v, m, s in pending:
            info, frames = load(d / f"scene_{s:04d}", variants[v])
            res[v][m].append(_record(name, info, run_scene(frames, makers[m])))
    return res


def _record(name: str, info: dict, r: dict) -> dict:
    return dict(
        set=name,
        scene=info["scene"],
        deg=info["degradation"],
        color=info["color"],
        px=info["module_px_eff"],
        ok=r["text"] == info["payload"],
        wrong=r["text"] is not None and r["text"] != info["payload"],
        first=r["first"],
        feed=r["feed_ms"],
        fused=r["fused"],
        grid=r["grid"],
        sr=r["sr"],
    )


def table(res: dict) -> list[str]:
    L = [
        "| set | decoder | scenes read | wrong texts | frames to first read median / p95 "
        "| read by fused crops / grid votes / super-resolution | feed() median / p95 ms "
        "| missed scenes (set, scene, degradation, colour, px per module) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for v, by in res.items():
        for m, recs in by.items():
            ok = [r for r in recs if r["ok"]]
            first = [r["first"] for r in ok]
            feed = [t for r in recs for t in r["feed"]]
            miss = [
                (r["set"][5:], r["scene"], r["deg"], r["color"], round(r["px"], 1))
                for r in recs
                if not r["ok"]
            ]
            L.append(
                f"| {v} | {m} | {len(ok)} of {len(recs)} ({100.0 * len(ok) / len(recs):.2f} %) "
                f"| {sum(r['wrong'] for r in recs)} "
                f"| {np.median(first):.0f} / {np.percentile(first, 95):.0f} "
                f"| {sum(r['fused'] for r in ok)} / {sum(r['grid'] for r in ok)} / "
                f"{sum(r['sr'] for r in ok)} "
                f"| {np.median(feed):.1f} / {np.percentile(feed, 95):.1f} "
                f"| {', '.join(str(x) for x in miss) or 'none'} |"
            )
    return L


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared-dir", default=os.environ.get("GATEPOST_SHARED", "/work/shared/bench"))
    ap.add_argument("--scenes", type=int, default=112, help="scenes per set")
    ap.add_argument("--sets", type=int, default=len(SETS), help="the first N sets of SETS")
    ap.add_argument("--prefix", type=int, default=2, help="frames rendered for every scene")
    ap.add_argument("--dark", type=int, default=0, help="also light-on-dark: the first N scenes")
    ap.add_argument("--baseline-ref", default="main")
    ap.add_argument("--out", default=None, help="write the markdown table here")
    a = ap.parse_args()
    ref = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", a.baseline_ref],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    base = load_scan_at(ref)
    makers = {
        "this branch": StreamDecoder,
        "this branch, super-resolution on": partial(StreamDecoder, superres=True),
        ref: base.stream.StreamDecoder,
    }
    variants: dict = {"as they are": None}
    if a.dark:
        variants["light-on-dark"] = light_on_dark
    t0, load0 = time.time(), os.getloadavg()
    res = run_all(a, makers, variants)
    load1 = os.getloadavg()
    when = time.strftime("%Y-%m-%d %H:%M", time.gmtime(t0))
    L = [
        f"Command: `python bench/live_bench.py {' '.join(sys.argv[1:])}` ({when} UTC, "
        f"{(time.time() - t0) / 60:.0f} min; load average {load0[0]:.1f} at the start, "
        f"{load1[0]:.1f} / {load1[1]:.1f} / {load1[2]:.1f} at the end).",
        "",
        *table(res),
    ]
    md = "\n".join(L) + "\n"
    print(md)
    if a.out:
        Path(a.out).write_text(md, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
