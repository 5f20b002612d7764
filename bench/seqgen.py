"""Sequence frames for the live-path benchmark: the shared generator's phone, moved per frame.

The shared make_frames.py renders single frames; a phone at the gate is in view for a second or
more, so each scene here is one sampled frame (same phone, page, background, placement) re-rendered
15 times with small changes of pose, scale and blur, plus fresh sensor noise per frame.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
from pathlib import Path
from types import ModuleType

import cv2
import numpy as np

FRAMES_PER_SCENE = 15


def load_generator(shared_dir: str | os.PathLike) -> ModuleType:
    """Import make_frames.py by path: /work/shared is read-only and not a package."""
    import importlib.util

    path = Path(shared_dir) / "make_frames.py"
    spec = importlib.util.spec_from_file_location("make_frames", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


GLARE_MODES = ("tilt", "static", "walk")


PER_DEGREE = (0.1, 0.3)  # the "tilt" glare's move, in code sides per degree of tilt


def scene_params(
    mf: ModuleType,
    seed: int,
    scene: int,
    size: tuple[int, int],
    glare: str = "static",
    per_degree: tuple[float, float] = PER_DEGREE,
) -> list[dict]:
    """Per-frame parameters for one scene: the base frame's parameters plus a small random walk.

    glare: how the reflection of the booth light behaves while the phone moves.
    - "static": as the shared renderer draws it, from the scene's fixed render seed, so it stays
      glued to the same modules in all 15 frames (a stress case, not physics).
    - "tilt": a mirror reflection. Tilting the glass by d radians turns the reflected ray by 2d,
      so the bright spot slides over the glass by about 2 d D, D = dc dl / (dc + dl) for a camera
      dc and a lamp dl away. At the gate (camera 0.25-0.4 m, lamp 1-2 m, a health code 35-45 mm
      wide) that is 0.1-0.3 of the code's side per degree of tilt; each scene draws its own factor
      in that range and the spot follows the scene's tilt walk (tilt about x moves it along y).
    - "walk": the spot takes its own random walk of ~4 % of the code's side per frame (the
      previous round's model, kept to reproduce its numbers).
    In "tilt" and "walk" the renderer draws no glare and add_glare() paints the same kind of
    ellipse after rendering. Scenes without glare are identical in every mode (same draws).
    """
    if glare not in GLARE_MODES:
        raise ValueError(f"glare must be one of {GLARE_MODES}")
    n_cells = len(mf.DEGRADATIONS) * len(mf.COLOR_NAMES)
    base = mf.sample_params(seed, (scene % n_cells) * 12 + 2 * (scene // n_cells) % 12, 12)
    base["width"], base["height"] = size
    rng = np.random.default_rng(np.random.SeedSequence([seed, 10_000 + scene]))
    out = []
    roll, tx, ty, scale = base["roll_deg"], base["tilt_x_deg"], base["tilt_y_deg"], 1.0
    spot = None
    if glare != "static" and base["glare_amp"] > 0:
        grng = np.random.default_rng(np.random.SeedSequence([seed, 20_000 + scene]))
        spot = dict(
            amp=base["glare_amp"],
            rel=base["glare_rel_size"],
            stretch=float(grng.uniform(0.8, 1.6)),
            aspect=float(grng.uniform(0.3, 0.8)),
            theta=float(grng.uniform(0, np.pi)),
            pos=grng.uniform(-0.35, 0.35, 2),
        )
        k_deg = float(grng.uniform(*per_degree))
        start = np.array(spot["pos"], np.float64)
    for f in range(FRAMES_PER_SCENE):
        p = copy.deepcopy(base)
        roll += rng.normal(0, 0.8)
        tx += rng.normal(0, 1.0)
        ty += rng.normal(0, 1.0)
        scale *= float(np.exp(rng.normal(0, 0.02)))
        p.update(
            roll_deg=float(roll),
            tilt_x_deg=float(tx),
            tilt_y_deg=float(ty),
            module_px=float(base["module_px"] * scale),
            psf_sigma=float(base["psf_sigma"] * rng.uniform(0.85, 1.2)),
            gauss_sigma_modules=float(base["gauss_sigma_modules"] * rng.uniform(0.7, 1.3)),
        )
        if base["motion_len_modules"] > 0:
            p["motion_len_modules"] = float(base["motion_len_modules"] * rng.uniform(0.5, 1.3))
            p["motion_angle_deg"] = float(base["motion_angle_deg"] + rng.normal(0, 10))
        elif rng.random() < 0.3:  # hand shake: occasional short motion streak
            p["motion_len_modules"] = float(rng.uniform(0.2, 0.8))
            p["motion_angle_deg"] = float(rng.uniform(0, 180))
        p["frame_noise"] = float(rng.uniform(1.0, 3.0))
        p["frame_noise_seed"] = int(rng.integers(0, 2**31 - 1))
        p["scene"], p["frame"] = scene, f
        if spot is not None:
            if glare == "walk":
                spot["pos"] = np.clip(spot["pos"] + rng_glare_step(seed, scene, f), -0.45, 0.45)
            else:
                turned = np.array([ty - base["tilt_y_deg"], tx - base["tilt_x_deg"]])
                spot["pos"] = np.clip(start + k_deg * turned, -0.9, 0.9)
            p["glare_amp"] = 0.0
            p["post_glare"] = dict(spot, pos=[float(v) for v in spot["pos"]])
        out.append(p)
    return out


def rng_glare_step(seed: int, scene: int, frame: int) -> np.ndarray:
    """The "walk" glare's per-frame move, in units of the code's side."""
    return np.random.default_rng(np.random.SeedSequence([seed, 30_000 + scene, frame])).normal(
        0, 0.04, 2
    )


def add_glare(mf: ModuleType, img: np.ndarray, corners: list, g: dict) -> np.ndarray:
    """The renderer's glare ellipse (flat-topped, warm), added in linear light after rendering."""
    c = np.asarray(corners, np.float32)
    side = float(np.linalg.norm(c[1] - c[0]))
    cx, cy = c.mean(0) + np.asarray(g["pos"], np.float32) * side
    sx = g["rel"] * side * g["stretch"]
    sy = sx * g["aspect"]
    H, W = img.shape[:2]
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    dx, dy = xx - cx, yy - cy
    th = g["theta"]
    u = (dx * np.cos(th) + dy * np.sin(th)) / sx
    v = (-dx * np.sin(th) + dy * np.cos(th)) / sy
    e = np.exp(-0.5 * (u * u + v * v) ** 1.5)
    lin = mf.srgb_to_lin(img.astype(np.float32) / 255.0)
    lin = lin + (g["amp"] * e)[..., None] * np.array([1.0, 0.98, 0.94], np.float32)
    return np.clip(mf.lin_to_srgb(lin) * 255.0, 0, 255).astype(np.uint8)


