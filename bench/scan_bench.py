#!/usr/bin/env python3
"""Scan-engine benchmark: our decoder against OpenCV QRCodeDetector and plain zxing-cpp.

Generates (or reuses) a frame set with the shared make_frames.py, decodes every frame with each
decoder, and reports read rate overall / per colour / per degradation, wrong texts, colour
accuracy, median and p95 ms per frame size, empty-frame cost and the live (sequence) path.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from benchlib import (  # noqa: E402
    Stat,
    baseline_decoders,
    empty_frames,
    render_markdown,
    run_sequences,
    seq_table,
    update_doc,
)

from app.scan.decoder import DEFAULT_BUDGET_MS, FrameDecoder  # noqa: E402


def shared_dir_default() -> str:
    """The shared generator lives next to the checkout unless the environment says otherwise."""
    return os.environ.get("GATEPOST_SHARED_DIR", str((REPO / ".." / "shared" / "bench").resolve()))


def ensure_frames(shared: str, frames_dir: Path, seed: int, per_cell: int) -> Path:
    """Generate the single-frame set once; a complete manifest means it can be reused."""
    man = frames_dir / "manifest.jsonl"
    want = 14 * 4 * per_cell
    have = sum(1 for _ in man.open(encoding="utf-8")) if man.exists() else 0
    if have >= want:
        return man
    cmd = [
        sys.executable,
        str(Path(shared) / "make_frames.py"),
        "--out",
        str(frames_dir),
        "--seed",
        str(seed),
        "--per-cell",
        str(per_cell),
    ]
    cmd += ["--start", str(have)] if have else []
    print("generating:", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True)
    return man


def ensure_sequences(
    shared: str,
    seq_dir: Path,
    seed: int,
    scenes: int,
    glare: str = "static",
    reuse: Path | None = None,
    per_degree: str | None = None,
) -> None:
    """Generate the sequence scenes with two worker processes (about 4 s per scene per core);
    scenes without glare are linked from `reuse` (the same seed in another glare mode)."""
    done = len(list(seq_dir.glob("scene_*/scene.json"))) if seq_dir.exists() else 0
    if done >= scenes:
        return
    extra = ["--glare", glare] + (["--reuse", str(reuse)] if reuse else [])
    extra += ["--per-degree", per_degree] if per_degree else []
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(REPO / "bench" / "seqgen.py"),
                "--shared-dir",
                shared,
                "--out",
                str(seq_dir),
                "--seed",
                str(seed),
                "--scenes",
                str(scenes),
                "--start",
                str(k),
                "--step",
                "2",
            ]
            + extra
        )
        for k in (0, 1)
    ]
    for p in procs:
        if p.wait() != 0:
            raise SystemExit("sequence generation failed")


def live_sets(
    shared: str,
    static_dir: Path,
    seed: int,
    scenes: int,
    modes: list[str],
    per_degree: str | None = None,
) -> dict[str, dict]:
    """Generate (once) and run the live path on the scene sets of each glare model.

    The static set is made first; the others link its glare-free scenes. A tilt set with a
    non-default move per degree gets its own directory (seqN-tilt-LO-HI)."""
    ensure_sequences(shared, static_dir, seed, scenes)
    out = {}
    for mode in modes:
        name, d = mode, static_dir
        if mode != "static":
            suffix = mode + (
                f"-{per_degree.replace(',', '-')}" if per_degree and mode == "tilt" else ""
            )
            name, d = suffix, static_dir.with_name(f"{static_dir.name}-{suffix}")
            ensure_sequences(
                shared,
                d,
                seed,
                scenes,
                mode,
                reuse=static_dir,
                per_degree=per_degree if mode == "tilt" else None,
            )
        print(f"live path, glare {name}: {d}", file=sys.stderr)
        out[name] = run_sequences(d, scenes)
    return out


def run_single(manifest: Path, decoders: dict, limit: int | None, only: str | None) -> dict:
    """Decode every frame with every decoder; returns per-decoder lists of per-frame records."""
    rows = [json.loads(line) for line in manifest.open(encoding="utf-8")]
    if only:
        rows = [r for r in rows if r["degradation"] == only]
    rows = rows[:limit] if limit else rows
    res: dict[str, list[dict]] = {name: [] for name in decoders}
    for i, r in enumerate(rows):
        img = cv2.imread(str(manifest.parent / r["file"]), cv2.IMREAD_COLOR)
        for name, fn in decoders.items():
            t0 = time.perf_counter()
            text, color = fn(img)
            ms = (time.perf_counter() - t0) * 1000.0
            res[name].append(
                dict(
                    index=r["index"],
                    deg=r["degradation"],
                    color=r["color"],
                    size=f"{r['width']}x{r['height']}",
                    ok=text == r["payload"],
                    wrong=text is not None and text != r["payload"],
                    got_color=color,
                    ms=ms,
                )
            )
        if i % 100 == 0:
            print(f"  {i}/{len(rows)}", file=sys.stderr, flush=True)
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--per-cell", type=int, default=12)
    ap.add_argument("--frames-dir", default=None, help="reuse (or create) the set here")
    ap.add_argument("--shared-dir", default=shared_dir_default())
    ap.add_argument("--scenes", type=int, default=200, help="sequence scenes (0 to skip)")
    ap.add_argument(
        "--seq-dir", default=None, help="the static-glare scenes (default bench/out/seqN)"
    )
    ap.add_argument(
        "--glare-modes",
        default="tilt,static",
        help="sequence sets to run, by glare model (bench/seqgen.py): tilt, static, walk",
    )
    ap.add_argument("--seq-seed", type=int, default=None)
    ap.add_argument(
        "--per-degree",
        default=None,
        help="the tilt glare's move per degree, lo,hi (default seqgen's 0.1,0.3)",
    )
    ap.add_argument(
        "--live-only",
        action="store_true",
        help="only the sequence scenes (no single frames, no doc update)",
    )
    ap.add_argument("--empty", type=int, default=60, help="empty 1280x720 frames to time")
    ap.add_argument("--ours-only", action="store_true", help="skip the baselines (development)")
    ap.add_argument("--only", default=None, help="one degradation (development)")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--budget-ms", type=float, default=None, help="override the decoder's budget")
    ap.add_argument(
        "--cpu-clock",
        action="store_true",
        help="count the budget in this thread's CPU time (load-independent reads)",
    )
    ap.add_argument(
        "--also-cpu-clock",
        action="store_true",
        help="add a row with the budget in CPU time (what a quiet machine would read)",
    )
    ap.add_argument("--no-generate", action="store_true", help="use the manifest as it is")
    ap.add_argument("--verbose-misses", action="store_true")
    ap.add_argument("--doc", default=None, help="write the results section into this markdown file")
    ap.add_argument(
        "--real",
        default=None,
        metavar="DIR",
        help="only the real-photo table on DIR (bench/real, see bench/real_assemble.py)",
    )
    a = ap.parse_args()

    if a.real:
        from real_assemble import load_manifest
        from realbench import readers, real_table, run_real

        out = run_real(Path(a.real), load_manifest(), readers())
        md = real_table("python bench/scan_bench.py " + " ".join(sys.argv[1:]), out)
        print(md)
        if a.doc:
            update_doc(Path(a.doc), md, title="Scan engine on real photographs (#14)")
        return 0

    seq_seed = a.seq_seed if a.seq_seed is not None else a.seed
    seq_dir = Path(a.seq_dir or REPO / "bench" / "out" / f"seq{seq_seed}")
    if a.live_only:
        seqs = live_sets(
            a.shared_dir, seq_dir, seq_seed, a.scenes, a.glare_modes.split(","), a.per_degree
        )
        print(f"Command: `python bench/scan_bench.py {' '.join(sys.argv[1:])}` (seed {seq_seed})")
        print("\n".join(seq_table(seqs)))
        return 0
    frames_dir = Path(a.frames_dir or REPO / "bench" / "out" / f"seed{a.seed}")
    manifest = frames_dir / "manifest.jsonl"
    if not (a.no_generate and manifest.exists()):
        manifest = ensure_frames(a.shared_dir, frames_dir, a.seed, a.per_cell)
    clock = time.thread_time if a.cpu_clock else time.perf_counter
    ours = FrameDecoder(budget_ms=a.budget_ms or DEFAULT_BUDGET_MS, clock=clock)

    def run_ours(img: np.ndarray) -> tuple[str | None, str | None]:
        found = ours.decode(img)
        return (found[0].text, found[0].color) if found else (None, None)

    decoders = {"gatepost FrameDecoder": run_ours}
    if a.also_cpu_clock and not a.cpu_clock:
        cpu = FrameDecoder(budget_ms=a.budget_ms or DEFAULT_BUDGET_MS, clock=time.thread_time)

        def run_cpu(img: np.ndarray) -> tuple[str | None, str | None]:
            found = cpu.decode(img)
            return (found[0].text, found[0].color) if found else (None, None)

        decoders["gatepost, budget in CPU time"] = run_cpu
    if not a.ours_only:
        decoders.update(baseline_decoders())
    single = run_single(manifest, decoders, a.limit, a.only)
    stats = {name: Stat(recs) for name, recs in single.items()}
    if a.verbose_misses:
        for r in single["gatepost FrameDecoder"]:
            if not r["ok"] or r["got_color"] != r["color"]:
                print("miss" if not r["ok"] else "colour", r, file=sys.stderr)
    empty = empty_frames(a.shared_dir, a.empty) if a.empty else None
    seqs = {}
    if a.scenes:
        seqs = live_sets(
            a.shared_dir, seq_dir, seq_seed, a.scenes, a.glare_modes.split(","), a.per_degree
        )
    cmd = "python bench/scan_bench.py " + " ".join(sys.argv[1:])
    md = render_markdown(cmd, a.seed, len(next(iter(single.values()))), stats, empty, seqs)
    print(md)
    if a.doc:
        update_doc(Path(a.doc), md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
