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
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

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
    single_frame_table,
    update_doc,
)
from seqgen import spawn  # noqa: E402

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
    run = ["--scenes", str(scenes), "--step", "2", *extra]
    spawn(shared, seq_dir, seed, [["--start", str(k), *run] for k in (0, 1)])


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


def run_single(
    manifest: Path,
    decoders: dict,
    limit: int | None,
    only: str | None,
    transform: Callable[[np.ndarray], np.ndarray] | None = None,
) -> dict:
    """Decode every frame (after transform, if any) with every decoder; returns per-decoder
    lists of per-frame records."""
    rows = [json.loads(line) for line in manifest.open(encoding="utf-8")]
    if only:
        rows = [r for r in rows if r["degradation"] == only]
    rows = rows[:limit] if limit else rows
    res: dict[str, list[dict]] = {name: [] for name in decoders}
    for i, r in enumerate(rows):
        img = cv2.imread(str(manifest.parent / r["file"]), cv2.IMREAD_COLOR)
        img = transform(img) if transform is not None else img
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
    ap.add_argument(
        "--issue14",
        action="store_true",
        help="issue #14's section: generated frames as they are and light-on-dark, the cost of "
        "a miss, the real photos (--real), the live path, each against --baseline-ref",
    )
    ap.add_argument("--baseline-ref", default=None, help="a commit whose app/scan is the baseline")
    ap.add_argument(
        "--empty-only",
        action="store_true",
        help="only the empty-frame table (--empty frames, against --baseline-ref and zxing-cpp)",
    )
    a = ap.parse_args()

    if a.empty_only:
        return empty_only(a)
    if a.issue14:
        return issue14(a)
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
    clock = time.thread_time if a.cpu_clock else None  # None: the work-unit budget (#14)
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


def _reader(dec: object) -> Callable[[np.ndarray], tuple[str | None, str | None]]:
    """A FrameDecoder as a (text, colour) function for run_single."""

    def fn(img: np.ndarray) -> tuple[str | None, str | None]:
        found = dec.decode(img)  # type: ignore[attr-defined]
        return (found[0].text, found[0].color) if found else (None, None)

    return fn


def issue14(a: argparse.Namespace) -> int:
    """Every #14 table from one run, each with the baseline commit's decoder beside ours."""
    from real_assemble import load_manifest
    from realbench import readers, real_table, run_real
    from scan14 import light_on_dark, load_scan_at

    frames_dir = Path(a.frames_dir or REPO / "bench" / "out" / f"seed{a.seed}")
    manifest = frames_dir / "manifest.jsonl"
    if not (a.no_generate and manifest.exists()):
        manifest = ensure_frames(a.shared_dir, frames_dir, a.seed, a.per_cell)
    ours = FrameDecoder()
    decs = {"gatepost now": _reader(ours)}
    base = None
    if a.baseline_ref:
        base = load_scan_at(a.baseline_ref)
        old = base.decoder.FrameDecoder()  # its default budget
        decs[f"gatepost at {a.baseline_ref}"] = _reader(old)
    decs.update(baseline_decoders())
    cmd = "python bench/scan_bench.py " + " ".join(sys.argv[1:])
    load0 = os.getloadavg()
    single = {n: Stat(r) for n, r in run_single(manifest, decs, a.limit, a.only).items()}
    inverted = run_single(manifest, decs, a.limit, a.only, transform=light_on_dark)
    inv = {n: Stat(r) for n, r in inverted.items()}
    n = len(next(iter(single.values())).recs)
    L = [
        "## Scan engine: light-on-dark codes, a load-independent budget, cheap misses, "
        "real photographs (#14)",
        "",
        f"Command: `{cmd}` (seed {a.seed}, {n} generated frames; measured "
        f"{time.strftime('%Y-%m-%d %H:%M')} UTC on the 2-core build VM shared with other work, "
        f"load average {load0[0]:.1f} at the start; one process, every table from this run).",
        "",
        "Baseline: the same run's decoders of the commit named in each row (its app/scan "
        "imported under another name; it already reads light-on-dark codes and counts its "
        "budget in work units). What changed since: a symbol zxing located but could not read "
        "is read again whole, turned 180 degrees and with the global binariser; after the "
        "first cheap look, with no symbol located, only a blurred candidate boxed at 96 px or "
        "more gets the deblur bank; the candidate finder looks at the edges of max(B,G,R) "
        "beside min(B,G,R), so a light-on-dark yellow code is boxed; the light-on-dark frame "
        "pass runs after the finder, and not at all when nothing was located or boxed; a "
        "located symbol must be a plausible box; colour planes by cv2.extractChannel.",
        "",
    ]
    L += _single_rows("Generated frames as they are", single)
    L += _single_rows(
        "The same frames light-on-dark (luma inverted, chroma kept: light modules on colour, "
        "dark screen)",
        inv,
    )
    L += _unread_costs(single, inv)
    L += _miss_rows(a, ours, base)
    if a.real:
        rd = readers()
        if base is not None:
            old_real = base.decoder.FrameDecoder()
            rd = {
                "gatepost now": rd.pop("gatepost FrameDecoder"),
                f"gatepost at {a.baseline_ref}": lambda im: [r.text for r in old_real.decode(im)],
                **rd,
            }
        out = run_real(Path(a.real), load_manifest(), rd)
        L += [
            f"Real photographs ({out['n']} images of bench/real_manifest.json, each turned "
            "0/90/180/270 deg; zxing-cpp with every option at its default):",
            "",
        ]
        L += real_table(cmd, out).splitlines()[4:] + [""]
    if a.scenes:
        seq_dir = Path(a.seq_dir or REPO / "bench" / "out" / f"seq{a.seed}")
        ensure_sequences(a.shared_dir, seq_dir, a.seed, a.scenes)
        tilt = seq_dir.with_name(seq_dir.name + "-tilt")
        ensure_sequences(a.shared_dir, tilt, a.seed, a.scenes, "tilt", reuse=seq_dir)
        seqs = {"now, glare `tilt`": run_sequences(tilt, a.scenes)}
        if base is not None:
            seqs[f"{a.baseline_ref}, glare `tilt`"] = run_sequences(
                tilt, a.scenes, make=base.stream.StreamDecoder
            )
        dark = "glare `tilt`, light-on-dark"
        seqs[f"now, {dark}"] = run_sequences(tilt, a.scenes, transform=light_on_dark)
        if base is not None:
            seqs[f"{a.baseline_ref}, {dark}"] = run_sequences(
                tilt, a.scenes, make=base.stream.StreamDecoder, transform=light_on_dark
            )
        L += seq_table(seqs)[2:]
    load1 = os.getloadavg()
    L += ["", f"Load average at the end: {load1[0]:.1f} / {load1[1]:.1f} / {load1[2]:.1f}."]
    md = "\n".join(L) + "\n"
    print(md)
    if a.doc:
        update_doc(Path(a.doc), md, title=L[0][3:])
    return 0


