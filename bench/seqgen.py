"""Sequence frames for the live-path benchmark: the shared generator's phone, moved a little per frame.

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


def scene_params(mf: ModuleType, seed: int, scene: int, size: tuple[int, int]) -> list[dict]:
    """Per-frame parameters for one scene: the base frame's parameters plus a small random walk."""
    n_cells = len(mf.DEGRADATIONS) * len(mf.COLOR_NAMES)
    base = mf.sample_params(seed, (scene % n_cells) * 12 + 2 * (scene // n_cells) % 12, 12)
    base["width"], base["height"] = size
    rng = np.random.default_rng(np.random.SeedSequence([seed, 10_000 + scene]))
    out = []
    roll, tx, ty, scale = base["roll_deg"], base["tilt_x_deg"], base["tilt_y_deg"], 1.0
    for f in range(FRAMES_PER_SCENE):
        p = copy.deepcopy(base)
        roll += rng.normal(0, 0.8)
        tx += rng.normal(0, 1.0)
        ty += rng.normal(0, 1.0)
        scale *= float(np.exp(rng.normal(0, 0.02)))
        p.update(roll_deg=float(roll), tilt_x_deg=float(tx), tilt_y_deg=float(ty),
                 module_px=float(base["module_px"] * scale),
                 psf_sigma=float(base["psf_sigma"] * rng.uniform(0.85, 1.2)),
                 gauss_sigma_modules=float(base["gauss_sigma_modules"] * rng.uniform(0.7, 1.3)))
        if base["motion_len_modules"] > 0:
            p["motion_len_modules"] = float(base["motion_len_modules"] * rng.uniform(0.5, 1.3))
            p["motion_angle_deg"] = float(base["motion_angle_deg"] + rng.normal(0, 10))
        elif rng.random() < 0.3:  # hand shake: occasional short motion streak
            p["motion_len_modules"] = float(rng.uniform(0.2, 0.8))
            p["motion_angle_deg"] = float(rng.uniform(0, 180))
        p["frame_noise"] = float(rng.uniform(1.0, 3.0))
        p["frame_noise_seed"] = int(rng.integers(0, 2**31 - 1))
        p["scene"], p["frame"] = scene, f
        out.append(p)
    return out


def render_frame(mf: ModuleType, p: dict) -> np.ndarray:
    """Render one sequence frame; fresh per-frame noise because render_seed is fixed per scene."""
    img, meta = mf.render(p)
    p.update(meta)
    rng = np.random.default_rng(p["frame_noise_seed"])
    noisy = img.astype(np.float32) + rng.normal(0, p["frame_noise"], img.shape).astype(np.float32)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def generate(shared_dir: str, out_dir: str, seed: int, scenes: int, start: int = 0,
             step: int = 1, size: tuple[int, int] = (640, 480)) -> None:
    """Write scene_SSSS/FF.png and one manifest line per scene (scenes start, start+step, ...)."""
    mf = load_generator(shared_dir)
    os.makedirs(out_dir, exist_ok=True)
    for s in range(start, scenes, step):
        d = Path(out_dir) / f"scene_{s:04d}"
        if (d / "scene.json").exists():
            continue
        d.mkdir(exist_ok=True)
        params = scene_params(mf, seed, s, size)
        for p in params:
            cv2.imwrite(str(d / f"{p['frame']:02d}.png"), render_frame(mf, p),
                        [cv2.IMWRITE_PNG_COMPRESSION, 1])
        first = params[0]
        info = {k: first[k] for k in ("scene", "seed", "degradation", "color", "payload", "width",
                                      "height", "index", "module_px_eff")}
        (d / "scene.json").write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
        print(f"scene {s}", file=sys.stderr, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared-dir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--scenes", type=int, default=200)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--step", type=int, default=1)
    a = ap.parse_args()
    generate(a.shared_dir, a.out, a.seed, a.scenes, a.start, a.step)


if __name__ == "__main__":
    main()
