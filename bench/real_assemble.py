#!/usr/bin/env python3
"""Assemble bench/real/ (git-ignored) from local clones of the repositories in real_manifest.json.

Images fetched from public repositories are never committed here; the manifest names each file's
repository, commit, path, licence, expected text(s) and SHA-256, and this script copies them out
of clones you made yourself:

    git clone https://github.com/piderman314/bardecoder /tmp/bardecoder
    git -C /tmp/bardecoder fetch origin a9b07974a11951c2ef4a454c73135510451c8306  # wild_* images
    git clone https://github.com/mchehab/zbar /tmp/zbar
    git clone https://github.com/cozmo/jsQR /tmp/jsQR
    python bench/real_assemble.py --clone piderman314/bardecoder=/tmp/bardecoder \\
        --clone mchehab/zbar=/tmp/zbar --clone cozmo/jsQR=/tmp/jsQR

A clone may be a bare repository (its git directory). Every file is checked against its SHA-256.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "real_manifest.json"


def load_manifest(path: Path = MANIFEST) -> list[dict]:
    """The manifest's image entries."""
    return json.loads(path.read_text(encoding="utf-8"))["images"]


def git_blob(clone: Path, commit: str, path: str) -> bytes:
    """The file at commit:path from a clone (work tree or bare)."""
    git_dir = clone / ".git" if (clone / ".git").exists() else clone
    return subprocess.run(
        ["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"],
        check=True,
        capture_output=True,
    ).stdout


def assemble(clones: dict[str, Path], out: Path, entries: list[dict]) -> list[str]:
    """Copy every entry whose repository has a clone; returns the problems (empty when all ok)."""
    out.mkdir(parents=True, exist_ok=True)
    problems = []
    for e in entries:
        clone = clones.get(e["repo"])
        if clone is None:
            problems.append(f"{e['file']}: no clone of {e['repo']} given")
            continue
        try:
            data = git_blob(clone, e["commit"], e["path"])
        except subprocess.CalledProcessError:
            problems.append(f"{e['file']}: {e['commit'][:10]}:{e['path']} not in {clone}")
            continue
        if hashlib.sha256(data).hexdigest() != e["sha256"]:
            problems.append(f"{e['file']}: SHA-256 differs from the manifest")
            continue
        (out / e["file"]).write_bytes(data)
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--clone", action="append", default=[], help="owner/name=DIR (repeatable)")
    ap.add_argument("--out", default=str(HERE / "real"))
    a = ap.parse_args()
    clones = {}
    for spec in a.clone:
        repo, _, path = spec.partition("=")
        clones[repo] = Path(path)
    entries = load_manifest()
    problems = assemble(clones, Path(a.out), entries)
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{len(entries) - len(problems)} of {len(entries)} images in {a.out}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
