"""Issue #14's measurements: light-on-dark frames, the cost of a miss, and a baseline in the same
run (the scan package of an earlier commit, imported under another name)."""

from __future__ import annotations

import importlib
import io
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]


def light_on_dark(img: np.ndarray) -> np.ndarray:
    """The frame with its luma inverted and its chroma kept: light modules on the code's colour
    and a dark screen, as a dark-mode phone or a WeChat-style code shows it."""
    y = cv2.cvtColor(img, cv2.COLOR_BGR2YCrCb)
    y[..., 0] = 255 - y[..., 0]
    return cv2.cvtColor(y, cv2.COLOR_YCrCb2BGR)


def load_scan_at(ref: str) -> ModuleType:
    """app/scan as it was at a commit, importable next to today's (its imports are relative).

    Returns the package; its .decoder and .stream are imported."""
    name = "scan_at_" + "".join(c for c in ref if c.isalnum())
    if name in sys.modules:
        return sys.modules[name]
    blob = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", ref, "app/scan"],
        check=True,
        capture_output=True,
    ).stdout
    root = Path(tempfile.mkdtemp(prefix="gatepost-base-"))
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        tar.extractall(root, filter="data")
    (root / "app" / "scan").rename(root / name)
    sys.path.insert(0, str(root))
    pkg = importlib.import_module(name)
    importlib.import_module(f"{name}.decoder")
    importlib.import_module(f"{name}.stream")
    return pkg


def empty_frames_1280(shared_dir: str, n: int) -> list[np.ndarray]:
    """The benchmark's empty 1280x720 scenes: backgrounds, every other one cluttered (even i)."""
    from seqgen import load_generator

    mf = load_generator(shared_dir)
    frames = []
    for i in range(n):
        rng = np.random.default_rng(np.random.SeedSequence([99, i]))
        lin = mf.render_background(rng, 1280, 720, cluttered=i % 2 == 0)
        frames.append(np.clip(mf.lin_to_srgb(lin) * 255, 0, 255).astype(np.uint8))
    return frames


def miss_costs(frames: list[np.ndarray], decoders: dict[str, Callable]) -> dict[str, dict]:
    """Wall and CPU ms per frame for each decoder, taking turns frame by frame (so load that
    comes and goes hits all of them alike); frames where anything was read are counted apart."""
    out = {name: dict(wall=[], cpu=[], clutter=[], plain=[], reads=0) for name in decoders}
    for i, f in enumerate(frames):
        for name, fn in decoders.items():
            t0, c0 = time.perf_counter(), time.thread_time()
            got = fn(f)
            wall = (time.perf_counter() - t0) * 1000.0
            o = out[name]
            o["wall"].append(wall)
            o["cpu"].append((time.thread_time() - c0) * 1000.0)
            o["clutter" if i % 2 == 0 else "plain"].append(wall)
            o["reads"] += bool(got)
    return out


def miss_table(costs: dict[str, dict], what: str) -> list[str]:
    """Markdown rows: median / p95 wall, median CPU, median on plain and cluttered frames."""
    med = lambda v: float(np.median(v)) if v else float("nan")  # noqa: E731
    L = [
        f"| decoder ({what}) | median / p95 ms | median CPU ms | plain backgrounds: median ms "
        "| cluttered: median ms | false reads |",
        "|---|---|---|---|---|---|",
    ]
    for name, o in costs.items():
        L.append(
            f"| {name} | {med(o['wall']):.1f} / {float(np.percentile(o['wall'], 95)):.1f} "
            f"| {med(o['cpu']):.1f} | {med(o['plain']):.1f} | {med(o['clutter']):.1f} "
            f"| {o['reads']} |"
        )
    return L


def feed_costs(frames: list[np.ndarray], makers: dict[str, Callable], rounds: int = 2) -> dict:
    """The live path on frames with no code: each empty scene scaled to 640x480 and fed to a
    StreamDecoder per maker at 30 fps (the worker runs beside it), wall and CPU ms per feed()."""
    small = [cv2.resize(f, (640, 480), interpolation=cv2.INTER_AREA) for f in frames]
    out = {name: dict(wall=[], cpu=[], reads=0) for name in makers}
    for name, make in makers.items():
        sd = make()
        try:
            for _ in range(rounds):
                for f in small:
                    t0, c0 = time.perf_counter(), time.thread_time()
                    got = sd.feed(f)
                    out[name]["wall"].append((time.perf_counter() - t0) * 1000.0)
                    out[name]["cpu"].append((time.thread_time() - c0) * 1000.0)
                    out[name]["reads"] += got is not None
                    time.sleep(1 / 30)
        finally:
            sd.close()
    return out


def feed_table(costs: dict[str, dict]) -> list[str]:
    """Markdown rows for feed_costs: median / p95 wall and CPU ms, false reads."""
    pc = lambda v, q: float(np.percentile(v, q))  # noqa: E731
    L = [
        "| live path, empty scenes at 640x480 (StreamDecoder.feed, 30 fps) "
        "| feed() median / p95 ms | CPU median / p95 ms | false reads |",
        "|---|---|---|---|",
    ]
    for name, o in costs.items():
        L.append(
            f"| {name} | {pc(o['wall'], 50):.1f} / {pc(o['wall'], 95):.1f} "
            f"| {pc(o['cpu'], 50):.1f} / {pc(o['cpu'], 95):.1f} | {o['reads']} |"
        )
    return L