def render_frame(mf: ModuleType, p: dict) -> np.ndarray:
    """Render one sequence frame; fresh per-frame noise because render_seed is fixed per scene."""
    img, meta = mf.render(p)
    p.update(meta)
    if p.get("post_glare"):
        img = add_glare(mf, img, meta["gt_corners"], p["post_glare"])
    rng = np.random.default_rng(p["frame_noise_seed"])
    noisy = img.astype(np.float32) + rng.normal(0, p["frame_noise"], img.shape).astype(np.float32)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def generate(
    shared_dir: str,
    out_dir: str,
    seed: int,
    scenes: int,
    start: int = 0,
    step: int = 1,
    size: tuple[int, int] = (640, 480),
    glare: str = "static",
    reuse: str | None = None,
    per_degree: tuple[float, float] = PER_DEGREE,
    frames: int = FRAMES_PER_SCENE,
    only: list[int] | None = None,
) -> None:
    """Write scene_SSSS/FF.png and one manifest line per scene (scenes start, start+step, ...).

    reuse: a directory of the same seed's scenes in another glare mode; scenes that have no glare
    are identical, so they are linked from there instead of being rendered again.
    frames: render only the first this many frames of each scene (the rest can be added later by
    a call with more): a scene the live path reads at frame k needs only frames 0..k, and most
    read on the first, so the big live benchmark renders a prefix and completes only the scenes
    some decoder did not read within it (bench/live_bench.py). only: these scenes, not the range.
    """
    mf = load_generator(shared_dir)
    os.makedirs(out_dir, exist_ok=True)
    for s in only if only is not None else range(start, scenes, step):
        d = Path(out_dir) / f"scene_{s:04d}"
        have = len(list(d.glob("[0-9][0-9].png"))) if d.exists() else 0
        if (d / "scene.json").exists() and have >= frames:
            continue
        params = scene_params(mf, seed, s, size, glare, per_degree)
        src = Path(reuse) / d.name if reuse else None
        if src is not None and not params[0].get("post_glare") and (src / "scene.json").exists():
            d.symlink_to(src.resolve(), target_is_directory=True)
            continue
        d.mkdir(exist_ok=True)
        for p in params[:frames]:
            if (d / f"{p['frame']:02d}.png").exists():
                continue
            cv2.imwrite(
                str(d / f"{p['frame']:02d}.png"),
                render_frame(mf, p),
                [cv2.IMWRITE_PNG_COMPRESSION, 1],
            )
        first = params[0]
        if (d / "scene.json").exists():
            continue
        if "module_px_eff" not in first:  # frame 0 was written by an interrupted run
            render_frame(mf, first)
        info = {
            k: first[k]
            for k in (
                "scene",
                "seed",
                "degradation",
                "color",
                "payload",
                "width",
                "height",
                "index",
                "module_px_eff",
            )
        }
        info["glare_mode"] = glare if first.get("post_glare") else "static"
        if first.get("post_glare") and glare == "tilt":
            info["glare_per_degree"] = list(per_degree)
        (d / "scene.json").write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
        print(f"scene {s}", file=sys.stderr, flush=True)


