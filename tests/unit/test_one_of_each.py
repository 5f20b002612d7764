"""One of each (#11): one atomic file writer, one ensure_gui_app, found by reading the source."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# os.replace by hand in files other branches are rewriting; they move to app.files.write_bytes
# / atomic_output when those land (the roster importer split, cli/)
NOT_YET: set[str] = set()


def _sources(*packages: str) -> dict[str, str]:
    out = {}
    for package in packages:
        base = ROOT / package
        paths = [base] if base.is_file() else base.rglob("*.py")
        for path in paths:
            out[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
    return out


def test_one_atomic_writer() -> None:
    hand_made = {
        name
        for name, text in _sources("app", "db", "ui", "main.py").items()
        if re.search(r"\bos\.replace\(", text)
    }
    assert hand_made - NOT_YET == {"app/files.py"}


def test_one_ensure_gui_app() -> None:
    defined = [
        name
        for name, text in _sources("app", "ui", "tests", "main.py").items()
        if re.search(r"^def ensure_gui_app\(", text, re.M)
    ]
    assert defined == ["ui/common/gui_app.py"]
