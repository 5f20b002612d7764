"""The bundle's inputs (#16): a version the frozen app can print, resources where the spec
takes them from, the icon the spec names."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import main as gatepost_main
from app import __version__
from app.paths import RESOURCES

ROOT = Path(__file__).resolve().parents[2]


def test_version_is_the_project_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert __version__ == project["version"]


def test_dash_dash_version_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        gatepost_main.main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"门岗通 Gatepost {__version__}"


def test_resources_are_the_folder_the_spec_bundles() -> None:
    assert RESOURCES == ROOT / "resources"
    spec = (ROOT / "packaging" / "gatepost.spec").read_text(encoding="utf-8")
    assert '(str(ROOT / "resources"), "resources")' in spec
    for name in ("ok", "refused", "alarm"):
        assert (RESOURCES / "sounds" / f"{name}.wav").is_file()


def test_icon_png_and_ico_exist_with_the_sizes_windows_wants() -> None:
    from PIL import Image

    png = Image.open(RESOURCES / "icons" / "gatepost.png")
    assert png.size == (256, 256)
    ico = Image.open(RESOURCES / "icons" / "gatepost.ico")
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