def spawn(shared_dir: str, out_dir: Path, seed: int, per_worker: list[list[str]]) -> None:
    """Run this script once per argument list, in parallel (one worker process per core), on one
    seed's scene directory; wait for all of them."""
    import subprocess

    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--shared-dir", shared_dir, "--out", str(out_dir)]
            + ["--seed", str(seed), *extra],
            stderr=subprocess.DEVNULL if "--only" in extra else None,
        )
        for extra in per_worker
    ]
    for p in procs:
        if p.wait() != 0:
            raise SystemExit("sequence generation failed")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared-dir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--scenes", type=int, default=200)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--step", type=int, default=1)
    ap.add_argument(
        "--glare",
        choices=GLARE_MODES,
        default="static",
        help="how a reflection behaves while the phone moves (see scene_params)",
    )
    ap.add_argument(
        "--moving-glare",
        action="store_const",
        const="walk",
        dest="glare",
        help="the same as --glare walk (the previous round's option)",
    )
    ap.add_argument("--frames", type=int, default=FRAMES_PER_SCENE, help="render a prefix only")
    ap.add_argument("--only", default=None, help="comma-separated scene numbers (not the range)")
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--height", type=int, default=480)
    ap.add_argument("--reuse", default=None, help="link glare-free scenes from this directory")
    ap.add_argument(
        "--per-degree",
        default="{:g},{:g}".format(*PER_DEGREE),
        help="range of the tilt glare's move in code sides per degree (lo,hi)",
    )
    a = ap.parse_args()
    lo, hi = (float(v) for v in a.per_degree.split(","))
    generate(
        a.shared_dir,
        a.out,
        a.seed,
        a.scenes,
        a.start,
        a.step,
        size=(a.width, a.height),
        glare=a.glare,
        reuse=a.reuse,
        per_degree=(lo, hi),
        frames=a.frames,
        only=[int(v) for v in a.only.split(",")] if a.only else None,
    )


if __name__ == "__main__":
    main()
