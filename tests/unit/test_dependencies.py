"""pyproject.toml declares the dependencies; the requirements files agree with it (#11)."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]


def _key(text: str) -> tuple[str, frozenset[str], str]:
    req = Requirement(text)
    return canonicalize_name(req.name), frozenset(req.extras), str(req.specifier)


def _requirements(name: str) -> set[tuple[str, frozenset[str], str]]:
    out = set()
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-r"):
            out.add(_key(line))
    return out


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_runtime_dependencies_agree() -> None:
    declared = {_key(d) for d in _project()["dependencies"]}
    assert declared == _requirements("requirements.txt")


def test_dev_dependencies_agree() -> None:
    declared = {_key(d) for d in _project()["optional-dependencies"]["dev"]}
    assert declared == _requirements("requirements-dev.txt")
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["qrcode", "reedsolo"])
def test_pinned_below_the_next_major(name: str) -> None:
    """Their internals are used (QR block tables, erasure decoding): a new major may move them."""
    (spec,) = [Requirement(d).specifier for d in _project()["dependencies"] if d.startswith(name)]
    installed = Version(version(name))
    assert installed in spec
    assert Version(f"{installed.major + 1}") not in spec