def _miss_rows(a: argparse.Namespace, ours: FrameDecoder, base: ModuleType | None) -> list[str]:
    """The empty-frame table: ours, the baseline and zxing-cpp taking turns frame by frame."""
    from realbench import readers
    from scan14 import empty_frames_1280, feed_costs, feed_table, miss_costs, miss_table

    from app.scan.stream import StreamDecoder

    frames = empty_frames_1280(a.shared_dir, a.empty)
    misses = {"gatepost now": ours.decode}
    if base is not None:
        misses[f"gatepost at {a.baseline_ref}"] = base.decoder.FrameDecoder().decode
    misses["zxing-cpp, default options"] = readers()["zxing-cpp, default options"]
    feeds: dict = {"now": StreamDecoder}
    if base is not None:
        feeds[a.baseline_ref] = base.stream.StreamDecoder
    load = os.getloadavg()[0]
    costs = miss_costs(frames, misses)
    live = feed_costs(frames, feeds)
    return [
        f"Frames with no code ({a.empty} empty 1280x720 scenes, every other one cluttered; load "
        f"average {load:.1f} before, {os.getloadavg()[0]:.1f} after):",
        "",
        *miss_table(costs, "one decode per frame, taking turns"),
        "",
        *feed_table(live),
        "",
    ]


def empty_only(a: argparse.Namespace) -> int:
    """Only the empty-frame table (--empty-only): the cheap-miss goal is wall time, so it is
    worth running again alone when the machine is quiet."""
    from scan14 import load_scan_at

    base = load_scan_at(a.baseline_ref) if a.baseline_ref else None
    print(f"Command: `python bench/scan_bench.py {' '.join(sys.argv[1:])}`\n")
    print("\n".join(_miss_rows(a, FrameDecoder(), base)))
    return 0


def _unread_costs(*tables: dict) -> list[str]:
    """Median ms on the generated 1280x720 frames that no decoder of the table reads."""
    L = []
    for name, stats in zip(("as they are", "light-on-dark"), tables, strict=True):
        recs = [s.recs for s in stats.values()]
        idx = [
            i
            for i in range(len(recs[0]))
            if recs[0][i]["size"] == "1280x720" and not any(r[i]["ok"] for r in recs)
        ]
        if not idx:
            continue
        cells = ", ".join(
            f"{n} {float(np.median([s.recs[i]['ms'] for i in idx])):.1f} ms"
            for n, s in stats.items()
        )
        L.append(f"- 1280x720 frames {name} that none of them reads ({len(idx)}): median {cells}")
    return (["Generated frames nothing reads:", ""] + L + [""]) if L else []


def _single_rows(title: str, stats: dict) -> list[str]:
    return [f"{title}:", "", *single_frame_table(stats), ""]


if __name__ == "__main__":
    raise SystemExit(main())
